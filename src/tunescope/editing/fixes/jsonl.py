"""Pretty-printed JSON, concatenated objects or a JSON array -> JSONL (one object per line).

`iter_json_values` decodes a stream of text chunks with `raw_decode`, keeping
only the undecoded tail in memory, so a large array is never parsed whole.
`fix_to_jsonl` converts a session's rows (undoable; declared in the fix
registry below it); `convert_to_jsonl` streams file to file with the atomic
writer, so `tunescope fix --to-jsonl` alone never holds the whole document.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Iterable, Iterator

import orjson

from tunescope.dataset.index import BOM
from tunescope.editing.fixes.plan import FixChange, FixError, FixPlan, FixReport
from tunescope.editing.fixes.registry import fix
from tunescope.editing.ops import compact_dumps
from tunescope.editing.save import FileWriter, atomic_write

CHUNK = 1 << 20
_WS = " \t\r\n"


def iter_json_values(chunks: Iterable[str]) -> Iterator[tuple[int, object]]:
    """(1-based start line, value) for each top-level value, or each item of a top-level array.

    Raises FixError with line and column when the text is not such a document.
    """
    source = iter(chunks)
    decoder = json.JSONDecoder(parse_constant=_reject_constant)
    buf, pos = "", 0
    line = 1                 # line number at buf[counted]
    counted = 0              # buf[:counted] has been counted into `line`
    eof = False
    in_array = False

    def more(min_chars: int = 1) -> bool:
        nonlocal buf, pos, counted, line, eof
        if eof:
            return False
        if pos > CHUNK:  # drop what has been consumed
            line += buf.count("\n", counted, pos)
            buf, counted, pos = buf[pos:], 0, 0
        got = 0
        while got < min_chars:
            try:
                piece = next(source)
            except StopIteration:
                eof = True
                break
            buf += piece
            got += len(piece)
        return got > 0

    def where(p: int) -> tuple[int, int]:
        ln = line + buf.count("\n", counted, p)
        col = p - (buf.rfind("\n", 0, p) + 1) + 1
        return ln, col

    while True:
        while True:
            while pos < len(buf) and buf[pos] in _WS:
                pos += 1
            if pos < len(buf) or not more():
                break
        if pos >= len(buf):
            break
        ch = buf[pos]
        if not in_array and ch == "[":
            in_array, pos = True, pos + 1
            continue
        if in_array and ch in ",]":
            in_array = in_array and ch == ","
            pos += 1
            continue
        while True:
            try:
                value, end = decoder.raw_decode(buf, pos)
            except json.JSONDecodeError as exc:
                if more(max(len(buf) - pos, CHUNK)):
                    continue
                ln, col = where(exc.pos)
                raise FixError(f"not valid JSON at line {ln}, column {col}: {exc.msg.removesuffix(' at')}") from None
            except (_NotJson, RecursionError) as exc:
                ln, _ = where(pos)
                why = str(exc) if isinstance(exc, _NotJson) else "it is nested too deeply to convert"
                raise FixError(f"not valid JSON in the value starting at line {ln}: {why}") from None
            if end == len(buf) and not isinstance(value, (dict, list, str)) and more():
                continue  # a number may continue in the next chunk
            break
        start_line, _ = where(pos)
        line, counted = start_line + buf.count("\n", pos, end), end
        yield start_line, value
        pos = end
        if not in_array and pos < len(buf) and buf[pos] not in _WS + "[{":
            ln, col = where(pos)
            raise FixError(f"unexpected {buf[pos]!r} at line {ln}, column {col} between JSON values")


class _NotJson(ValueError):
    pass


def _reject_constant(name: str):
    """json reads NaN/Infinity, orjson would write them as null: refuse rather than change the data."""
    raise _NotJson(f"{name} is not JSON (use null or a number)")


def _text_chunks_of_file(path: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")()
    first = True
    with open(path, "rb") as fh:
        while True:
            data = fh.read(CHUNK)
            if first and data.startswith(BOM):
                data = data[len(BOM):]
            first = False
            try:
                text = decoder.decode(data, final=not data)
            except UnicodeDecodeError as exc:
                raise FixError(f"{path} is not UTF-8 text ({exc.reason})") from None
            if text:
                yield text
            if not data:
                return


def _rows_as_text(session) -> Iterator[str]:
    for data in session.iter_rows():
        try:
            yield data.decode("utf-8") + "\n"
        except UnicodeDecodeError as exc:
            raise FixError(f"the file is not UTF-8 text ({exc.reason})") from None


def _is_jsonl_already(session) -> bool:
    seen = 0
    for data in session.iter_rows():
        if not data.strip():
            continue
        try:
            if not isinstance(orjson.loads(data), dict):
                return False
        except orjson.JSONDecodeError:
            return False
        seen += 1
    return seen > 0


def fix_to_jsonl(session) -> FixPlan:
    """Replace the rows by one compact JSON object per line (undoable)."""
    report = FixReport("to_jsonl", "convert pretty-printed JSON / a JSON array to JSONL")
    if _is_jsonl_already(session):
        report.notes.append("every line already holds one JSON object; nothing to convert")
        return FixPlan(report)
    rows = []
    for n, (line, value) in enumerate(iter_json_values(_rows_as_text(session))):
        rows.append(compact_dumps(value))
        report.changes.append(FixChange(n, line, "inserted", f"object {n + 1} (starting on line {line})"))
    if not rows:
        raise FixError("no JSON values found; nothing to convert")
    report.notes.append(f"{len(session):,} lines replaced by {len(rows):,} JSONL rows")
    return FixPlan(report, replacement=rows)


TO_JSONL = fix(
    "to_jsonl", fix_to_jsonl, order=10, menu=90,
    label="Convert to JSONL", description="Rewrite pretty-printed JSON or a JSON array as one object per line.",
    cli_flag="--to-jsonl", cli_help="pretty-printed JSON or a JSON array -> one object per line",
    resolves=("not_jsonl",))


def convert_to_jsonl(src: str, dst: str, eol: bytes = b"\n", backup: str | None = None, bom: bool = False) -> int:
    """Stream `src` (pretty-printed JSON / array) into `dst` as JSONL, atomically; returns rows.
    `bom`: start the output with a UTF-8 BOM (keep the source's, as every other save does)."""
    count = 0

    def produce(fd: int) -> int:
        nonlocal count
        out = FileWriter(fd)
        if bom:
            out.write(BOM)
        for _line, value in iter_json_values(_text_chunks_of_file(src)):
            out.write(compact_dumps(value) + eol)
            count += 1
        out.flush()
        if count == 0:
            raise FixError(f"{src}: no JSON values found; nothing to convert")
        return out.written

    atomic_write(os.path.abspath(dst), produce, mode_from=src, backup=backup)
    return count

