"""Piece table behind `EditSession`: the current rows as a list of segments.

A segment is either a `Run` of consecutive lines of an indexed file (costs a
few ints however many lines it covers) or a `Piece`, one row held in memory
(an edited or inserted line). An untouched 1M-line file is one Run; a lookup
is a bisect over the segments' cumulative starts. Every change is a *splice*
(replace segments [k, k+len(old)) with new ones) so undo only has to keep the
segments it replaced, never a copy of the whole file.

Everything that reasons about segments lives here, once: line endings
(`line_eol`), where a run's bytes lie when written (`run_bytes`, used by the
save and by the derived index of the written file), a replacement row that
keeps its origin (`piece_at`, used by single edits and bulk fixes), and the
whole-table rewrites of bulk fixes (`rewrite_rows`) and split (`select_rows`).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from itertools import accumulate
from typing import NamedTuple

from tunescope.dataset.index import BOM, LineIndex, strip_terminator

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


def terminated_lines(index: LineIndex) -> int:
    """How many of the file's lines end with a terminator (all but an unterminated last one)."""
    return len(index) - (0 if index.final_newline else 1)


def uniform_eol(index: LineIndex) -> bytes | None:
    """The terminator every terminated line of the file has, known without reading;
    None when the file mixes LF and CRLF."""
    if index.crlf_lines == 0:
        return b"\n"
    if index.crlf_lines == terminated_lines(index):
        return b"\r\n"
    return None


def line_eol(index: LineIndex, line: int) -> bytes | None:
    """The terminator line `line` has on disk (None for a last line without one).
    Files with one kind of line ending are answered without reading."""
    if line == len(index) - 1 and not index.final_newline:
        return None
    eol = uniform_eol(index)
    if eol is not None:
        return eol
    start, end = index.span(line)
    tail = index.read_range(max(start, end - 2), end)
    if tail.endswith(b"\r\n"):
        return b"\r\n"
    return b"\n" if tail.endswith(b"\n") else None


def piece_at(seg, off: int, data: bytes) -> Piece:
    """`data` in place of row `off` of `seg`, keeping the line it came from and that line's terminator."""
    if isinstance(seg, Piece):
        return Piece(data, seg.index, seg.origin, seg.eol)
    line = seg.start + off
    return Piece(data, seg.index, line, line_eol(seg.index, line))


class RunBytes(NamedTuple):
    """Where a run's lines lie on disk, as a save writes them (see `run_bytes`)."""

    start: int      # first byte (after a BOM on line 0)
    end: int        # past the last byte to copy (its terminator cut when `cut` > 0)
    cut: int        # terminator bytes cut from the run's last line (0, 1 for LF, 2 for CRLF)
    add_eol: bool   # the last line has no terminator on disk but needs one


def run_bytes(run: Run, unterminated: bool) -> RunBytes:
    """The byte range to copy for `run`. `unterminated`: its last line is the last row written
    and must end without a terminator (a file without a final newline)."""
    index = run.index
    start = index.starts[run.start] + (len(BOM) if run.start == 0 and index.has_bom else 0)
    end = index.span(run.start + run.count - 1)[1]
    tail_has_eol = not (run.start + run.count == len(index) and not index.final_newline)
    cut = 0
    if unterminated and tail_has_eol:
        cut = 2 if index.read_range(max(start, end - 2), end) == b"\r\n" else 1
    return RunBytes(start, end - cut, cut, not tail_has_eol and not unterminated)


def iter_segments(segments: list) -> Iterator[tuple[int, object]]:
    """(first row, segment) for every segment."""
    row = 0
    for seg in segments:
        yield row, seg
        row += seg.count


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
        return iter_segments(self.segments)

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


# -- whole-table rewrites (bulk fixes, split) ---------------------------------------
def rewrite_rows(segments: list, rows: dict[int, bytes | None]) -> list:
    """`segments` with row r replaced by rows[r] (deleted when None). Untouched rows stay
    (parts of) their Runs; a new row keeps the line it replaces and that line's terminator."""
    changed = sorted(rows)
    out: list = []
    for first, seg in iter_segments(segments):
        lo = bisect_left(changed, first)
        hi = bisect_left(changed, first + seg.count)
        if lo == hi:
            out.append(seg)
            continue
        if isinstance(seg, Piece):
            data = rows[first]
            if data is not None:
                out.append(piece_at(seg, 0, data))
            continue
        at = seg.start
        for row in changed[lo:hi]:
            line = seg.start + row - first
            if line > at:
                out.append(Run(seg.index, at, line - at))
            data = rows[row]
            if data is not None:
                out.append(piece_at(seg, line - seg.start, data))
            at = line + 1
        if at < seg.start + seg.count:
            out.append(Run(seg.index, at, seg.start + seg.count - at))
    return out


def select_rows(segments: list, keep: bytearray) -> list:
    """Segments holding only the rows r with keep[r] (runs of kept lines stay byte ranges)."""
    out: list = []
    for row, seg in iter_segments(segments):
        if isinstance(seg, Piece):
            if keep[row]:
                out.append(seg)
            continue
        run_start = None
        for off in range(seg.count):
            if keep[row + off]:
                if run_start is None:
                    run_start = off
            elif run_start is not None:
                out.append(Run(seg.index, seg.start + run_start, off - run_start))
                run_start = None
        if run_start is not None:
            out.append(Run(seg.index, seg.start + run_start, seg.count - run_start))
    return out
