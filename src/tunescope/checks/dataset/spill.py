"""Per-example (key, position[, value]) records that spill to disk past a memory budget.

Duplicates, conflicts and the validation overlaps need every example's 64-bit digest until the
file is done: at two million examples that is tens of MB, and grouping it with a Python sort took
hundreds. A KeyStore keeps its records in compact arrays up to BUDGET bytes; past it, it appends
them to PARTITIONS temporary files picked by the key's high bits, in a private temporary directory
made on the first spill and removed by `close()` (or when the store is collected, or at exit, but
only by the process that made it). Equal keys always share a partition, so grouping reads one
partition at a time and sorts it with numpy: the peak is one partition's records, not the file's.

Records arrive in position order (chunks are merged in file order) and every step keeps that order
(stable sorts), so the groups are the same whether the store spilled or not, whatever the chunking.
A store travels between processes by pickle with its records inline: a worker's chunk (a few
thousand rows) never comes near the budget, and a spilled one reads its files back into the pickle.
numpy is imported only where records are spilled or grouped (main process, end of the file).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from array import array
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

BUDGET = 2 << 20          # bytes of records held in memory before they go to the partition files
PARTITIONS = 16           # files, by the key's top 4 bits
_SHIFT = 60


def _remove(path: str, owner: int) -> None:
    if os.getpid() == owner:      # a forked child never removes its parent's files
        shutil.rmtree(path, ignore_errors=True)


def _dtype(valued: bool):
    import numpy as np
    fields = [("key", "<u8"), ("pos", "<u4")] + ([("value", "<u8")] if valued else [])
    return np.dtype(fields)


class KeyStore:
    """Records of (64-bit key, 32-bit position) and, if `valued`, a 64-bit value each, in position order."""

    def __init__(self, valued: bool = False):
        self.valued = valued
        self.keys = array("Q")
        self.positions = array("I")
        self.values = array("Q") if valued else None
        self.spilled = 0              # records in the partition files
        self._dir: str | None = None
        self._cleanup = None

    # -- streaming ------------------------------------------------------
    def add(self, key: int, pos: int, value: int = 0) -> None:
        self.keys.append(key)
        self.positions.append(pos)
        if self.values is not None:
            self.values.append(value)

    def extend(self, other: KeyStore, offset: int) -> None:
        """Append a store built over the rows that follow (its position p is offset + p here)."""
        if other.spilled:
            other = other._inline()
        self.keys.extend(other.keys)
        self.positions.extend(array("I", (p + offset for p in other.positions)))
        if self.values is not None:
            self.values.extend(other.values)
        if len(self.keys) * self._width() > BUDGET:
            self._spill()

    def __len__(self) -> int:
        return self.spilled + len(self.keys)

    def _width(self) -> int:
        return 20 if self.valued else 12

    # -- disk -------------------------------------------------------------
    def _memory_records(self) -> np.ndarray:
        import numpy as np
        rec = np.empty(len(self.keys), _dtype(self.valued))
        rec["key"] = np.frombuffer(self.keys, np.uint64) if len(self.keys) else 0
        rec["pos"] = np.frombuffer(self.positions, np.uint32) if len(self.keys) else 0
        if self.values is not None and len(self.keys):
            rec["value"] = np.frombuffer(self.values, np.uint64)
        return rec

    def _spill(self) -> None:
        import numpy as np
        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix="tunescope-spill-")
            self._cleanup = weakref.finalize(self, _remove, self._dir, os.getpid())
        rec = self._memory_records()
        part = (rec["key"] >> np.uint64(_SHIFT)).astype(np.intp)
        rec = rec[np.argsort(part, kind="stable")]
        bounds = np.concatenate(([0], np.cumsum(np.bincount(part, minlength=PARTITIONS))))
        del part
        for p in range(PARTITIONS):
            if bounds[p + 1] > bounds[p]:
                with open(self._file(p), "ab") as f:
                    f.write(rec[bounds[p]:bounds[p + 1]].tobytes())
        self.spilled += len(rec)
        self.keys, self.positions = array("Q"), array("I")
        if self.values is not None:
            self.values = array("Q")

    def _file(self, p: int) -> str:
        assert self._dir is not None
        return os.path.join(self._dir, f"part{p:02d}.bin")

    def _partitions(self) -> Iterator[np.ndarray]:
        """Every record, a partition at a time (all at once if nothing spilled), each in position order."""
        import numpy as np
        memory = self._memory_records()
        if not self.spilled:
            yield memory
            return
        part = (memory["key"] >> np.uint64(_SHIFT)).astype(np.intp)
        for p in range(PARTITIONS):
            path = self._file(p)
            disk = np.fromfile(path, _dtype(self.valued)) if os.path.exists(path) else memory[:0]
            yield np.concatenate((disk, memory[part == p]))   # spilled records all precede those in memory

    def records(self) -> np.ndarray:
        """All records in position order (for a validation file: usually small)."""
        import numpy as np
        if not self.spilled:
            return self._memory_records()
        rec = np.concatenate(list(self._partitions()))
        return rec[np.argsort(rec["pos"], kind="stable")]

    def _inline(self) -> KeyStore:
        copy = KeyStore(self.valued)
        rec = self.records()
        copy.keys.frombytes(rec["key"].tobytes())
        copy.positions.frombytes(rec["pos"].tobytes())
        if copy.values is not None:
            copy.values.frombytes(rec["value"].tobytes())
        return copy

    def close(self) -> None:
        """Remove the partition files (the store is empty afterwards)."""
        if self._cleanup is not None:
            self._cleanup()
        self._dir, self._cleanup, self.spilled = None, None, 0
        self.keys, self.positions = array("Q"), array("I")
        if self.values is not None:
            self.values = array("Q")

    def __getstate__(self) -> dict:
        src = self._inline() if self.spilled else self
        return {"valued": self.valued, "keys": src.keys, "positions": src.positions, "values": src.values}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["valued"])
        self.keys, self.positions, self.values = state["keys"], state["positions"], state["values"]

    # -- grouping ---------------------------------------------------------
    def runs(self, min_distinct: int = 1) -> EqualRuns:
        """Runs of two or more records with equal keys (and at least `min_distinct` different values)."""
        return EqualRuns(self, min_distinct)

    def first_positions(self, queries: np.ndarray) -> np.ndarray:
        """For each query key, the smallest position holding it, or -1."""
        import numpy as np
        queries = np.asarray(queries, np.uint64)
        out = np.full(len(queries), -1, np.int64)
        qpart = (queries >> np.uint64(_SHIFT)).astype(np.intp)
        for p, rec in enumerate(self._partitions()):
            sel = np.arange(len(queries)) if not self.spilled else np.flatnonzero(qpart == p)
            if not len(sel) or not len(rec):
                continue
            order = np.argsort(rec["key"], kind="stable")
            keys = rec["key"][order]
            at = np.minimum(np.searchsorted(keys, queries[sel]), len(keys) - 1)
            hit = keys[at] == queries[sel]
            out[sel[hit]] = rec["pos"][order[at[hit]]]
        return out


class EqualRuns:
    """The runs of a KeyStore, ordered by first position, each with its positions ascending."""

    def __init__(self, store: KeyStore, min_distinct: int):
        import numpy as np
        firsts, lengths, distinct, members = [], [], [], []
        for rec in store._partitions():
            if len(rec) < 2:
                continue
            keys = rec["key"]
            order = np.argsort(keys, kind="stable")
            sorted_keys = keys[order]
            starts = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
            sizes = np.diff(np.append(starts, len(keys)))
            if store.valued:
                by_value = np.lexsort((rec["value"], keys))          # same key spans as `order`
                k, v = keys[by_value], rec["value"][by_value]
                new = np.concatenate(([True], (k[1:] != k[:-1]) | (v[1:] != v[:-1])))
                counts = np.add.reduceat(new.astype(np.int64), starts)
            else:
                counts = np.ones(len(starts), np.int64)
            keep = (sizes > 1) & (counts >= min_distinct)
            if not keep.any():
                continue
            member_mask = np.repeat(keep, sizes)
            pos = rec["pos"][order][member_mask]
            firsts.append(rec["pos"][order[starts[keep]]])
            lengths.append(sizes[keep])
            distinct.append(counts[keep])
            members.append(pos)
        if firsts:
            first = np.concatenate(firsts)
            by_first = np.argsort(first, kind="stable")
            self.lengths = np.concatenate(lengths)
            offsets = np.concatenate(([0], np.cumsum(self.lengths)[:-1]))
            self._order = by_first
            self._offsets = offsets
            self._distinct = np.concatenate(distinct)
            self._members = np.concatenate(members)
        else:
            self.lengths = np.empty(0, np.int64)
            self._order = self._offsets = self._distinct = self.lengths
            self._members = np.empty(0, np.uint32)

    def __len__(self) -> int:
        return len(self.lengths)

    def rows(self) -> int:
        """Records in runs beyond each run's first."""
        return int(self.lengths.sum()) - len(self.lengths)

    def __iter__(self) -> Iterator[tuple[list[int], int]]:
        """(positions of the run, number of distinct values) in order of first position."""
        for r in self._order.tolist():
            lo = int(self._offsets[r])
            yield self._members[lo:lo + int(self.lengths[r])].tolist(), int(self._distinct[r])
