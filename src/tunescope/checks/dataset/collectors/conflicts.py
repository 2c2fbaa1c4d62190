"""Conflicting outputs: the same input with different final outputs (label noise).

Keeps 20 bytes per example with both keys: 64-bit digests of the input side and of the
final output, and the position, in a KeyStore (spilled to partition files past its budget);
grouped with numpy once the file is done.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tunescope.checks.dataset.rows import Rows
from tunescope.checks.dataset.spill import KeyStore
from tunescope.checks.keys import as_int
from tunescope.checks.registry import W, check

if TYPE_CHECKING:
    from tunescope.checks.dataset.output import DatasetOutput

MAX_GROUPS = 1000            # conflict groups listed in stats (each with at most GROUP_LINES lines)
GROUP_LINES = 50
LINES_SHOWN = 6              # lines of a group quoted in each finding

CONFLICTING_OUTPUTS = check(
    "conflicting_outputs", W, "dataset", "Conflicting outputs",
    "The same input appears with different final outputs (label noise).")


class Conflicts:
    """Input and output digests; writes stats["conflicts"] ({groups of line numbers})."""

    checks = (CONFLICTING_OUTPUTS,)

    def __init__(self, rows: Rows):
        self.rows = rows
        self.inputs = KeyStore(valued=True)   # (input key, position, output key) of each example with both

    def add(self, summary, i: int) -> None:
        an = summary.analysis
        if an.input_key is not None and an.output_key is not None:
            self.inputs.add(as_int(an.input_key), i, as_int(an.output_key))

    def merge(self, other: Conflicts, offset: int) -> None:
        self.inputs.extend(other.inputs, offset)

    def finish(self, out: DatasetOutput) -> None:
        lines_of = self.rows.lines
        groups = []
        for idx, outs in self.inputs.runs(min_distinct=2):
            lines = [lines_of[i] for i in idx]
            if len(groups) < MAX_GROUPS:
                groups.append(lines[:GROUP_LINES])
            shown = ", ".join(map(str, lines[:LINES_SHOWN])) + (" ..." if len(lines) > LINES_SHOWN else "")
            for i in idx[1:]:
                out.add(CONFLICTING_OUTPUTS,
                        f"Line {lines_of[i]} has the same input as line {lines[0]} but a different final output "
                        f"({outs} different outputs among lines {shown}).",
                        "Decide which answer is right and make them agree (or delete the wrong ones): conflicting "
                        "labels teach the model to guess.", lines_of[i], i)
        out.stats["conflicts"] = {"groups": groups}

    def close(self) -> None:
        self.inputs.close()
