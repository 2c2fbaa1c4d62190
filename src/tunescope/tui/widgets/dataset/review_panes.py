"""The dataset screen's panes: the example list beside tabs for the example, the findings and the stats.

This widget knows which pane has focus and moves it, and keeps the viewer on
the row under the list cursor. Below 120 columns only one pane shows at a
time: a side pane replaces the list while it is open (the screen's
`-side-open` class, styled in app.tcss). Enter on the list opens the viewer;
escape in the viewer closes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import TabbedContent, TabPane

from tunescope.tui.widgets.dataset.example_list import ExampleList, column_names
from tunescope.tui.widgets.dataset.example_viewer import ExampleViewer
from tunescope.tui.widgets.dataset.list_header import ListHeader
from tunescope.tui.widgets.dataset.findings_pane import FindingsPane
from tunescope.tui.widgets.dataset.stats_pane import StatsPane

PANES = ("list", "viewer", "findings", "stats")
TAB_OF = {"viewer": "tab-example", "findings": "tab-findings", "stats": "tab-stats"}
EMPTY_FILE = "This file is empty: there is nothing to review. A fine-tuning file needs one JSON object per line."


class ReviewPanes(Horizontal):
    """The list and the side panes, one of which has focus."""

    @dataclass
    class AnalysisWanted(Message):
        """The viewer shows session row `row` (bytes `data`), of which no fresh analysis is known yet."""

        row: int
        data: bytes

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state = None                  # the DatasetState shown (set by the screen)
        self._wanted: str | None = None    # side pane asked for, until it takes focus
        self._pending = None               # the viewer's next redraw

    def compose(self) -> ComposeResult:
        with Vertical(id="list-column"):
            yield ListHeader(id="list-header")
            yield ExampleList(id="list")
        with TabbedContent(id="side", initial="tab-example"):
            with TabPane("Example", id="tab-example"):
                yield ExampleViewer(id="viewer")
            with TabPane("Findings", id="tab-findings"):
                yield FindingsPane(id="findings")
            with TabPane("Stats", id="tab-stats"):
                yield StatsPane(id="stats")

    def on_mount(self) -> None:
        rows = self.query_one(ExampleList)
        rows.header = self.query_one(ListHeader)
        rows.header.show_columns(column_names(rows.line_digits))
        rows.focus()

    @property
    def side_open(self) -> bool:
        return self.screen.has_class("-side-open")

    def current(self) -> str:
        """The pane that has focus (or is about to: focus moves after the next refresh)."""
        if self._wanted is not None:
            return self._wanted
        node = self.screen.focused
        while node is not None and node is not self:
            if node.id in PANES:
                return node.id
            node = node.parent
        return "list"

    def show(self, name: str) -> None:
        """Focus pane `name`; on narrow screens the side panes replace the list while open."""
        self._wanted = None if name == "list" else name
        self.screen.set_class(name != "list", "-side-open")
        if name == "list":
            self.query_one(ExampleList).focus()
            return
        self.query_one("#side", TabbedContent).active = TAB_OF[name]
        self.call_after_refresh(self._focus, name)

    def step(self, delta: int) -> None:
        """Focus the next (1) or previous (-1) pane."""
        self.show(PANES[(PANES.index(self.current()) + delta) % len(PANES)])

    def _focus(self, name: str) -> None:
        """Focus a side pane once it is shown (a hidden widget cannot take focus)."""
        if self._wanted == name:
            self._wanted = None
            self.query_one(f"#{name}").focus()

    @on(ExampleList.Opened)
    def _opened(self) -> None:
        self.show("viewer")

    @on(ExampleViewer.Closed)
    def _closed(self) -> None:
        self.show("list")

    # -- the viewer follows the list -----------------------------------------------------------------
    def set_state(self, state) -> None:
        self.state = state
        self.query_one(ExampleList).set_state(state)

    def current_row(self) -> int | None:
        """Session row under the list cursor (None when the list is empty)."""
        rows = self.query_one(ExampleList)
        return self.state.row_at(rows.cursor) if self.state is not None and rows.count else None

    @on(ExampleList.Highlighted)
    @on(TabbedContent.TabActivated, pane="#tab-example")
    def follow(self) -> None:
        """Show the row under the cursor in a moment (a burst of cursor moves draws the viewer once)."""
        if self._pending is not None:
            self._pending.stop()
        self._pending = self.set_timer(0.03, self.show_selected)

    def show_rows(self, reload: bool, rows_changed: bool, cursor: int | None, message: int | None) -> None:
        """Follow a change of the rows: reload the list (and redraw the viewer when `rows_changed`), put the
        cursor on display row `cursor` (centred) and the viewer's cursor on message `message` of that row."""
        rows = self.query_one(ExampleList)
        if reload or rows_changed:
            rows.reload()
        if rows_changed:
            self.show_selected(keep_cursor=True)
        if cursor is not None:
            rows.move_to(cursor, center=True)
        if message is not None:
            self.call_after_refresh(self._select_message, message)

    def _select_message(self, message_index: int) -> None:
        self.show_selected()
        self.query_one(ExampleViewer).select_message(message_index)

    def shown(self, data: bytes) -> None:
        """A fresh analysis of `data` came: redraw the viewer if it shows that row."""
        row = self.current_row()
        if row is not None and self.state.viewer_data(row) == data:
            self.show_selected(keep_cursor=True)

    def show_selected(self, keep_cursor: bool = False) -> None:
        row = self.current_row()
        viewer = self.query_one(ExampleViewer)
        if row is None:
            if self.state is not None and self.state.index.complete and self.state.index.size == 0:
                viewer.clear(EMPTY_FILE)
        elif not viewer.show_row(self.state, row, keep_cursor):
            self.post_message(self.AnalysisWanted(row, viewer.data))
