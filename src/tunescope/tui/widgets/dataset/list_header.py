"""The column names over the example list, with the legend of its glyphs as tooltip.

The list's rows are drawn with the Line API and carry no labels: `A*`, `A0`,
`P C`, the status glyphs and the unnamed number columns were explained only in
help. This one-line header names each column over it (the list keeps it aligned
when its line-number width changes) and its tooltip spells out every glyph.
"""

from __future__ import annotations

from textual.widgets import Static

from tunescope.tui.widgets.dataset.example_list import ROLES_LEGEND, STATUS_LEGEND, column_names

LEGEND = f"status: {STATUS_LEGEND}\nlimit: a bar of the tokens against the model's limit\nroles: {ROLES_LEGEND}"


class ListHeader(Static):
    """One line of column names over the example list; the legend is its tooltip."""

    DEFAULT_CSS = """
    ListHeader {
        height: 1;
        width: 1fr;
        background: $surface;
        color: $text-muted;
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(column_names(4), id=id, markup=False)
        self.tooltip = LEGEND

    def show_columns(self, names: str) -> None:
        self.update(names)
