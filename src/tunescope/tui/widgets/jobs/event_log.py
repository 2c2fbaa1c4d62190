"""The selected job's events, oldest at the top and newest at the bottom.

A `Log` (plain strings, Line API, capped at MAX_LINES) rather than a RichLog:
appending is cheap and, unlike RichLog, it only follows new lines while the
view is already at the bottom, so scrolling up to read is never interrupted.
While the view is scrolled up, the border says how many lines arrived since.
"""

from __future__ import annotations

import re

from rich.highlighter import Highlighter
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.widgets import Log

from tunescope.tui.widgets.jobs import format as fmt

MAX_LINES = 2000
LEVEL_MARK = {"error": "✗ ", "warn": "▲ ", "warning": "▲ "}
_TIME = re.compile(r"^(?:[A-Z][a-z]{2} \d{2} )?\d{2}:\d{2}(?::\d{2})? ")
_NUMBER = re.compile(r"(?<=[=:\s])\d+(?:\.\d+)?(?:/\d+)?(?!\w)")


class EventHighlighter(Highlighter):
    """Dim timestamps, theme colours for errors and warnings, emphasised numbers."""

    def __init__(self, widget) -> None:
        self.widget = widget

    def _style(self, variable: str, **extra) -> Style:
        try:
            color = Color.parse(self.widget.app.theme_variables[variable]).rich_color
        except Exception:  # noqa: BLE001 - no app or no such variable: dim or bold instead of a colour
            return Style(dim=True) if variable == "text-muted" else Style(bold=True, **{k: v for k, v in extra.items()
                                                                                     if k != "bold"})
        return Style(color=color, **extra)

    def highlight(self, text: Text) -> None:
        plain = text.plain
        start = 0
        if m := _TIME.match(plain):
            start = m.end()
            text.stylize(self._style("text-muted"), 0, start)
        if "✗ " in plain:
            text.stylize(self._style("text-error", bold=True), plain.index("✗ "))
            return
        if "▲ " in plain:
            text.stylize(self._style("text-warning"), plain.index("▲ "))
            return
        for m in _NUMBER.finditer(plain, start):
            text.stylize(self._style("text-accent"), m.start(), m.end())


class EventLog(Log):
    """Event lines of one job; `show_events` appends (or starts over with `reset`)."""

    HELP = "The job's events as the provider reports them. Scroll up to read; new lines follow only at the bottom."

    DEFAULT_CSS = """
    EventLog {
        height: 1fr;
        background: $surface;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 0;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(highlight=True, max_lines=MAX_LINES, auto_scroll=True, id=id, classes=classes)
        self.highlighter = EventHighlighter(self)
        self.unseen = 0

    @staticmethod
    def format_event(event) -> str:
        mark = LEVEL_MARK.get(getattr(event, "level", "info"), "")
        text = " ".join(str(event.message).split())  # one line per event, whatever the server sent
        return f"{fmt.clock(event.created_at, seconds=True)} {mark}{text}"

    def show_events(self, events: list, reset: bool = False) -> None:
        if reset:
            self.clear()
            self.unseen = 0
            self.scroll_home(animate=False, immediate=True)
        if not events:
            self._update_badge()
            return
        at_end = reset or self.is_vertical_scroll_end or not self.lines
        self.write_lines([self.format_event(e) for e in events])
        if at_end:   # follow the newest line; after the refresh, once the new size is known
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True, x_axis=False)
        else:
            self.unseen += len(events)
        self._update_badge()

    def show_message(self, text: str) -> None:
        """Replace the content with one line of explanation (no job, no events yet)."""
        self.clear()
        self.unseen = 0
        self.write_line(text)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if self.unseen and self.is_vertical_scroll_end:
            self.unseen = 0
            self._update_badge()

    def _update_badge(self) -> None:
        self.border_subtitle = f"+{self.unseen} new · end to follow" if self.unseen else ""
