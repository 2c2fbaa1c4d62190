"""What another version of the open file changed: the summary `tunescope diff` prints, and the changes listed.

`enter` shows a changed, rewritten or added example in the open file (the app's `show_line`); a removed one
is only in the other version, so it is named, not shown. The diff itself comes from checks/version_diff.py
(`DatasetScreen`'s `V`, screens/dataset_versions.py); this screen only words and routes it.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tunescope.checks.version_diff_text import CHANGE_KINDS, ChangeRow, change_rows, summary_lines
from tunescope.dataset.records import one_line
from tunescope.tui import keymap

KIND_WORDS = {key: label for key, _title, label in CHANGE_KINDS}


class VersionDiffScreen(Screen):
    """The diff of two versions (`VersionDiff.to_dict()`), the open file being NEW."""

    BINDINGS = keymap.VERSIONS_BINDINGS
    HELP_TITLE = "Versions"

    DEFAULT_CSS = """
    VersionDiffScreen {
        layout: vertical;
        & #versions-summary { height: auto; max-height: 60%; padding: 0 1; background: $surface; overflow-y: auto; }
        & #versions-rows { height: 1fr; border-top: solid $foreground 20%; border-title-color: $text-muted;
                           text-wrap: nowrap; text-overflow: ellipsis; }
    }
    """

    def __init__(self, diff: dict) -> None:
        super().__init__()
        self.diff = diff
        self.rows: list[ChangeRow] = change_rows(diff)

    def compose(self) -> ComposeResult:
        lines = summary_lines(self.diff)
        lines[0] = f"{Path(self.diff['old']['file']).name} -> {Path(self.diff['new']['file']).name}"   # names, not paths
        yield Static("\n".join(lines), id="versions-summary", markup=False)
        yield OptionList(*self._options(), id="versions-rows")
        yield Footer()

    def _options(self) -> list[Option]:
        if not self.rows:
            return [Option("No example changed: the versions hold the same examples.", disabled=True)]
        return [Option(self._label(row), id=str(n)) for n, row in enumerate(self.rows)]

    @staticmethod
    def _label(row: ChangeRow) -> str:
        where = (f"{row.old_line} -> {row.new_line}" if row.old_line and row.new_line
                 else f"old {row.old_line}" if row.old_line else f"new {row.new_line}")
        return f"{KIND_WORDS[row.kind]:<9} {where:<16} {one_line(row.preview, 120)}"

    def on_mount(self) -> None:
        examples = self.diff["examples"]
        listed = ", ".join(f"{len(self.diff[key])} of {examples[key]:,} {title.split(' (')[0].lower()}"
                           for key, title, _label in CHANGE_KINDS if examples[key])
        rows = self.query_one("#versions-rows", OptionList)
        rows.border_title = f"Changes listed: {listed}" if listed else "Changes"
        rows.focus()

    def selected(self) -> ChangeRow | None:
        rows = self.query_one("#versions-rows", OptionList)
        option = rows.highlighted_option
        return None if option is None or option.id is None else self.rows[int(option.id)]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_show_line()

    def action_show_line(self) -> None:
        row = self.selected()
        if row is None:
            return
        if row.new_line is None:
            self.notify(f"Line {row.old_line} was removed: it is only in the other version "
                        f"({self.diff['old']['file']}).", severity="warning")
            return
        self.app.show_line(row.new_line)

    def action_back(self) -> None:
        self.dismiss()
