"""The rows a filter and a sort show, in display order, built in one pass over the rows.

`build_view` reads a `DatasetState` from a worker thread and returns a `View`;
the UI thread then sets it on the state (`DatasetState.view`). Rows None means
every row in file order, which costs nothing however big the file is.
"""

from __future__ import annotations

import threading
from array import array
from dataclasses import dataclass

from tunescope.review.filters import FilterSpec, filter_groups, row_predicate
from tunescope.review.state import DatasetState


@dataclass(frozen=True)
class View:
    """Session rows in display order (None: all rows, in order) and how the status bar names it."""

    rows: array | None
    description: str


def build_view(state: DatasetState, spec: FilterSpec | None, sort: str, cancel: threading.Event) -> View | None:
    """The rows kept by `spec` (all when None), sorted by `sort` ("line" or "tokens"); None when cancelled."""
    count = state.row_count()
    if spec is None:
        rows = None if sort == "line" else array("q", range(count))
        label = ""
    else:
        keep = row_predicate(state, spec)
        groups = filter_groups(state, spec)
        rows, placed = array("q"), set()
        for row in (row for group in groups for row in group):            # each group together, then...
            if row not in placed:
                placed.add(row)
                rows.append(row)
        for row in range(count):                                          # ...what no listed group holds
            if row % 4096 == 0 and cancel.is_set():
                return None
            if row not in placed and keep(row):
                rows.append(row)
        shown = f"{len(rows):,} in {len(groups):,} group{'s' * (len(groups) != 1)}" if groups else f"{len(rows):,}"
        label = f"filter: {spec.label} ({shown})"
    if sort == "tokens" and rows is not None:
        tokens = state.tokens
        rows = array("q", sorted(rows, key=lambda r: -tokens(r)))
        label = (label + ", " if label else "") + "sorted by tokens"
    return None if cancel.is_set() else View(rows, label)
