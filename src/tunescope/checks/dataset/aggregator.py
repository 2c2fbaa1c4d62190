"""Dataset-level checks, fed one ExampleSummary at a time (possibly a million of them).

The aggregator keeps the row table every rule shares (line number and kind of each example)
and runs the collectors in COLLECTORS, each owning its state, its merge and its findings
(see collector.py). Per example the whole set keeps ~45 bytes in arrays; texts are kept only
for the bounded sets of distinct system prompts, replies and grader key sets.
"""

from __future__ import annotations

from typing import TypeVar

from tunescope.checks.dataset.collector import Collector, RowTableRule
from tunescope.checks.dataset.collectors import COLLECTORS, compare_validation
from tunescope.checks.dataset.output import DatasetOutput
from tunescope.checks.dataset.rows import Rows
from tunescope.checks.findings import Finding
from tunescope.checks.model import CheckOptions, ExampleSummary

C = TypeVar("C", bound=Collector)


class DatasetAggregator:
    """Streams example summaries; `finish()` produces the dataset findings and statistics."""

    def __init__(self, options: CheckOptions | None = None, collectors: tuple[type[Collector], ...] = COLLECTORS):
        self.options = options or CheckOptions()
        self.rows = Rows(self.options.method)
        self.collectors: list[Collector] = [cls(self.rows) for cls in collectors]
        self._adders = _adders(self.collectors)

    def add(self, summary: ExampleSummary) -> None:
        i = self.rows.add(summary)
        for add in self._adders:
            add(summary, i)

    def merge(self, other: DatasetAggregator) -> None:
        """Append an aggregator built over the rows that follow this one's (a worker's chunk)."""
        offset = self.rows.n
        self.rows.merge(other.rows)
        for mine, theirs in zip(self.collectors, other.collectors, strict=True):
            mine.merge(theirs, offset)

    def finish(self) -> tuple[list[Finding], dict]:
        """(findings, stats) of every collector, in COLLECTORS order."""
        out = DatasetOutput(self.rows, self.options)
        for collector in self.collectors:
            collector.finish(out)
        self.omitted = out.omitted          # findings past the per-check cap, only counted
        return out.findings, out.stats

    def close(self) -> None:
        """Drop what collectors spilled to temporary files (they are empty afterwards)."""
        for collector in self.collectors:
            close = getattr(collector, "close", None)
            if close is not None:
                close()

    def collector(self, cls: type[C]) -> C:
        """This aggregator's collector of class `cls`."""
        for c in self.collectors:
            if type(c) is cls:
                return c
        raise LookupError(f"no {cls.__name__} collector")

    def compare_validation(self, other: DatasetAggregator) -> list[Finding]:
        """Findings on the validation file `other` (its lines) for rows also in this training file."""
        return compare_validation(self, other)

    def __getstate__(self) -> dict:
        return {"options": self.options, "rows": self.rows, "collectors": self.collectors}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._adders = _adders(self.collectors)


def _adders(collectors: list[Collector]) -> list:
    """The `add` of each collector that has one (runs per example: the row-table rules are skipped)."""
    return [c.add for c in collectors if type(c).add is not RowTableRule.add]
