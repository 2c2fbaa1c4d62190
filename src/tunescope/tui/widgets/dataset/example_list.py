"""The example list: one row per example, drawn with the Line API.

Only the rows on screen are ever read or rendered (`render_line`), so a file
of a million lines scrolls like one of ten. Rows come from a `DatasetState`
(set by the screen: attributes down); the list never reads files itself
beyond asking the state for the rows it draws. Finished rows are kept as
`Strip`s in an LRU cache keyed by everything they show, so a checker batch
arriving only repaints rows whose status or tokens changed. Drawing reads
only; when the rows on screen change (scroll, resize, reload) the list posts
`RowsShown`, and the screen decides what to check again.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tunescope.tui import keymap
from tunescope.review.state import ERROR, INFO, OK, PENDING, WARNING, RowView

GLYPHS = {ERROR: ("✗", "error"), WARNING: ("▲", "warning"), INFO: ("i", "info"), OK: ("✓", "ok"),
          PENDING: ("·", "pending")}
UNCHECKED = ("–", "pending")
MATCH_STYLE = Style(reverse=True, bold=True)   # a search match in the preview       # the checker finished without a result for this line
BAR_WIDTH = 5
EIGHTHS = " ▏▎▍▌▋▊▉"


def token_bar(tokens: int, limit: int | None) -> str:
    """A bar of BAR_WIDTH cells filled in proportion to tokens / limit.

    Any non-zero count shows at least an eighth of a cell, so a short example
    is told apart from an empty or unchecked one even against a 64k limit.
    """
    if tokens < 0 or not limit:
        return " " * BAR_WIDTH
    eighths = min(BAR_WIDTH * 8, round(tokens / limit * BAR_WIDTH * 8))
    if tokens > 0 and eighths == 0:
        eighths = 1
    full, part = divmod(eighths, 8)
    bar = "█" * full + (EIGHTHS[part] if part else "")
    return bar.ljust(BAR_WIDTH)


STATUS_LEGEND = "✗ error, ▲ warning, i info, ✓ fine, · not checked yet, – no result; * edited"
ROLES_LEGEND = ("S system, D developer, U user, A assistant, A0 assistant with weight 0 (not trained), A* assistant "
                "with tool calls, T tool, F function, ? unusable; a preference row shows its input's messages; "
                "P C prompt/completion")


def column_names(line_digits: int) -> str:
    """The names of the columns `ExampleList._render_row` draws, each over its column."""
    return f"{'line':>{line_digits}} ✓ {'tokens':>7} {'limit':<{BAR_WIDTH}} {'roles':<14} text"


class ExampleList(ScrollView, can_focus=True):
    """Virtual list of examples with a cursor."""

    BINDINGS = keymap.LIST_BINDINGS
    HELP = (f"Columns: line, status ({STATUS_LEGEND}), tokens and a bar against the model's limit, "
            f"messages, preview. Messages: {ROLES_LEGEND}.")

    COMPONENT_CLASSES = {
        "example-list--cursor", "example-list--line", "example-list--error", "example-list--warning",
        "example-list--info", "example-list--ok", "example-list--pending", "example-list--tokens",
        "example-list--bar", "example-list--bar-over", "example-list--roles", "example-list--preview",
        "example-list--modified",
    }

    DEFAULT_CSS = """
    ExampleList {
        overflow-x: hidden;
        overflow-y: scroll;
        & > .example-list--cursor { background: $block-cursor-blurred-background; }
        &:focus > .example-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
        & > .example-list--line { color: $text-muted; }
        & > .example-list--error { color: $text-error; text-style: bold; }
        & > .example-list--warning { color: $text-warning; text-style: bold; }
        & > .example-list--info { color: $text-primary; }
        & > .example-list--ok { color: $text-success; }
        & > .example-list--pending { color: $text-muted; }
        & > .example-list--tokens { color: $text; }
        & > .example-list--bar { color: $text-primary; }
        & > .example-list--bar-over { color: $text-error; }
        & > .example-list--roles { color: $text-accent; }
        & > .example-list--preview { color: $text; }
        & > .example-list--modified { color: $text-warning; text-style: bold; }
    }
    """

    cursor: reactive[int] = reactive(0, repaint=False, always_update=True)

    @dataclass
    class Highlighted(Message):
        """The cursor moved to display row `row`."""

        list: "ExampleList"
        row: int

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, ExampleList.Highlighted)

    @dataclass
    class RowsShown(Message):
        """Display rows [first, first + count) are on screen now."""

        list: "ExampleList"
        first: int
        count: int

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, ExampleList.RowsShown)

    @dataclass
    class Opened(Message):
        """The user asked to open display row `row` in the viewer."""

        list: "ExampleList"
        row: int

    def __init__(self, state=None, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.state = state
        self.empty_text = ""        # set by the screen when the file cannot be opened at all
        self.count = 0
        self.line_digits = 4
        self.header = None          # the ListHeader over the rows (set by ReviewPanes), kept aligned by `reload`
        self._strips: LRUCache[tuple, Strip] = LRUCache(2048)
        self._styles: dict[str, Style] = {}

    # -- data -----------------------------------------------------------
    def set_state(self, state) -> None:
        self.state = state
        self.reload()

    def reload(self) -> None:
        """Re-read the row count (after growth, edits, filters) and repaint."""
        count = self.state.display_count() if self.state is not None else 0
        self.count = count
        total = len(self.state.index) if self.state is not None else 0
        self.line_digits = max(4, len(str(total)))
        if self.header is not None:
            self.header.show_columns(column_names(self.line_digits))
        self.virtual_size = Size(self.size.width, count)
        if self.cursor >= count and count:
            self.cursor = count - 1
        self.refresh()
        self.rows_shown()

    def rows_shown(self) -> None:
        """Say which rows are on screen (after a reload, a scroll or a resize)."""
        if self.count:
            height = self.scrollable_content_region.height or self.size.height
            self.post_message(self.RowsShown(self, self.scroll_offset.y, max(height, 1)))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._styles.clear()

    # -- cursor ---------------------------------------------------------
    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, self.count - 1)) if self.count else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        self.scroll_to_cursor()
        if self.count:
            self.post_message(self.Highlighted(self, new))

    def scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height or self.size.height
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif height and self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def move_to(self, row: int, center: bool = False) -> None:
        """Put the cursor on display row `row`, optionally centred, without animation."""
        self.cursor = row
        if center:
            height = self.scrollable_content_region.height or self.size.height
            self.scroll_to(y=max(0, self.cursor - height // 2), animate=False, immediate=True)

    @property
    def page_height(self) -> int:
        return max(1, (self.scrollable_content_region.height or self.size.height) - 1)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_page_down(self) -> None:
        """Scroll a page and keep the cursor at the same place on screen."""
        self.scroll_to(y=self.scroll_offset.y + self.page_height, animate=False, immediate=True)
        self.cursor += self.page_height

    def action_page_up(self) -> None:
        self.scroll_to(y=max(0, self.scroll_offset.y - self.page_height), animate=False, immediate=True)
        self.cursor -= self.page_height

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = self.count - 1

    def action_open(self) -> None:
        if self.count:
            self.post_message(self.Opened(self, self.cursor))

    def on_click(self, event: Click) -> None:
        row = self.scroll_offset.y + event.y
        if 0 <= row < self.count:
            self.cursor = row
            if event.chain >= 2:
                self.post_message(self.Opened(self, row))

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.count)
        self.scroll_to_cursor()
        self.rows_shown()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self.rows_shown()

    # -- rendering ------------------------------------------------------
    def empty_message(self) -> str:
        """What to say when there is no row to show (an empty list must not look like a broken one)."""
        if self.empty_text:
            return self.empty_text
        state = self.state
        if state is None:
            return ""
        if not state.index.complete:
            return "Reading the file…"
        if state.view is not None:
            return "No example matches this filter. Press esc to show every example, f to pick another filter."
        if state.index.size == 0:
            return "This file is empty: there is nothing to review. A fine-tuning file has one JSON object per line."
        if state.session is not None and len(state.session) == 0:
            return "No examples left: every line was deleted. Press u to undo."
        return "No examples."

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        row = self.scroll_offset.y + y
        if self.count == 0:
            lines = textwrap.wrap(self.empty_message(), max(10, width - 2))
            text = f" {lines[y]}" if y < len(lines) else ""
            return Strip([Segment(text, self.rich_style + self._style("pending"))]).crop_extend(0, width,
                                                                                               self.rich_style)
        if self.state is None or row >= self.count:
            return Strip.blank(width, self.rich_style)
        try:
            view = self.state.row_view(row)
        except (IndexError, OSError) as exc:  # the file vanished or shrank under us
            return Strip([Segment(f" line {row + 1}: cannot read ({exc})", self.rich_style)]).crop_extend(
                0, width, self.rich_style)
        is_cursor = row == self.cursor
        # A row still pending once the checker is done was never checked (binary file, the inner
        # lines of a pretty-printed object): say so rather than "…" forever.
        unchecked = view.status == PENDING and not view.modified and self.state.results.finished
        key = (view, is_cursor, self.has_focus, width, self.state.token_limit, self.line_digits, unchecked)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._render_row(view, is_cursor, width, unchecked)
            self._strips.set(key, strip)
        return strip

    def _preview_segments(self, preview: str, style, base) -> list[Segment]:
        """The preview, with the search's matches in reverse video."""
        pattern = self.state.highlight
        if pattern is None:
            return [Segment(preview, style)]
        out, at = [], 0
        for match in pattern.finditer(preview):
            if match.end() == match.start():
                continue
            out += [Segment(preview[at:match.start()], style), Segment(match.group(), style + MATCH_STYLE)]
            at = match.end()
        return out + [Segment(preview[at:], style)]

    def _style(self, name: str) -> Style:
        """The component's foreground only (resolved against the list's background, so `auto`
        colours work in light themes), to be laid over the row's base style."""
        style = self._styles.get(name)
        if style is None:
            full = self.get_component_rich_style(f"example-list--{name}")
            style = self._styles[name] = Style(color=full.color, bold=full.bold, italic=full.italic, dim=full.dim)
        return style

    def _render_row(self, view: RowView, is_cursor: bool, width: int, unchecked: bool = False) -> Strip:
        base = self.rich_style
        if is_cursor:
            base = base + self.get_component_rich_style("example-list--cursor")
        glyph, glyph_style = UNCHECKED if unchecked else GLYPHS[view.status]
        limit = self.state.token_limit
        over = bool(limit) and view.tokens > limit
        number = "new" if view.line is None else str(view.line)
        waiting = view.status == PENDING and not unchecked
        tokens = f"{view.tokens:>7,}" if view.tokens >= 0 else ("      …" if waiting else " " * 7)
        roles = view.roles if len(view.roles) <= 14 else view.roles[:13] + "…"
        plain = (lambda s: base) if is_cursor else (lambda s: base + self._style(s))
        segments = [
            Segment(f"{number:>{self.line_digits}} ", plain("line")),
            Segment(glyph, base + self._style(glyph_style)),
            Segment("*" if view.modified else " ", base + self._style("modified")),
            Segment(tokens + " ", plain("tokens")),
            Segment(token_bar(view.tokens, limit), base + self._style("bar-over" if over else "bar")),
            Segment(f" {roles:<14} ", plain("roles")),
            *self._preview_segments(view.preview, plain("preview"), base),
        ]
        return Strip(segments).crop_extend(0, width, base)
