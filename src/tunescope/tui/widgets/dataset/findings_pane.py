"""Findings grouped by check: the "what is wrong with this file" overview.

Groups are rows of an OptionList; a group's findings are only turned into rows
when the group is expanded, a page at a time, so a report with 100k+ findings
costs one pass to group them and a few hundred rows on screen, never one
widget (or one row) per finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tunescope.checks import CHECKS
from tunescope.checks.findings import Finding, Severity
from tunescope.editing.fixes.registry import fix_for_check
from tunescope.tui import keymap

FIXES_BINDING = "dataset.fixes"

PAGE_SIZE = 200
"""Findings added to an expanded group per page ("load more" adds the next page)."""

SYNC_LIMIT = 20_000
"""Reports with more findings than this are grouped in a thread worker."""

GLYPHS = {Severity.ERROR: "✖", Severity.WARNING: "▲", Severity.INFO: "●"}
COLOURS = {Severity.ERROR: "$text-error", Severity.WARNING: "$text-warning", Severity.INFO: "$text-primary"}


def severity_badge(severity: Severity) -> Content:
    """The glyph for a severity, coloured with the theme's matching variable."""
    return Content.from_markup(f"[{COLOURS[severity]}]{GLYPHS[severity]}[/]")


def check_titles() -> dict[str, str]:
    """Check id -> human title, from the check registry."""
    return {cid: info.title for cid, info in CHECKS.items()}


@dataclass
class FindingGroup:
    """All findings of one check, plus how many of them are shown as rows."""

    check: str
    severity: Severity
    count: int
    findings: list[Finding] = field(default_factory=list)
    expanded: bool = False
    shown: int = 0
    by_severity: dict[Severity, int] = field(default_factory=dict)


def group_findings(findings: Iterable[Finding], counts: dict[str, int] | None) -> list[FindingGroup]:
    """Group by check; worst severity first, then by size, then by id."""
    lists: dict[tuple[str, Severity], list[Finding]] = {}
    for finding in findings:
        key = (finding.check, finding.severity)
        bucket = lists.get(key)
        if bucket is None:
            bucket = lists[key] = []
        bucket.append(finding)
    groups: dict[str, FindingGroup] = {}
    for (check, severity), bucket in lists.items():
        group = groups.get(check)
        if group is None:
            group = groups[check] = FindingGroup(check, severity, 0)
        elif severity.rank > group.severity.rank:
            group.severity = severity
        group.by_severity[severity] = len(bucket)
        group.findings.extend(bucket)
    for group in groups.values():
        group.count = len(group.findings)
        group.findings.sort(key=_finding_order)  # file order; timsort is linear when already sorted
    for check, count in (counts or {}).items():
        if check in groups:
            groups[check].count = max(groups[check].count, int(count))
    return sorted(groups.values(), key=lambda g: (-g.severity.rank, -g.count, g.check))


def _finding_order(finding: Finding) -> tuple[int, int]:
    return (finding.line if finding.line is not None else -1, finding.message_index or 0)


class FindingsList(OptionList):
    """The list of groups and findings, with vim keys and expand/collapse."""

    BINDINGS = keymap.FINDINGS_BINDINGS

    class ToggleRequested(Message):
        """Expand (or collapse, with expand=False) the group at the cursor."""

        def __init__(self, expand: bool | None) -> None:
            super().__init__()
            self.expand = expand

    def action_expand(self) -> None:
        self.post_message(self.ToggleRequested(None))

    def action_collapse(self) -> None:
        self.post_message(self.ToggleRequested(False))


