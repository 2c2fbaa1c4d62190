"""Grouping equal 64-bit keys stored in compact arrays (duplicates, conflicts, overlaps).

Keys live in `array('Q')` with their line numbers in `array("I")` — 12 bytes
per example — and are grouped by sorting an index list at finish time, so no
per-example dict or set is kept while the file streams through.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterator


def equal_runs(keys: array) -> Iterator[list[int]]:
    """Indices of every run of equal keys of length > 1, runs ordered by first index."""
    n = len(keys)
    if n < 2:
        return iter(())
    order = sorted(range(n), key=keys.__getitem__)
    runs: list[list[int]] = []
    start = 0
    for pos in range(1, n + 1):
        if pos == n or keys[order[pos]] != keys[order[start]]:
            if pos - start > 1:
                runs.append(sorted(order[start:pos]))
            start = pos
    runs.sort(key=lambda r: r[0])
    return iter(runs)


class SortedKeys:
    """A read-only sorted copy of keys for membership and first-index lookups."""

    def __init__(self, keys: array):
        order = sorted(range(len(keys)), key=keys.__getitem__)
        self.keys = array("Q", (keys[i] for i in order))
        self.index = array("I", order)

    def find(self, key: int) -> int | None:
        """Smallest original index whose key equals `key`, or None."""
        pos = bisect_left(self.keys, key)
        if pos < len(self.keys) and self.keys[pos] == key:
            return self.index[pos]      # stable sort: equal keys keep original order
        return None
