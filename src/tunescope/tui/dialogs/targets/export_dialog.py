"""Export for another destination: pick the target, the output file and an optional split.

The dialog only asks; the dataset screen runs `targets.exporting.export_file` in a worker (the same
function `tunescope export` calls) and shows its line-by-line report. Export reads the file as it is
on disk, so the dialog says so when there are unsaved edits.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tunescope.targets import TARGETS
from tunescope.tui.dialogs.prompt_base import PROMPT_CSS, PromptScreen


@dataclass(frozen=True)
class ExportChoice:
    """What the user asked for: `split` is the training share (None: one file)."""

    target: str
    output: str
    split: float | None = None


def default_output(path: str, target: str) -> str:
    """NAME.TARGET.jsonl beside the dataset."""
    stem, _ext = os.path.splitext(path)
    return f"{stem}.{target}.jsonl"


class ExportDialog(PromptScreen):
    """Choose a target (list), an output path and a split; enter in a field exports, esc cancels."""

    DEFAULT_CSS = "ExportDialog {" + PROMPT_CSS + """
        & #export-targets { height: auto; max-height: 9; border: none; padding: 0; }
        & #export-format { color: $text-muted; height: auto; }
        & .export-field { height: 1; }
        & #export-output-row { margin-top: 1; }
        & .export-field > Static { width: 8; color: $text-muted; }
        & .export-field > Input { width: 1fr; }
    }"""

    def __init__(self, path: str, target: str | None = None, unsaved: bool = False) -> None:
        super().__init__()
        self.path = path
        self.names = list(TARGETS)
        self.target = target if target in TARGETS else self.names[0]
        self.unsaved = unsaved
        self._auto_output = default_output(path, self.target)

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt-dialog") as dialog:
            dialog.border_title = "Export for …"
            if self.unsaved:
                yield Static("Exports the file as saved on disk: save first (ctrl+s) to include your edits.",
                             classes="prompt-reason", markup=False)
            yield OptionList(*[Option(Content(f"{t.name:<13}{t.title}"), id=t.name) for t in TARGETS.values()],
                             id="export-targets")
            yield Static("", id="export-format", markup=False)
            with Horizontal(classes="export-field", id="export-output-row"):
                yield Static("Output", markup=False)
                yield Input(self._auto_output, placeholder="output file", compact=True, id="export-output")
            with Horizontal(classes="export-field"):
                yield Static("Split", markup=False)
                yield Input("", placeholder="training share, e.g. 0.9 (empty: one file)", compact=True,
                            id="export-split")
            yield Static("enter export · tab next field · esc cancel", classes="prompt-help", markup=False)
            yield Static("", classes="prompt-error", markup=False)

    def on_mount(self) -> None:
        targets = self.query_one("#export-targets", OptionList)
        targets.highlighted = self.names.index(self.target)
        targets.focus()

    @on(OptionList.OptionHighlighted, "#export-targets")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.target = self.names[event.option_index]
        self.query_one("#export-format", Static).update(TARGETS[self.target].format)
        output = self.query_one("#export-output", Input)
        if output.value == self._auto_output:          # follow the target until the user types a path
            self._auto_output = output.value = default_output(self.path, self.target)

    @on(OptionList.OptionSelected, "#export-targets")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.submit()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        """Validate the fields; dismiss with an ExportChoice, or say what is wrong and stay."""
        raw = self.query_one("#export-output", Input).value.strip()
        if not raw:
            self.show_error("Type the file to write, e.g. " + default_output(self.path, self.target))
            return
        out = Path(raw).expanduser()
        out = out if out.is_absolute() else Path.cwd() / out
        if out.is_dir():
            self.show_error(f"{out} is a folder; add a file name, e.g. {out / 'export.jsonl'}")
            return
        if not out.parent.is_dir():
            self.show_error(f"The folder {out.parent} does not exist; create it first or pick another one.")
            return
        if out.exists() and os.path.samefile(out, self.path):
            self.show_error("That is the dataset itself; choose another output file.")
            return
        split_text = self.query_one("#export-split", Input).value.strip()
        split = None
        if split_text:
            try:
                split = float(split_text)
            except ValueError:
                split = -1.0
            if not 0 < split < 1:
                self.show_error(f"Split takes the training share between 0 and 1 (e.g. 0.9), not {split_text!r}; "
                                "leave it empty for one file.")
                return
        self.dismiss(ExportChoice(self.target, str(out), split))
