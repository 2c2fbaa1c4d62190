"""The line index of a file we just wrote, derived from what we wrote instead of re-scanning it.

After an in-place save the session must continue on the new file. Re-scanning
1 GB takes seconds; the new line starts are the old ones shifted per segment,
which is arithmetic on the old index's offsets. The runs are laid out by
`table.run_bytes`, the function `save.write_segments` copies them with, and the
result is checked before use (size, and the byte before sampled line starts
must be a newline); on any doubt, or for files with mixed line endings (whose
CRLF count would need a scan), it returns None and the caller indexes the file
normally.
"""

from __future__ import annotations

import os
from array import array

from tunescope.dataset.index import BOM, LineIndex
from tunescope.editing.table import Piece, Run, run_bytes, uniform_eol

SAMPLES = 64


def _crlf_in_run(run: Run) -> int | None:
    """How many of the run's lines end with CRLF, if knowable without reading them."""
    eol = uniform_eol(run.index)
    if eol is None:
        return None
    if eol == b"\n":
        return 0
    ends_file = run.start + run.count == len(run.index)
    return run.count - (1 if ends_file and not run.index.final_newline else 0)


def derive_index(target: str, segments: list, eol: bytes, final_newline: bool, bom: bool,
                 written: int) -> LineIndex | None:
    if not segments or written == 0:
        return None
    starts = array("q")
    pos = len(BOM) if bom else 0
    crlf = 0
    last = len(segments) - 1
    for k, seg in enumerate(segments):
        at_end = k == last
        if isinstance(seg, Piece):
            starts.append(pos)
            pos += len(seg.data)
            if not at_end or final_newline:
                term = seg.eol or eol
                pos += len(term)
                crlf += term == b"\r\n"
            continue
        if seg.count == 0:
            continue
        n_crlf = _crlf_in_run(seg)
        if n_crlf is None:
            return None
        span = run_bytes(seg, unterminated=at_end and not final_newline)
        starts.append(pos)
        if seg.count > 1:
            starts.extend(map((pos - span.start).__add__, seg.index.starts[seg.start + 1:seg.start + seg.count]))
        pos += span.end - span.start
        crlf += n_crlf - (span.cut == 2)
        if span.add_eol:
            pos += len(eol)
            crlf += eol == b"\r\n"
    starts[0] = 0
    if pos != written:
        return None
    if len(starts) > 1 and starts[-1] >= written:  # an empty last row without terminator is no line
        starts.pop()
    ix = LineIndex(target)
    if ix.size != written or not _looks_right(ix, starts):
        ix.close()
        return None
    try:
        ix._starts = starts
        ix.crlf_lines = crlf
        ix.has_bom = bom
        ix.final_newline = ix.read_range(written - 1, written) == b"\n"
        ix.scanned_bytes = written
        ix._done.set()
    except AttributeError:  # LineIndex internals changed: scan instead
        ix.close()
        return None
    return ix


def _looks_right(ix: LineIndex, starts: array) -> bool:
    n = len(starts)
    picks = {1, n - 1} | {1 + (i * (n - 1)) // SAMPLES for i in range(SAMPLES)}
    for i in sorted(p for p in picks if 0 < p < n):
        if os.pread(ix.fd, 1, starts[i] - 1) != b"\n":
            return False
    return True
