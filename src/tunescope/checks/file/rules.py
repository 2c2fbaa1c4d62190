"""File-level checks: what is wrong with the bytes before any line is read as JSON.

Detects the shapes that would otherwise drown the user in per-line errors:
an empty file, a binary file, and one JSON document (pretty-printed objects or
a JSON array) where JSONL was expected. The layout detection itself is
`dataset.filefacts`; this module turns it into findings.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from tunescope.checks.registry import E, I, W, Check, Finding, Severity, check
from tunescope.dataset.filefacts import (ARRAY, BINARY, EMPTY, FILES_API_LIMIT, JSONL, PRETTY_SCAN_LIMIT,
                                         UPLOADS_API_LIMIT, looks_binary, detect_document_layout, document_error)
from tunescope.dataset.formats import RecordKind
from tunescope.dataset.index import LineIndex

FILE_EMPTY = check("file_empty", E, "file", "Empty file",
                   "The file has 0 bytes (F02).", ref="F02")
FILE_EXTENSION = check("file_extension", E, "file", "Not .jsonl",
                       "The fine-tuning API refuses other extensions: \"Must be .jsonl\" (F04).", ref="F04")
FILE_TOO_LARGE = check("file_too_large", W, "file", "File too large",
                       "Over 512 MB needs the Uploads API; over 8 GB is an error (F03).", ref="F03")
BINARY_FILE = check("binary_file", E, "file", "Binary file",
                    "NUL bytes or undecodable data near the start: not JSONL text (F05).", ref="F05",
                    tags=("encoding",))
UTF8_BOM = check("utf8_bom", W, "file", "UTF-8 BOM",
                 "Azure asks for a byte-order mark; Python's json and other providers reject it (F06).", ref="F06",
                 tags=("encoding",))
CRLF_LINE_ENDINGS = check("crlf_line_endings", I, "file", "CRLF line endings",
                          "Windows line endings; accepted and kept on save (F07).", ref="F07")
MIXED_LINE_ENDINGS = check("mixed_line_endings", W, "file", "Mixed line endings",
                           "Some lines end with CRLF, others with LF (concatenated files).")
NO_FINAL_NEWLINE = check("no_final_newline", I, "file", "No final newline",
                         "The last line has no newline; harmless, kept on save.")
NOT_JSONL = check("not_jsonl", E, "file", "Not JSONL",
                  "Pretty-printed JSON or a JSON array instead of one object per line (F08/F09).", ref="F08/F09")


@dataclass
class FileFacts:
    """Facts the report, the TUI's stats pane and the saver need."""

    path: str
    size: int
    lines: int
    layout: str = JSONL
    bom: bool = False
    crlf_lines: int = 0
    final_newline: bool = True
    documents: int = 0                     # objects found when layout is PRETTY or ARRAY
    findings: list[Finding] = field(default_factory=list)

    @property
    def line_endings(self) -> str:
        if self.crlf_lines == 0:
            return "LF"
        if self.crlf_lines >= self.lines - (0 if self.final_newline else 1):
            return "CRLF"
        return "mixed"

    def to_dict(self) -> dict:
        return {
            "layout": self.layout, "size_bytes": self.size, "lines": self.lines, "bom": self.bom,
            "line_endings": self.line_endings, "final_newline": self.final_newline,
            "documents": self.documents,
        }


def _f(declared: Check, message: str, hint: str, line: int | None = None,
       severity: Severity | None = None) -> Finding:
    """A file-level finding: no JSON path; `severity` overrides the check's default (file_too_large over 8 GB)."""
    return Finding(check=declared.id, severity=severity or declared.severity, message=message, hint=hint,
                   line=line, path="")