class FindingsPane(Vertical, can_focus=False):
    """Findings grouped by check id with counts and severity; enter filters or jumps."""

    HELP = (
        "Findings grouped by check, worst first. Enter on a group filters the example "
        "list to its lines and expands it; enter on a finding jumps to its line and "
        "message. Space/→ expands, ← collapses."
    )

    DEFAULT_CSS = """
    FindingsPane {
        height: 1fr;
        width: 1fr;
        & > #findings-summary {
            height: 1;
            padding: 0 1;
            background: $panel;
            color: $text;
        }
        & > FindingsList {
            height: 1fr;
            text-wrap: nowrap;
            text-overflow: ellipsis;
            border: none;
            border-left: blank;
            padding: 0;
            background: $surface;
            &:focus {
                border: none;
                border-left: outer $primary;
                background-tint: $foreground 3%;
            }
        }
        & > #findings-detail {
            height: auto;
            max-height: 6;
            padding: 0 1;
            background: $panel;
            color: $text;
            border-top: solid $primary 50%;
        }
    }
    """

    class GroupSelected(Message):
        """The user picked a check group: filter the example list to its lines."""

        def __init__(self, check_id: str) -> None:
            super().__init__()
            self.check_id = check_id

    class FindingSelected(Message):
        """The user picked one finding: jump to its line (1-based) and message."""

        def __init__(self, line: int, message_index: int | None, example: int | None = None) -> None:
            super().__init__()
            self.line = line
            self.message_index = message_index
            self.example = example

    def __init__(self, *, titles: dict[str, str] | None = None, page_size: int = PAGE_SIZE,
                 id: str | None = None, classes: str | None = None) -> None:
        """titles: check id -> human title; defaults to the check registry."""
        super().__init__(id=id, classes=classes)
        self.page_size = page_size
        self.groups: list[FindingGroup] = []
        self._rows: list[tuple[str, FindingGroup, Finding | None]] = []
        self._titles: dict[str, str] = dict(titles) if titles is not None else {}
        self._titles_given = titles is not None
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static("No report yet.", id="findings-summary", markup=False)
        yield FindingsList(id="findings-list")
        yield Static("", id="findings-detail", markup=False)

    @property
    def option_list(self) -> FindingsList:
        return self.query_one(FindingsList)

    def focus(self, scroll_visible: bool = True) -> "FindingsPane":
        self.option_list.focus(scroll_visible)
        return self

    # -- data in -------------------------------------------------------------

    def set_report(self, report: Any) -> None:
        """Show a report's findings (any object with .findings and optionally .counts_by_check).

        Large reports are grouped in a thread so the UI stays responsive; the
        pane shows "Grouping…" until the groups arrive.
        """
        findings = getattr(report, "findings", None) or []
        counts = getattr(report, "counts_by_check", None)
        counts = dict(counts) if isinstance(counts, dict) else None
        if not self._titles_given and not self._titles:
            self._titles = check_titles()
        self._generation += 1
        if len(findings) > SYNC_LIMIT:
            self.query_one("#findings-summary", Static).update(f"Grouping {len(findings):,} findings…")
            self._group_in_thread(findings, counts, self._generation)
        else:
            self._apply_groups(group_findings(findings, counts))

    @property
    def is_grouping(self) -> bool:
        """True while a large report is being grouped in the background."""
        return any(w.group == "findings-group" and not w.is_finished for w in self.workers)

    @work(thread=True, exclusive=True, group="findings-group", exit_on_error=False, description="group findings")
    def _group_in_thread(self, findings: list[Finding], counts: dict[str, int] | None, generation: int) -> None:
        groups = group_findings(list(findings), counts)
        if not get_current_worker().is_cancelled:
            self.post_message(self._Grouped(groups, generation))

    class _Grouped(Message):
        def __init__(self, groups: list[FindingGroup], generation: int) -> None:
            super().__init__()
            self.groups = groups
            self.generation = generation

    @on(_Grouped)
    def _grouped(self, event: _Grouped) -> None:
        event.stop()
        if event.generation == self._generation:
            self._apply_groups(event.groups)

    def _apply_groups(self, groups: list[FindingGroup]) -> None:
        expanded = {g.check for g in self.groups if g.expanded}
        keep = self._cursor_key()
        self.groups = groups
        for group in self.groups:
            if group.check in expanded:
                group.expanded, group.shown = True, min(self.page_size, len(group.findings))
        self._update_summary()
        self._rebuild(keep=keep)

    def _update_summary(self) -> None:
        totals = {s: 0 for s in Severity}
        for group in self.groups:
            for severity, count in group.by_severity.items():
                totals[severity] += count
        if not self.groups:
            summary = Content.from_markup("[$text-success]✔[/] No findings")
        else:
            parts = [
                Content.assemble(severity_badge(s), f" {totals[s]:,} {s.value}{'s' if totals[s] != 1 else ''}")
                for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
            ]
            n = len(self.groups)
            summary = Content(" · ").join(parts) + f" in {n} check{'s' if n != 1 else ''}"
        self.query_one("#findings-summary", Static).update(summary)

    # -- rows ----------------------------------------------------------------

    def _group_prompt(self, group: FindingGroup, id_width: int, count_width: int) -> Content:
        arrow = "▾" if group.expanded else "▸"
        title = self._titles.get(group.check, "")
        prompt = Content.assemble(
            f"{arrow} ", severity_badge(group.severity), " ",
            (f"{group.check:<{id_width}}", "bold"), f" {group.count:>{count_width},}",
        )
        if title:
            prompt += Content.from_markup(" [dim]— $title[/]", title=title)
        return prompt

    @staticmethod
    def _finding_prompt(finding: Finding) -> Content:
        where = f"line {finding.line}" if finding.line is not None else "file"
        if finding.message_index is not None:
            where += f" msg {finding.message_index}"
        first_line = finding.message.splitlines()[0] if finding.message else ""
        return Content.assemble("    ", severity_badge(finding.severity), " ", (f"{where:<14}", "dim"), " ", first_line)

    def _cursor_key(self) -> tuple[str, str, int] | None:
        index = self.option_list.highlighted if self.is_mounted else None
        if index is None or index >= len(self._rows):
            return None
        kind, group, finding = self._rows[index]
        return (kind, group.check, group.findings.index(finding) if finding is not None and kind == "finding" else 0)

    def _rebuild(self, keep: tuple[str, str, int] | None = None) -> None:
        """Rebuild rows from the groups; keep the cursor on the same row when possible."""
        rows: list[tuple[str, FindingGroup, Finding | None]] = []
        options: list[Option] = []
        target = 0
        id_width = min(32, max((len(g.check) for g in self.groups), default=0))
        count_width = max((len(f"{g.count:,}") for g in self.groups), default=1)
        for group in self.groups:
            if keep and keep[1] == group.check and keep[0] == "group":
                target = len(rows)
            rows.append(("group", group, None))
            options.append(Option(self._group_prompt(group, id_width, count_width)))
            if not group.expanded:
                continue
            for pos, finding in enumerate(group.findings[: group.shown]):
                if keep and keep[1] == group.check and keep[0] == "finding" and keep[2] == pos:
                    target = len(rows)
                rows.append(("finding", group, finding))
                options.append(Option(self._finding_prompt(finding)))
            remaining = len(group.findings) - group.shown
            if remaining > 0:
                if keep and keep[1] == group.check and keep[0] == "more":
                    target = len(rows)
                rows.append(("more", group, None))
                options.append(Option(Content.from_markup(
                    "    [$text-accent]… $n more — enter to show the next $p[/]",
                    n=f"{remaining:,}", p=f"{min(remaining, self.page_size):,}",
                )))
        self._rows = rows
        option_list = self.option_list
        option_list.set_options(options)
        if rows:
            option_list.highlighted = min(target, len(rows) - 1)
        self._show_detail(option_list.highlighted)

    def _show_detail(self, index: int | None) -> None:
        detail = self.query_one("#findings-detail", Static)
        if index is None or index >= len(self._rows):
            detail.update("")
            return
        kind, group, finding = self._rows[index]
        if kind == "finding" and finding is not None:
            text = Content.assemble(severity_badge(finding.severity), " ", finding.message)
            if finding.hint:
                text += Content.from_markup("\n[$text-success]hint:[/] $hint", hint=finding.hint)
            if finding.path and finding.path not in ("$", ""):
                text += Content.from_markup("\n[dim]at $path[/]", path=finding.path)
        elif kind == "group":
            title = self._titles.get(group.check) or group.check
            sample = group.findings[0].hint if group.findings and group.findings[0].hint else ""
            text = Content.assemble(severity_badge(group.severity), " ", (title, "bold"), f": {group.count:,} finding(s)")
            if any(f.line is not None for f in group.findings):
                text += Content.from_markup("\n[dim]enter: show only these lines · space: expand[/]")
            else:
                text += Content.from_markup("\n[dim]about the whole file · space: expand[/]")
            fixer, key = fix_for_check(group.check), self._fixes_key()
            if fixer is not None and key:        # before the hint: the detail shows its first lines only
                text += Content.from_markup("\n[$text-accent]$key[/] bulk fix: $label (u undoes it)",
                                            key=key, label=fixer.label)
            if sample:
                text += Content.from_markup("\n[$text-success]hint:[/] $hint", hint=sample)
        else:
            text = Content(f"{len(group.findings) - group.shown:,} more findings in {group.check}")
        detail.update(text)

    def _fixes_key(self) -> str:
        """The key that opens the fixes menu here, as the live bindings have it (a keymap may move it)."""
        return keymap.live_key(self.screen, FIXES_BINDING)

    # -- events --------------------------------------------------------------

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._show_detail(event.option_index)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        kind, group, finding = self._rows[event.option_index]
        if kind == "group":
            if any(f.line is not None for f in group.findings):  # file-level groups have no lines to filter to
                self.post_message(self.GroupSelected(group.check))
            if not group.expanded:
                self._toggle(group, True)
        elif kind == "more":
            group.shown = min(len(group.findings), group.shown + self.page_size)
            self._rebuild(keep=("finding", group.check, group.shown - 1))
        elif finding is not None and finding.line is not None:
            self.post_message(self.FindingSelected(finding.line, finding.message_index, finding.example))
        else:
            self.app.bell()

    @on(FindingsList.ToggleRequested)
    def _toggle_requested(self, event: FindingsList.ToggleRequested) -> None:
        event.stop()
        index = self.option_list.highlighted
        if index is None or index >= len(self._rows):
            return
        kind, group, _ = self._rows[index]
        if kind != "group" and event.expand is None:
            return
        self._toggle(group, (not group.expanded) if event.expand is None else event.expand)

    def _toggle(self, group: FindingGroup, expand: bool) -> None:
        group.expanded = expand
        if expand and group.shown == 0:
            group.shown = min(self.page_size, len(group.findings))
        self._rebuild(keep=("group", group.check, 0))
