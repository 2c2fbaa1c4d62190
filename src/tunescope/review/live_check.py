"""Checking the edited dataset as it is now, so findings, stats and counts follow every edit.

The checker reads files, so the session's rows (a snapshot of its segments,
immutable) are written to a private temporary file with the dataset's own
name, line endings and BOM, and checked exactly as the file would be after a
save: per-example, file-level and dataset-level findings, token stats and
cost. Unedited lines hit the result cache, so a re-check of a big file after
one edit costs a read, not a re-analysis. Findings are then put back on the
original line numbers the rest of the review uses (rows inserted by an edit
have none: their findings say "new row N"). Runs in a worker thread; the
caller cancels an outdated run through `cancel`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from array import array
from dataclasses import dataclass, field, replace

from tunescope.checks.model import CheckOptions
from tunescope.checks.report import CheckReport
from tunescope.checks.run.runner import DatasetChecker
from tunescope.dataset.index import LineIndex
from tunescope.editing.save import write_segments
from tunescope.editing.table import Run
from tunescope.tokens.encodings import EncodingUnavailable

LIVE_CHECK_MAX_BYTES = 512 * 1024 * 1024   # beyond this, findings follow saves only (a copy per edit is too much)


@dataclass(frozen=True)
class LiveCheckRequest:
    """The session's rows as they were when the check was asked for."""

    path: str                  # the dataset's path (its name and extension matter to the file checks)
    index: LineIndex           # the file the original line numbers refer to
    segments: tuple
    eol: bytes
    final_newline: bool
    has_bom: bool


@dataclass
class LiveReport:
    """The report of the edited rows, findings on original lines; `file_findings` are those of no line.
    `origins` maps a line of the report's stats (a written row) back: its 0-based original line, or -1."""

    report: CheckReport
    file_findings: list
    origins: array = field(default_factory=lambda: array("q"))


def origins(request: LiveCheckRequest) -> array:
    """0-based original line of each current row (-1 for a row with none: inserted, or from an older file)."""
    out = array("q")
    for seg in request.segments:
        if seg.index is not request.index:
            out.extend([-1] * seg.count)
        elif isinstance(seg, Run):
            out.extend(range(seg.start, seg.start + seg.count))
        else:
            out.append(-1 if seg.origin is None else seg.origin)
    return out


def relocate(findings: list, where: array) -> list:
    """Findings of the written rows, moved onto the original lines."""
    moved = []
    for f in findings:
        if f.line is None or not 0 < f.line <= len(where):
            moved.append(f)
            continue
        origin = where[f.line - 1]
        moved.append(replace(f, line=origin + 1) if origin >= 0 else
                     replace(f, line=None, message=f"new row {f.line}: {f.message}"))
    return moved


def approximate_bytes(segments) -> int:
    """About how many bytes the rows take (runs counted at their file's average line length)."""
    total = 0
    for seg in segments:
        if isinstance(seg, Run):
            total += seg.index.size * seg.count // max(1, len(seg.index))
        else:
            total += len(seg.data)
    return total


def check_rows(request: LiveCheckRequest, options: CheckOptions, allow_estimate: bool,
               cancel: threading.Event | None = None) -> LiveReport | None:
    """The report of the rows in `request` (None when cancelled or too big to copy)."""
    if approximate_bytes(request.segments) > LIVE_CHECK_MAX_BYTES:
        return None
    folder = tempfile.mkdtemp(prefix="tunescope-live-")
    try:
        copy = os.path.join(folder, os.path.basename(request.path) or "dataset.jsonl")
        fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            write_segments(fd, list(request.segments), request.eol, request.final_newline, request.has_bom)
        finally:
            os.close(fd)
        if cancel is not None and cancel.is_set():
            return None
        with LineIndex(copy) as index:
            index.build(cancel=cancel)
            try:
                checker = DatasetChecker(index, options, allow_estimate=allow_estimate)
            except EncodingUnavailable:         # the full check has said so already; counts are estimates
                checker = DatasetChecker(index, options, allow_estimate=True)
            report = checker.run(cancel=cancel)
        if report.cancelled or (cancel is not None and cancel.is_set()):
            return None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    file_findings = [f for f in report.findings if f.line is None]
    where = origins(request)
    report.findings = relocate(report.findings, where)
    report.file = request.path
    return LiveReport(report, file_findings, where)
