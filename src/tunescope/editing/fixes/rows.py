"""The session's rows as fixes see them: parsed once and named by format, never raising.

A fix decides row by row from the same classification the checks report
(parse, then `formats.detect`), so "invalid", "near miss" or "legacy" mean the
same thing in the findings and in the fixes that act on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import orjson

from tunescope.dataset.formats import RecordKind, detect
from tunescope.dataset.index import BOM


@dataclass(slots=True)
class Row:
    row: int
    data: bytes
    obj: object | None
    kind: RecordKind
    near_miss: str | None = None
    problem: str = ""     # why the row is invalid/unknown, for reports


def classify(data: bytes, method: str | None = None) -> Row:
    """Parse one row and name its format (formats.detect), never raising."""
    if not data.strip():
        return Row(0, data, None, RecordKind.BLANK, problem="blank line")
    data = data.removeprefix(BOM)  # a BOM inside the file (concatenated files): the checks parse past it
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as err:   # orjson calls this "surrogates not allowed"
            return Row(0, data, None, RecordKind.INVALID, problem=f"not UTF-8 text (byte {err.start + 1})")
        return Row(0, data, None, RecordKind.INVALID, problem=f"not valid JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(obj, dict):
        return Row(0, data, obj, RecordKind.INVALID, problem=f"a JSON {type(obj).__name__}, not an object")
    kind, near = detect(obj, method)
    return Row(0, data, obj, kind, near, problem="")


def iter_rows(session, method: str | None = None) -> Iterator[Row]:
    """Every current row of the session, classified, with its 0-based row number."""
    for i, data in enumerate(session.iter_rows()):
        r = classify(data, method)
        r.row = i
        yield r
