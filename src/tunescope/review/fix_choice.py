"""Which bulk fixes fit the file: a pretty-printed file or JSON array is converted to JSONL first.

In such a file a physical line is a piece of an object, not a row: "Drop
invalid lines" offered to delete all 400 lines of a 25-object file. Until the
rows are JSONL (the live report of the edited rows says so), the menu lists
Convert to JSONL first and the line-based fixes explain why they wait.
"""

from __future__ import annotations

from tunescope.dataset.filefacts import ARRAY, PRETTY
from tunescope.editing.fixes.jsonl import TO_JSONL
from tunescope.editing.fixes.registry import menu_entries


def document_layout(state) -> str | None:
    """PRETTY or ARRAY while the rows of `state` (a DatasetState) are one JSON document, else None."""
    report = state.shown_report if state is not None else None
    layout = getattr(getattr(report, "facts", None), "layout", None)
    return layout if layout in (PRETTY, ARRAY) else None


def fix_entries(state) -> list[tuple[str, str, str]]:
    """The fixes menu for this file: (name, label, description), Convert to JSONL first for a document."""
    entries = menu_entries()
    if document_layout(state):
        entries.sort(key=lambda entry: entry[0] != TO_JSONL.name)
    return entries


def document_refusal(state, name: str) -> str | None:
    """Why fix `name` must wait for the conversion to JSONL (None: it can run)."""
    layout = document_layout(state)
    if layout is None or name == TO_JSONL.name:
        return None
    report = state.shown_report
    what = "pretty-printed JSON" if layout == PRETTY else "one JSON array"
    return (f"This file is {what}: its {report.examples:,} objects span {report.lines:,} lines, so its lines "
            "are parts of objects, not rows. Convert to JSONL first (top of this menu); this fix works on "
            "JSONL rows.")
