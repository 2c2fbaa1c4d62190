"""File-level facts: the layout of the bytes before any line is read as JSON (the findings are checks/file/rules.py).

Detects the shapes that would otherwise drown the user in per-line errors:
an empty file, a binary file, and one JSON document (pretty-printed objects or
a JSON array) where JSONL was expected.
"""

from __future__ import annotations

import json
from typing import Iterator

import orjson

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


def looks_binary(head: bytes) -> bool:
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
