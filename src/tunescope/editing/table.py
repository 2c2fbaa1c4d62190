"""Piece table behind `EditSession`: the current rows as a list of segments.

A segment is either a `Run` of consecutive lines of an indexed file (costs a
few ints however many lines it covers) or a `Piece`, one row held in memory
(an edited or inserted line). An untouched 1M-line file is one Run; a lookup
is a bisect over the segments' cumulative starts. Every change is a *splice*
(replace segments [k, k+len(old)) with new ones) so undo only has to keep the
segments it replaced, never a copy of the whole file.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from itertools import accumulate
from typing import Iterator

from tunescope.dataset.index import LineIndex, strip_terminator

READ_BLOCK = 8 << 20


class Run:
    """Lines [start, start + count) of `index`, exactly as on disk."""

    __slots__ = ("index", "start", "count")

    def __init__(self, index: LineIndex, start: int, count: int):
        self.index, self.start, self.count = index, start, count

    def __repr__(self) -> str:
        return f"Run({self.start}, {self.count})"


class Piece:
    """One row held in memory. `origin` is its line in `index` (None when inserted);
    `eol` the terminator that line had on disk (None: use the file's own)."""

    __slots__ = ("data", "index", "origin", "eol")
    count = 1

    def __init__(self, data: bytes, index: LineIndex | None = None, origin: int | None = None,
                 eol: bytes | None = None):
        self.data, self.index, self.origin, self.eol = data, index, origin, eol

    def __repr__(self) -> str:
        return f"Piece({self.data[:30]!r}, origin={self.origin})"


Segment = "Run | Piece"
Splice = tuple  # (k, old_segments, new_segments)


def line_eol(index: LineIndex, line: int) -> bytes | None:
    """The terminator line `line` has on disk (None for a last line without one).
    Files with one kind of line ending are answered without reading."""
    n = len(index)
    if line == n - 1 and not index.final_newline:
        return None
    terminated = n - (0 if index.final_newline else 1)
    if index.crlf_lines == 0:
        return b"\n"
    if index.crlf_lines == terminated:
        return b"\r\n"
    start, end = index.span(line)
    tail = index.read_range(max(start, end - 2), end)
    if tail.endswith(b"\r\n"):
        return b"\r\n"
    return b"\n" if tail.endswith(b"\n") else None


class PieceTable:
    """Ordered segments with O(log segments) row lookup and undoable splices."""

    def __init__(self, segments: list):
        self.segments: list = segments
        self._starts: array | None = None
        self._total = sum(s.count for s in segments)

    # -- lookup ---------------------------------------------------------
    def __len__(self) -> int:
        return self._total

    @property
    def starts(self) -> array:
        """Row number at which each segment begins (rebuilt lazily after a splice)."""
        if self._starts is None:
            self._starts = array("q", accumulate((s.count for s in self.segments[:-1]), initial=0)) \
                if self.segments else array("q")
        return self._starts

    def locate(self, row: int) -> tuple[int, int]:
        """(segment number, offset within it) of `row`."""
        if not 0 <= row < self._total:
            raise IndexError(f"row {row} out of range (0..{self._total - 1})")
        k = bisect_right(self.starts, row) - 1
        return k, row - self._starts[k]

    def segment_at(self, row: int):
        k, off = self.locate(row)
        return self.segments[k], off

    def get(self, row: int) -> bytes:
        seg, off = self.segment_at(row)
        if isinstance(seg, Piece):
            return seg.data
        return seg.index.line(seg.start + off)

    # -- changes --------------------------------------------------------
    def splice(self, k: int, n_old: int, new: list) -> Splice:
        old = self.segments[k:k + n_old]
        self.segments[k:k + n_old] = new
        self._total += sum(s.count for s in new) - sum(s.count for s in old)
        self._starts = None
        return (k, old, new)

    def undo_splice(self, sp: Splice) -> None:
        k, old, new = sp
        self.splice(k, len(new), old)

    def redo_splice(self, sp: Splice) -> None:
        k, old, new = sp
        self.splice(k, len(old), new)

    def _split_around(self, row: int, middle: list, keep_row: bool) -> Splice:
        """Replace the segment holding `row` by: before-part, `middle`, (row if keep_row), after-part."""
        k, off = self.locate(row)
        seg = self.segments[k]
        if isinstance(seg, Piece):
            new = middle + ([seg] if keep_row else [])
            return self.splice(k, 1, new)
        new = []
        if off:
            new.append(Run(seg.index, seg.start, off))
        new.extend(middle)
        if keep_row:
            new.append(Run(seg.index, seg.start + off, seg.count - off))
        elif off + 1 < seg.count:
            new.append(Run(seg.index, seg.start + off + 1, seg.count - off - 1))
        return self.splice(k, 1, new)

    def set_row(self, row: int, piece) -> Splice:
        return self._split_around(row, [piece], keep_row=False)

    def delete_row(self, row: int) -> Splice:
        return self._split_around(row, [], keep_row=False)

    def insert_before(self, row: int, pieces: list) -> Splice:
        """Insert `pieces` so that the first one becomes row `row` (row == len appends)."""
        if row == self._total:
            return self.splice(len(self.segments), 0, list(pieces))
        return self._split_around(row, list(pieces), keep_row=True)

    def replace_all(self, new: list) -> Splice:
        return self.splice(0, len(self.segments), new)

    # -- iteration ------------------------------------------------------
    def iter_segments(self) -> Iterator[tuple[int, object]]:
        """(first row, segment) for every segment."""
        row = 0
        for seg in self.segments:
            yield row, seg
            row += seg.count

    def iter_rows(self, start: int = 0) -> Iterator[bytes]:
        """Every row from `start`, reading original lines in large blocks."""
        for first, seg in self.iter_segments():
            if first + seg.count <= start:
                continue
            skip = max(0, start - first)
            if isinstance(seg, Piece):
                yield seg.data
            else:
                yield from iter_run_lines(seg.index, seg.start + skip, seg.count - skip)


def iter_run_lines(index: LineIndex, start: int, count: int) -> Iterator[bytes]:
    """Lines [start, start+count) of `index` without terminators, read in ~8 MB blocks."""
    starts = index.starts
    line, stop = start, start + count
    while line < stop:
        block_start = starts[line]
        # the lines starting within READ_BLOCK of block_start (always at least one)
        last = max(line, bisect_left(starts, block_start + READ_BLOCK, line + 1, stop) - 1)
        end = index.span(last)[1]
        data = index.read_range(block_start, end)
        for i in range(line, last + 1):
            a = starts[i] - block_start
            b = (starts[i + 1] - block_start) if i + 1 <= last else len(data)
            chunk = data[a:b]
            if i == 0 and index.has_bom:
                chunk = chunk[3:]
            yield strip_terminator(chunk)
        line = last + 1
