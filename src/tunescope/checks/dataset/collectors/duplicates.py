"""Exact duplicate examples (D02): rows whose canonical JSON is identical.

Keeps 12 bytes per example: the 64-bit digest of its canonical JSON and its position, in a
KeyStore (spilled to partition files past its budget), grouped with numpy once the file is done
(no per-example dict or set while it streams).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tunescope.checks.dataset.limits import PER_LINE_CAP
from tunescope.checks.dataset.rows import Rows
from tunescope.checks.dataset.spill import KeyStore
from tunescope.checks.keys import as_int
from tunescope.checks.registry import W, check
from tunescope.checks.report_sections import DuplicateSummary

if TYPE_CHECKING:
    from tunescope.checks.dataset.output import DatasetOutput

MAX_GROUPS = 1000            # duplicate groups listed in stats (each with at most GROUP_LINES lines)
GROUP_LINES = 50

DUPLICATE_EXAMPLE = check(
    "duplicate_example", W, "dataset", "Exact duplicate", "The example is identical to an earlier one (D02).",
    ref="D02", tags=("duplicates",))


class Duplicates:
    """Digests of whole examples; `finish` builds the report's DuplicateSummary (`summary`) and
    writes its JSON form to stats["duplicates"] ({rows, groups of line numbers})."""

    checks = (DUPLICATE_EXAMPLE,)

    def __init__(self, rows: Rows):
        self.rows = rows
        self.keys = KeyStore()          # (dedupe key, position in the rows) of each example with a key
        self.summary: DuplicateSummary | None = None   # set by finish()

    def add(self, summary, i: int) -> None:
        key = summary.analysis.dedupe_key
        if key is not None:
            self.keys.add(as_int(key), i)

    def merge(self, other: Duplicates, offset: int) -> None:
        self.keys.extend(other.keys, offset)

    def finish(self, out: DatasetOutput) -> None:
        lines_of = self.rows.lines
        groups = []
        rows = 0
        runs = self.keys.runs()
        for idx, _ in runs:
            if rows > PER_LINE_CAP and len(groups) >= MAX_GROUPS:
                break                   # nothing more is listed or reported: the total is counted below
            lines = [lines_of[i] for i in idx]
            rows += len(idx) - 1
            if len(groups) < MAX_GROUPS:
                groups.append(lines[:GROUP_LINES])
            for i in idx[1:]:
                if rows <= PER_LINE_CAP:
                    out.add(DUPLICATE_EXAMPLE, f"Line {lines_of[i]} is an exact duplicate of line {lines[0]}.",
                            "Delete the duplicate (the first occurrence is kept); duplicates over-weight one example.",
                            lines_of[i], i)
        self.summary = DuplicateSummary(rows=runs.rows(), groups=groups)
        out.stats["duplicates"] = self.summary.to_dict()

    def close(self) -> None:
        self.keys.close()
