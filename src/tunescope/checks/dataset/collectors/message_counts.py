"""Messages per example (D05): a histogram while streaming, percentiles at the end. Stats only."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from tunescope.checks.dataset.rows import FORMAT_KINDS, Rows
from tunescope.checks.model import RecordKind

if TYPE_CHECKING:
    from tunescope.checks.dataset.output import DatasetOutput

COUNTED_KINDS = FORMAT_KINDS + (RecordKind.NEAR_MISS,)


class MessageCounts:
    """Histogram of messages per example; writes stats["messages_per_example"]."""

    checks = ()

    def __init__(self, rows: Rows):
        self.hist: Counter = Counter()

    def add(self, summary, i: int) -> None:
        an = summary.analysis
        if an.kind in COUNTED_KINDS:
            self.hist[an.n_messages] += 1

    def merge(self, other: MessageCounts, offset: int) -> None:
        self.hist.update(other.hist)

    def finish(self, out: DatasetOutput) -> None:
        out.stats["messages_per_example"] = distribution(self.hist)


def distribution(hist: Counter) -> dict | None:
    """min, p5, p50, p95, max and mean of a histogram {value: count}; None when it is empty."""
    total = sum(hist.values())
    if not total:
        return None
    values = sorted(hist)

    def pct(p: float) -> int:
        target = int(total * p)
        seen = 0
        for v in values:
            seen += hist[v]
            if seen > target:
                return v
        return values[-1]
    mean = sum(v * c for v, c in hist.items()) / total
    return {"min": values[0], "p5": pct(0.05), "p50": pct(0.5), "p95": pct(0.95), "max": values[-1],
            "mean": round(mean, 2)}