def inspect_file(index: LineIndex) -> FileFacts:
    """Byte-level findings for an indexed file (the index must be complete)."""
    facts = FileFacts(path=index.path, size=index.size, lines=len(index), bom=index.has_bom,
                      crlf_lines=index.crlf_lines, final_newline=index.final_newline)
    add = facts.findings.append
    name = os.path.basename(index.path)
    if index.size == 0:
        facts.layout = EMPTY
        add(_f(FILE_EMPTY, f"{name} is empty (0 bytes): there are no training examples.",
               "Write one JSON object per line (JSONL); at least 10 examples are required."))
        return facts
    if not name.lower().endswith(".jsonl"):
        add(_f(FILE_EXTENSION,
               f"Invalid file format for Fine-Tuning API. Must be .jsonl ({name} does not end in .jsonl; the API "
               "refuses the upload).",
               "Rename the file to *.jsonl before uploading (convert it first if it is not JSONL)."))
    if index.size > UPLOADS_API_LIMIT:
        add(_f(FILE_TOO_LARGE,
               f"The file is {index.size / 2**30:.1f} GB; the Uploads API accepts at most 8 GB.",
               "Split the dataset into smaller files.", severity=Severity.ERROR))
    elif index.size > FILES_API_LIMIT:
        add(_f(FILE_TOO_LARGE,
               f"The file is {index.size / 2**20:.0f} MB; the Files API accepts at most 512 MB per file.",
               "Upload it with the Uploads API (64 MB parts, up to 8 GB); tunescope does that automatically."))
    head = index.read_range(0, min(index.size, 65536))
    if looks_binary(head):
        facts.layout = BINARY
        add(_f(BINARY_FILE,
               f"{name} looks like a binary file, not JSONL text (NUL bytes or undecodable data near the start).",
               "Open the right file; training data is UTF-8 text with one JSON object per line.", 1))
        return facts
    if index.has_bom:
        add(_f(UTF8_BOM,
               "The file starts with a UTF-8 byte-order mark (BOM). Azure OpenAI asks for one; "
               "Python's json, the OpenAI cookbook and Together reject it.",
               "Keep it for Azure; remove it for other providers (tunescope keeps it on save).", 1))
    if facts.line_endings == "CRLF":
        add(_f(CRLF_LINE_ENDINGS, "Lines end with CRLF (Windows line endings).",
               "Accepted by the API; tunescope keeps CRLF when it saves.", 1))
    elif facts.line_endings == "mixed":
        add(_f(MIXED_LINE_ENDINGS,
               f"Mixed line endings: {index.crlf_lines} of {len(index)} lines end with CRLF, the rest with LF.",
               "Usually a sign that files were concatenated; normalise them with your editor."))
    if not index.final_newline:
        add(_f(NO_FINAL_NEWLINE, "The last line has no newline at the end.",
               "Harmless; tunescope keeps the file as it is on save.", len(index)))
    layout, count = detect_document_layout(index)
    if layout != JSONL:
        facts.layout, facts.documents = layout, count
        what = ("a JSON array" if layout == ARRAY else "pretty-printed JSON")
        error = document_error(index) if count == 0 and index.size <= PRETTY_SCAN_LIMIT else None
        if error is not None:
            add(_f(NOT_JSONL,
                   f"This looks like {what} spread over {len(index):,} lines, not JSONL, and it is not valid "
                   f"JSON either: {error.message} at line {error.line}, column {error.column}.",
                   "Fix the JSON there, then convert it to JSONL (one object per line): "
                   "`tunescope fix FILE --to-jsonl -o OUT.jsonl`, or `x` in the app.", error.line))
        else:
            where = "on one line" if len(index) == 1 else f"spread over {len(index):,} lines"
            add(_f(NOT_JSONL,
                   f"This is {what} with {count:,} object{'s' if count != 1 else ''} {where}, "
                   "not JSONL (one object per line).",
                   "Convert it to JSONL (one object per line): `tunescope fix FILE --to-jsonl -o OUT.jsonl`, "
                   "or `x` in the app.", 1))
    return facts


# the kinds of rows that are data (counted as examples), by the checker and the file format below
DATA_KINDS = (RecordKind.CHAT, RecordKind.PREFERENCE, RecordKind.REINFORCEMENT,
              RecordKind.PROMPT_COMPLETION, RecordKind.NEAR_MISS, RecordKind.UNKNOWN)


def file_format(facts, kinds: Counter) -> str:
    """The file's format for the report: its layout when empty or binary, else its main data kind, or
    "mixed" when a second kind has at least a tenth of the rows."""
    if facts.layout in (EMPTY, BINARY):
        return facts.layout
    data = [(k, n) for k, n in kinds.most_common() if k in DATA_KINDS and k not in (RecordKind.UNKNOWN,)]
    if not data:
        return "unknown"
    main_kind, main_n = data[0]
    if len(data) > 1 and data[1][1] * 10 >= main_n:
        return "mixed"
    return main_kind.value
