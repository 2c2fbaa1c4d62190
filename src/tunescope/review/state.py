"""The open dataset as a review sees it: rows, per-row results, the overlay of edited rows, the view.

Pure Python (no Textual) so it can be read from worker threads and tested
alone; only UI-thread handlers change it. Rows come from the `EditSession`
once the index is complete (before that, straight from the `LineIndex`).
Per-row results are compact arrays keyed by the original line (1 byte of
status + 4 bytes of tokens per line), so a million-line file costs a few MB;
findings are kept only for rows that have some. Rows edited in this session
are re-analysed and looked up by a digest of their bytes, which stays right
across undo and redo. Reading never writes: which edited rows still need an
analysis is asked (`unanalysed`), not collected while drawing.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache

from tunescope.checks.findings import Finding, Severity
from tunescope.dataset.filefacts import ARRAY, PRETTY
from tunescope.checks.example.privacy.sensitive import (EMAIL_ADDRESS, IBAN_NUMBER, PAYMENT_CARD_NUMBER, PHONE_NUMBER,
                                                        SECRET_IN_TEXT)
from tunescope.dataset.records import RowInfo, printable, row_info
from tunescope.review.documents import DocumentMap
from tunescope.editing.table import Run

PENDING, OK, INFO, WARNING, ERROR = 0, 1, 2, 3, 4
SEVERITY_CODE = {None: OK, Severity.INFO: INFO, Severity.WARNING: WARNING, Severity.ERROR: ERROR}


def severity_code(findings) -> int:
    best = OK
    for f in findings:
        code = SEVERITY_CODE[f.severity]
        if code > best:
            best = code
    return best


_BIG = 1 << 20
_last_big: tuple[bytes, bytes] = (b"", b"")     # (data, digest) of the last big row: the viewer asks 3 times


def digest(data: bytes) -> bytes:
    global _last_big
    if len(data) > _BIG:
        seen, known = _last_big
        if seen is data:
            return known
        _last_big = (data, hashlib.blake2b(data, digest_size=12).digest())
        return _last_big[1]
    return hashlib.blake2b(data, digest_size=12).digest()


@dataclass(frozen=True, slots=True)
class RowView:
    """Everything one list row shows."""

    key: Any                # identity of the row's content (for caches)
    line: int | None        # 1-based original line, None for inserted rows
    status: int
    tokens: int             # -1 while unknown
    roles: str
    preview: str
    modified: bool


PRIVACY_CHECKS = frozenset(c.id for c in (SECRET_IN_TEXT, EMAIL_ADDRESS, PHONE_NUMBER, PAYMENT_CARD_NUMBER, IBAN_NUMBER))


class RowResults:
    """What the checker found, per original line."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.status = bytearray()
        self.tokens = array("i")
        self.findings: dict[int, list[Finding]] = {}
        self.redacted: dict[int, str] = {}   # the checker's redacted preview of lines holding secrets or personal data
        self.dataset_findings: list[Finding] = []
        self.checked = 0
        self.estimated = False
        self.finished = False       # the checker is done (or failed): pending lines will stay unchecked

    def ensure(self, n: int) -> None:
        if len(self.status) < n:
            grow = n - len(self.status)
            self.status.extend(bytes(grow))
            self.tokens.extend(array("i", [-1]) * grow)

    def add(self, summary) -> None:
        """Store one ExampleSummary from the checker."""
        i = summary.line - 1
        self.ensure(i + 1)
        findings = list(summary.findings)
        self.status[i] = severity_code(findings)
        if summary.tokens is not None:
            self.tokens[i] = min(summary.tokens.total, 2**31 - 1)
            if summary.tokens.estimated:
                self.estimated = True
        if findings:
            self.findings[i] = findings
        else:
            self.findings.pop(i, None)
        if any(f.check in PRIVACY_CHECKS for f in findings):
            self.redacted[i] = summary.analysis.preview
        else:
            self.redacted.pop(i, None)
        self.checked += 1

    def add_dataset_findings(self, findings) -> None:
        """Attach dataset-level findings (duplicates, ...) to their lines."""
        self.dataset_findings = []
        for f in findings:
            if f.line is None:
                self.dataset_findings.append(f)
                continue
            i = f.line - 1
            self.ensure(i + 1)
            have = self.findings.setdefault(i, [])
            if f not in have:
                have.append(f)
            code = SEVERITY_CODE[f.severity]
            if code > self.status[i]:
                self.status[i] = code


