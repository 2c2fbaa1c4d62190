"""File-level facts and findings: what is wrong with the bytes before any line is read as JSON.

Detects the shapes that would otherwise drown the user in per-line errors:
an empty file, a binary file, and one JSON document (pretty-printed objects or
a JSON array) where JSONL was expected.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Iterator

import orjson

from tunescope.checks.findings import Finding, Severity
from tunescope.dataset.index import BOM, LineIndex

FILES_API_LIMIT = 512 * 1024 * 1024          # Files API, per file
UPLOADS_API_LIMIT = 8 * 1024 * 1024 * 1024    # Uploads API, in total
PRETTY_SCAN_LIMIT = 512 * 1024 * 1024         # decode whole-document JSON up to this size

# Layouts of the file as a whole.
JSONL = "jsonl"
PRETTY = "pretty_printed"     # several JSON objects spread over many lines
ARRAY = "json_array"          # one JSON array of objects
EMPTY = "empty"
BINARY = "binary"


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


def _f(check: str, sev: Severity, message: str, hint: str, line: int | None = None) -> Finding:
    return Finding(check=check, severity=sev, message=message, hint=hint, line=line, path="")


def inspect_file(index: LineIndex) -> FileFacts:
    """Byte-level findings for an indexed file (the index must be complete)."""
    facts = FileFacts(path=index.path, size=index.size, lines=len(index), bom=index.has_bom,
                      crlf_lines=index.crlf_lines, final_newline=index.final_newline)
    add = facts.findings.append
    name = os.path.basename(index.path)
    if index.size == 0:
        facts.layout = EMPTY
        add(_f("file_empty", Severity.ERROR, f"{name} is empty (0 bytes): there are no training examples.",
               "Write one JSON object per line (JSONL); at least 10 examples are required."))
        return facts
    if not name.lower().endswith(".jsonl"):
        add(_f("file_extension", Severity.WARNING,
               f"{name} does not end in .jsonl; the fine-tuning API only accepts .jsonl files.",
               "Rename the file to *.jsonl before uploading."))
    if index.size > UPLOADS_API_LIMIT:
        add(_f("file_too_large", Severity.ERROR,
               f"The file is {index.size / 2**30:.1f} GB; the Uploads API accepts at most 8 GB.",
               "Split the dataset into smaller files."))
    elif index.size > FILES_API_LIMIT:
        add(_f("file_too_large", Severity.WARNING,
               f"The file is {index.size / 2**20:.0f} MB; the Files API accepts at most 512 MB per file.",
               "Upload it with the Uploads API (64 MB parts, up to 8 GB); tunescope does that automatically."))
    head = index.read_range(0, min(index.size, 65536))
    if _looks_binary(head):
        facts.layout = BINARY
        add(_f("binary_file", Severity.ERROR,
               f"{name} looks like a binary file, not JSONL text (NUL bytes or undecodable data near the start).",
               "Open the right file; training data is UTF-8 text with one JSON object per line.", 1))
        return facts
    if index.has_bom:
        add(_f("utf8_bom", Severity.WARNING,
               "The file starts with a UTF-8 byte-order mark (BOM). Azure OpenAI asks for one; "
               "Python's json, the OpenAI cookbook and Together reject it.",
               "Keep it for Azure; remove it for other providers (tunescope keeps it on save).", 1))
    if facts.line_endings == "CRLF":
        add(_f("crlf_line_endings", Severity.INFO, "Lines end with CRLF (Windows line endings).",
               "Accepted by the API; tunescope keeps CRLF when it saves.", 1))
    elif facts.line_endings == "mixed":
        add(_f("mixed_line_endings", Severity.WARNING,
               f"Mixed line endings: {index.crlf_lines} of {len(index)} lines end with CRLF, the rest with LF.",
               "Usually a sign that files were concatenated; normalise them with your editor."))
    if not index.final_newline:
        add(_f("no_final_newline", Severity.INFO, "The last line has no newline at the end.",
               "Harmless; tunescope keeps the file as it is on save.", len(index)))
    layout, count = detect_document_layout(index)
    if layout != JSONL:
        facts.layout, facts.documents = layout, count
        what = ("a JSON array" if layout == ARRAY else "pretty-printed JSON")
        error = document_error(index) if count == 0 and index.size <= PRETTY_SCAN_LIMIT else None
        if error is not None:
            add(_f("not_jsonl", Severity.ERROR,
                   f"This looks like {what} spread over {len(index):,} lines, not JSONL, and it is not valid "
                   f"JSON either: {error.message} at line {error.line}, column {error.column}.",
                   "Fix the JSON there, then convert it to JSONL (one object per line): "
                   "`tunescope fix FILE --to-jsonl -o OUT.jsonl`, or `x` in the app.", error.line))
        else:
            where = "on one line" if len(index) == 1 else f"spread over {len(index):,} lines"
            add(_f("not_jsonl", Severity.ERROR,
                   f"This is {what} with {count:,} object{'s' if count != 1 else ''} {where}, "
                   "not JSONL (one object per line).",
                   "Convert it to JSONL (one object per line): `tunescope fix FILE --to-jsonl -o OUT.jsonl`, "
                   "or `x` in the app.", 1))
    return facts


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head[:8192]:
        nul = head.count(b"\x00")
        if nul > 16 or nul > len(head) // 100:
            return True     # else a stray NUL in text (a per-line finding); still look at the bytes below
    try:
        head.decode("utf-8")
        return False
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:      # a multi-byte char cut at the sample edge
            return False
        bad = sum(1 for b in head if b < 9 or 13 < b < 32)
        return bad > len(head) // 20


def detect_document_layout(index: LineIndex) -> tuple[str, int]:
    """JSONL unless the first lines fail to parse and the whole text is a JSON array or object stream."""
    n = len(index)
    if n == 0:
        return JSONL, 0
    first = index.line(0).strip()
    if n == 1 and not first.startswith(b"["):    # one line: JSONL, unless it holds a whole array
        return JSONL, 0
    probe = min(n, 50)
    failures = 0
    for i in range(probe):
        data = index.line(i).strip()
        if not data:
            continue
        try:
            if not isinstance(orjson.loads(data), dict):
                failures += 1
        except orjson.JSONDecodeError:
            failures += 1
    if failures * 2 < probe and not first.startswith(b"["):
        return JSONL, 0
    layout = ARRAY if first.startswith(b"[") else PRETTY
    if index.size > PRETTY_SCAN_LIMIT:
        return layout, 0
    count = 0
    try:
        for _ in iter_documents(index):
            count += 1
    except ValueError:
        # a document with a syntax error is still a document: say so once, not once per line
        broken = first[:1] in (b"[", b"{") and _looks_like_fragments(index, probe)
        return (layout, 0) if broken else (JSONL, 0)
    if count == 0:
        return JSONL, 0
    return layout, count


class DocumentError(ValueError):
    """The text is not a JSON document of objects; `line`/`column` are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(f"{message} at line {line}, column {column}")
        self.message, self.line, self.column = message, line, column


