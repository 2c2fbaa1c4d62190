"""One line saying what is open and how it stands.

File name, format, error and warning counts, an unsaved-edits mark, the
model (with its shutdown day when it is near or past: OpenAI's wind-down), whether
token counts are exact or estimated, and the progress of the background work
(indexing, checking, saving) as a small bar.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from functools import lru_cache

from textual.content import Content
from textual.widgets import Static

from tunescope.tokens.models import load_models
from tunescope.tokens.retirement import retirement, today
from tunescope.tui.literal import literal


@dataclass(frozen=True)
class Status:
    file: str = ""
    format: str = ""
    lines: int = 0
    errors: int = 0
    warnings: int = 0
    dirty: bool = False
    model: str = ""
    estimated: bool = False
    phase: str = ""           # "indexing", "checking", "saving", "" when idle
    done: int = 0
    total: int = 0
    view: str = ""            # description of the active filter/sort
    rules: str = ""           # the target whose rules apply beside the model ("" for none)


@lru_cache(maxsize=16)
def model_deadline(model: str, on: date) -> str:
    """Status-bar markup for the model's shutdown when it is within SOON_DAYS or past; "" otherwise."""
    try:
        gone = retirement(load_models().get(model), on)
    except Exception:  # noqa: BLE001 - unknown model or broken table: the findings say so
        return ""
    if gone is None:
        return ""
    if gone.retired:
        return f"[$text-error]model shut down {gone.day}[/]"
    return f"[$text-warning]model shuts down {gone.day}[/]" if gone.soon else ""


MUST_SHOW = 3        # parts of this priority or more important (counts, progress, filter) outrank a long name
MIN_NAME = 16
VIEW = 3             # the priority of the filter/sort/search part
MIN_VIEW = 14


def shorten_middle(name: str, keep: int) -> str:
    """`name` in at most `keep` characters, the middle replaced by an ellipsis (keeps the extension)."""
    if len(name) <= keep:
        return name
    head = (keep - 1) // 2
    return name[:head] + "…" + name[len(name) - (keep - 1 - head):]


def shorten_view(view: str, keep: int) -> str:
    """A filter description in `keep` characters, its trailing "(count)" and what follows kept whole when
    they fit: "filter: check tool_call_argum… (1,234)"."""
    if len(view) <= keep:
        return view
    view = view.removeprefix("filter: ")          # the accent colour still says it is the filter
    if len(view) <= keep:
        return view
    head, sep, tail = view.rpartition(" (")
    tail = sep + tail
    if head and len(tail) + 2 <= keep // 2:
        return view[:keep - len(tail) - 1] + "…" + tail
    return view[:keep - 1] + "…"


def progress_bar(done: int, total: int, width: int = 8) -> str:
    fraction = 0.0 if total <= 0 else max(0.0, min(1.0, done / total))
    filled = round(fraction * width)
    return "▰" * filled + "▱" * (width - filled) + f" {fraction:4.0%}"


class StatusBar(Static):
    """The status line at the top of the dataset screen."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $foreground;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.status = Status()

    def set(self, **changes) -> None:
        """Change some fields and redraw (only when something changed)."""
        known = {f.name for f in fields(Status)}
        unknown = set(changes) - known
        if unknown:
            raise TypeError(f"unknown status fields: {sorted(unknown)}")
        new = replace(self.status, **changes)
        if new != self.status:
            self.status = new
            self.redraw()

    def show_counts(self, state) -> None:
        """Errors, warnings and the unsaved mark of a `DatasetState`."""
        errors, warnings = state.counts()
        self.set(errors=errors, warnings=warnings, dirty=bool(state.session is not None and state.session.dirty))

    def redraw(self) -> None:
        self.update(self.render_status(self.status, max(20, self.size.width - 2) if self.size.width else 200))

    def on_resize(self) -> None:
        self.redraw()

    @staticmethod
    def file_part(s: Status, name: str | None = None) -> str:
        name = s.file if name is None else name
        return f"[b]{literal(name)}[/b]" + (" [$text-warning][b]●[/b] unsaved[/]" if s.dirty else "")

    @staticmethod
    def view_part(view: str) -> str:
        return f"[$text-accent]{literal(view)}[/]"

    @classmethod
    def parts(cls, s: Status) -> list[tuple[int, str]]:
        """(priority, markup) pieces; the highest priority numbers are dropped first when narrow."""
        parts = [(0, cls.file_part(s))]
        if s.format:
            parts.append((5, literal(s.format)))
        parts.append((6, f"{s.lines:,} lines"))
        parts.append((1, f"[$text-error]✗ {s.errors:,}[/] [$text-warning]▲ {s.warnings:,}[/]"))
        if s.view:
            parts.append((VIEW, cls.view_part(s.view)))
        if s.model:
            parts.append((4, literal(s.model) + (" [$text-warning]~estimated[/]" if s.estimated else " (exact)")))
            deadline = model_deadline(s.model, today())
            if deadline:
                parts.append((3, deadline))
        elif s.estimated:
            parts.append((2, "[$text-warning]~estimated[/]"))
        if s.rules:
            parts.append((3, f"rules: {literal(s.rules)}"))
        if s.phase:
            parts.append((2, f"{s.phase} {progress_bar(s.done, s.total)}"))
        return parts

    @classmethod
    def render_status(cls, s: Status, width: int = 200) -> str:
        parts = cls.parts(s)
        name, view = s.file, s.view
        while True:
            markup = "  │  ".join(text for _, text in parts if text)
            over = Content.from_markup(markup).cell_length - width
            if over <= 0 or len(parts) <= 1:
                return markup
            worst = max(range(len(parts)), key=lambda i: parts[i][0])
            if parts[worst][0] <= MUST_SHOW and len(name) > MIN_NAME:
                # A long file name must not push out the counts, a filter or the progress: shorten it.
                name = shorten_middle(name, max(MIN_NAME, len(name) - over))
                parts[0] = (0, cls.file_part(s, name))
                continue
            if parts[worst][0] == VIEW and len(view) > MIN_VIEW:
                # The active filter must stay visible at 80 columns: shorten it (its count kept) before dropping.
                view = shorten_view(view, max(MIN_VIEW, len(view) - over))
                parts[worst] = (VIEW, cls.view_part(view))
                continue
            dropped = parts.pop(worst)
            if dropped[0] == 4 and s.estimated:   # keep the estimate mark without the model name
                parts.append((2, "[$text-warning]~est.[/]"))