class DatasetState:
    """Rows of the dataset, their results, and the filtered/sorted view."""

    def __init__(self, index, token_limit: int | None = None) -> None:
        self.index = index
        self.session = None
        self.results = RowResults()
        self.overlay: dict[bytes, Any] = {}          # digest of edited bytes -> ExampleSummary
        self.token_limit = token_limit
        self.view: array | None = None               # display row -> session row
        self.view_description = ""
        self.sort = "line"
        self._info: LRUCache = LRUCache(maxsize=4096)
        self.viewer_cache: LRUCache = LRUCache(maxsize=64)  # ("v", digest) -> ExampleSummary for the viewer
        self.report = None
        self.file_findings: list[Finding] = []        # the report's findings of no line (file, dataset)
        self.live = None                              # LiveReport of the edited rows (None: as on disk)
        self.documents: DocumentMap | None = None     # the objects of a pretty-printed file or JSON array
        self.highlight = None                         # the search's compiled pattern, for list and viewer
        self.format = ""
        self.past_status: dict[int, tuple] = {}      # id(index) -> (index, statuses) of files before a save

    # -- rows ---------------------------------------------------------
    def attach_session(self, session) -> None:
        self.session = session

    def switch_index(self, index) -> None:
        """Continue on another file (after a save): what was read from the old one is forgotten.

        Its per-line statuses are kept: undoing past the save brings back runs of the old
        file's lines, and the error/warning counts still need them.
        """
        self.past_status[id(self.index)] = (self.index, self.results.status)
        self.index = index
        self.documents = None       # the re-check of the written file says again what its lines are
        self.overlay.clear()
        self._info.clear()          # keyed by original line: line i of the new file is other bytes

    def row_count(self) -> int:
        if self.session is not None:
            return len(self.session)
        n = len(self.index)
        # while scanning, the last known line's end is not known yet
        return n if self.index.complete else max(0, n - 1)

    def display_count(self) -> int:
        return len(self.view) if self.view is not None else self.row_count()

    def row_at(self, display_row: int) -> int:
        return self.view[display_row] if self.view is not None else display_row

    def display_of(self, row: int) -> int | None:
        """Display position of a session row (None when filtered out)."""
        if self.view is None:
            return row if 0 <= row < self.row_count() else None
        try:
            return self.view.index(row)
        except ValueError:
            return None

    def data(self, row: int) -> bytes:
        return self.session.get(row) if self.session is not None else self.index.line(row)

    def origin(self, row: int) -> int | None:
        return self.session.origin(row) if self.session is not None else row

    def modified(self, row: int) -> bool:
        return self.session is not None and self.session.is_modified(row)

    def row_for_line(self, line: int) -> int | None:
        """Session row currently holding original 1-based `line`."""
        target = line - 1
        if self.session is not None:
            return self.session.row_of(target)
        return target if 0 <= target < self.row_count() else None

    # -- results ------------------------------------------------------
    def check_finished(self, report) -> None:
        """The checker's report: dataset-level findings join their lines, and the file's format is known."""
        self.report = report
        self.live = None
        self.file_findings = [f for f in report.findings if f.line is None]
        if getattr(report.facts, "layout", None) in (PRETTY, ARRAY):    # objects are reported on first lines
            starts = [m.start() for m in re.finditer(rb"[^\x00]", self.results.status)]
            self.documents = DocumentMap(starts, len(self.index)) if starts else None
            self._info.clear()      # previews drawn while checking read the lines as rows
        self.results.finished = True
        self.results.add_dataset_findings(report.findings)
        self.results.estimated = self.results.estimated or not getattr(report, "exact_tokens", True)
        self.format = report.format

    @property
    def shown_report(self):
        """The report the panes show: of the edited rows when there is one, else of the file on disk."""
        return self.live.report if self.live is not None else self.report

    def file_counts(self) -> tuple[int, int]:
        """Errors and warnings about the whole file or dataset (no line), for the edited rows when checked."""
        findings = self.live.file_findings if self.live is not None else self.file_findings
        return (sum(f.severity is Severity.ERROR for f in findings),
                sum(f.severity is Severity.WARNING for f in findings))

    def summary_for(self, row: int):
        """The fresh analysis of an edited row, if we have one."""
        if not self.modified(row):
            return None
        return self.overlay.get(digest(self.data(row)))

    def unanalysed(self, display_rows: range) -> list[tuple[bytes, bytes, int]]:
        """(digest, bytes, 1-based line) of the edited rows among `display_rows` with no analysis yet."""
        out: dict[bytes, tuple[bytes, bytes, int]] = {}
        count = self.display_count()
        for d in display_rows:
            if not 0 <= d < count:
                continue
            row = self.row_at(d)
            if not self.modified(row):
                continue
            data = self.data(row)
            key = digest(data)
            if key not in self.overlay and key not in out:
                origin = self.origin(row)
                out[key] = (key, data, (origin if origin is not None else row) + 1)
        return list(out.values())

    def object_line(self, row: int) -> int | None:
        """For a line of a pretty-printed file: the 0-based first line of its object (None otherwise)."""
        if self.documents is None or self.modified(row):
            return None
        span = self.documents.span(self.origin(row))
        return None if span is None else span[1]

    def viewer_data(self, row: int) -> bytes:
        """What the viewer shows for a row: the whole object for a line of a pretty-printed file."""
        first = self.object_line(row)
        if first is not None:
            data = self.documents.object_bytes(first, self.index.line)
            if data is not None:
                return data
        return self.data(row)

    def status(self, row: int) -> int:
        if (first := self.object_line(row)) is not None:
            return self.results.status[first] if first < len(self.results.status) else PENDING
        if self.modified(row):
            summary = self.overlay.get(digest(self.data(row)))
            return severity_code(summary.findings) if summary is not None else PENDING
        o = self.origin(row)
        return self.results.status[o] if o is not None and o < len(self.results.status) else PENDING

    def tokens(self, row: int) -> int:
        if self.modified(row):
            summary = self.overlay.get(digest(self.data(row)))
            return summary.tokens.total if summary is not None and summary.tokens is not None else -1
        o = self.origin(row)
        return self.results.tokens[o] if o is not None and o < len(self.results.tokens) else -1

    def findings(self, row: int) -> list[Finding]:
        if (first := self.object_line(row)) is not None:
            return list(self.results.findings.get(first, ()))
        if self.modified(row):
            summary = self.overlay.get(digest(self.data(row)))
            return list(summary.findings) if summary is not None else []
        o = self.origin(row)
        return list(self.results.findings.get(o, ())) if o is not None else []

    def analysis_of(self, data: bytes):
        """A fresh analysis of these bytes, if one was made (after an edit, or for the viewer)."""
        key = digest(data)
        return self.overlay.get(key) or self.viewer_cache.get(("v", key))

    def viewer_findings(self, row: int, summary) -> list[Finding]:
        """The row's findings plus those of a fresh analysis, the same check at the same place said once."""
        findings = self.findings(row)
        if summary is not None:
            seen = {(f.check, f.message_index, f.path) for f in findings}
            findings += [f for f in summary.findings if (f.check, f.message_index, f.path) not in seen]
        return findings

    def row_key(self, row: int):
        if self.modified(row):
            return ("m", digest(self.data(row)))
        return ("o", self.origin(row))

    def info(self, row: int) -> RowInfo:
        key = self.row_key(row)
        info = self._info.get(key)
        if info is None:
            info = self._object_info(row) or row_info(self.data(row))
            self._info[key] = info
        safe = self._redacted_preview(row)
        return info if safe is None else RowInfo(info.roles, printable(safe), info.parsed)

    def _redacted_preview(self, row: int) -> str | None:
        """The list never shows a secret or personal value the checker found: such a row's preview is the
        checker's, with each value replaced by its placeholder (the viewer still shows the row as it is)."""
        fresh = self.summary_for(row)
        if fresh is not None:
            hit = any(f.check in PRIVACY_CHECKS for f in fresh.findings)
            return fresh.analysis.preview if hit else None
        origin = self.origin(row)
        return None if origin is None or self.modified(row) else self.results.redacted.get(origin)

    def _object_info(self, row: int) -> RowInfo | None:
        """A line of a pretty-printed file: its object's roles and preview on the first line, where
        the object lies on the others."""
        first, origin = self.object_line(row), self.origin(row)
        if first is None:
            return None
        label = self.documents.label(origin)
        if first != origin:
            return RowInfo("", f"⋮ {label}")
        shown = row_info(self.viewer_data(row))
        return RowInfo(shown.roles, f"{label} · {shown.preview}")

    def row_view(self, display_row: int) -> RowView:
        row = self.row_at(display_row)
        origin = self.origin(row)
        info = self.info(row)
        return RowView(
            key=self.row_key(row),
            line=None if origin is None else origin + 1,
            status=self.status(row),
            tokens=self.tokens(row),
            roles=info.roles,
            preview=info.preview,
            modified=self.modified(row),
        )

    # -- navigation helpers ---------------------------------------------
    def next_with_status(self, display_row: int, step: int, minimum: int = ERROR) -> int | None:
        """Next display row (after `display_row`, in direction `step`) whose status >= minimum."""
        count = self.display_count()
        if self.view is None and (self.session is None or not self.session.dirty):
            status = self.results.status
            wanted = bytes([ERROR]) if minimum == ERROR else None
            if wanted is not None:
                if step > 0:
                    found = status.find(wanted, display_row + 1)
                else:
                    found = status.rfind(wanted, 0, max(display_row, 0))
                return found if 0 <= found < count else None
        rng = range(display_row + 1, count) if step > 0 else range(display_row - 1, -1, -1)
        for d in rng:
            if self.status(self.row_at(d)) >= minimum:
                return d
        return None

    def counts(self) -> tuple[int, int]:
        """Errors and warnings: rows with one (edited rows use their fresh analysis), plus the findings
        about the whole file or dataset.

        Walks the session's segments (one per run of untouched lines, one per edited
        row), so the cost is the number of edits plus a C-speed count, not a Python
        loop over a million rows.
        """
        errors, warnings = self.file_counts()
        status = self.results.status
        if self.session is None or not self.session.dirty:
            return errors + status.count(ERROR), warnings + status.count(WARNING)
        for seg in self.session.segments:
            if isinstance(seg, Run):               # a run of lines as on disk
                if seg.index is self.index:
                    lines = status
                else:                              # lines of the file before a save (undone past it)
                    past = self.past_status.get(id(seg.index))
                    if past is None or past[0] is not seg.index:
                        continue
                    lines = past[1]
                chunk = lines[seg.start:seg.start + seg.count]
                errors += chunk.count(ERROR)
                warnings += chunk.count(WARNING)
                continue
            summary = self.overlay.get(digest(seg.data))
            code = severity_code(summary.findings) if summary is not None else PENDING
            errors += code == ERROR
            warnings += code == WARNING
        return errors, warnings