def iter_documents(index: LineIndex) -> Iterator[tuple[int, object]]:
    """Yield (1-based start line, object) for each object of a pretty-printed file or JSON array.

    Raises DocumentError (a ValueError) with the position when the text is not such a document.
    """
    raw = index.read_range(0, index.size)
    if raw.startswith(BOM):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"not UTF-8 ({exc.reason})") from None
    decoder = json.JSONDecoder(parse_constant=_reject_constant)
    end = len(text)

    def skip_ws(p: int) -> int:
        while p < end and text[p] in " \t\r\n":
            p += 1
        return p

    def where(p: int) -> tuple[int, int]:
        return 1 + text.count("\n", 0, p), p - (text.rfind("\n", 0, p) + 1) + 1

    def decode(p: int):
        try:
            return decoder.raw_decode(text, p)
        except json.JSONDecodeError as exc:
            raise DocumentError(exc.msg, exc.lineno, exc.colno) from None
        except RecursionError:
            raise DocumentError("nested too deeply", *where(p)) from None
        except ValueError as exc:   # NaN / Infinity
            raise DocumentError(str(exc), *where(p)) from None

    pos = skip_ws(0)
    in_array = pos < end and text[pos] == "["
    if in_array:
        pos = skip_ws(pos + 1)
    line = 1 + text.count("\n", 0, pos)
    while pos < end:
        if in_array and text[pos] == "]":
            pos = skip_ws(pos + 1)
            if pos < end:
                raise DocumentError("extra data after the closing ]", *where(pos))
            return
        obj, new = decode(pos)
        yield line, obj
        nxt = skip_ws(new)
        if nxt < end and text[nxt] == ",":   # array items, or objects separated by commas
            nxt = skip_ws(nxt + 1)
        elif in_array and (nxt >= end or text[nxt] != "]"):
            raise DocumentError("expected ',' or ']' after an array item", *where(nxt))
        line += text.count("\n", pos, nxt)
        pos = nxt
    if in_array:
        raise DocumentError("the array is not closed with ]", *where(end))


def document_error(index: LineIndex) -> DocumentError | None:
    """Why the file does not parse as a JSON document (for a broken pretty-printed file or array)."""
    try:
        for _ in iter_documents(index):
            pass
    except DocumentError as exc:
        return exc
    return None


def _looks_like_fragments(index: LineIndex, probe: int) -> bool:
    """Most lines are pieces of indented JSON, not records that start a line with { or [."""
    nonblank = records = 0
    for i in range(probe):
        data = index.line(i)
        if data.strip():
            nonblank += 1
            records += data[:1] in (b"{", b"[")
    return records * 2 < nonblank


def _reject_constant(name: str):
    """Python's json accepts NaN and Infinity; JSON (and the fine-tuning API) does not."""
    raise ValueError(f"{name} is not valid JSON")
