"""The shape of a dataset rule: a collector that owns its state, its merge and its findings.

Checking is map-reduce. Worker processes feed each collector the examples of one chunk
(`add`), the main process appends the chunks in file order (`merge`), and once the file is
done `finish` writes findings and stats. Merging a collector over lines 1..k with one over
lines k+1..n must equal feeding all n lines to one collector (tests/unit/test_checker.py runs
every collector both ways). Per-example state belongs in compact arrays: files have millions
of rows. docs/recipes/dataset-checks.md says how to add one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol, Self

from tunescope.checks.findings import Finding
from tunescope.checks.registry import Check

if TYPE_CHECKING:
    from tunescope.checks.dataset.output import DatasetOutput
    from tunescope.checks.dataset.rows import Rows
    from tunescope.checks.model import ExampleSummary


class Collector(Protocol):
    """One dataset rule (or a few that share their state). Built as `cls(rows)`: `rows` is the
    aggregator's shared table of line numbers and kinds, already holding row `i` when `add` runs."""

    checks: ClassVar[tuple[Check, ...]]     # the checks it declares and emits

    def __init__(self, rows: Rows) -> None: ...

    def add(self, summary: ExampleSummary, i: int) -> None:
        """Take in example `i` (0-based position in this collector's rows)."""

    def merge(self, other: Self, offset: int) -> None:
        """Append a collector built over the rows that follow; its row i is row offset + i here."""

    def finish(self, out: DatasetOutput) -> None:
        """Write findings (`out.add(CHECK, ...)`) and stats (`out.stats[...]`)."""


class RowTableRule:
    """Base of the collectors whose rule reads only the shared row table: nothing to add or merge
    (the aggregator does not call their `add` at all: it runs for every example)."""

    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    def add(self, summary: ExampleSummary, i: int) -> None:
        pass

    def merge(self, other: Self, offset: int) -> None:
        pass


def dataset_finding(check: Check, message: str, hint: str = "", line: int | None = None,
                    example: int | None = None, path: str = "$") -> Finding:
    """A dataset finding; `path` applies only to a finding on a line (else it concerns the file: "")."""
    return Finding(check.id, check.severity, message, hint, line, example, None, path if line else "")
