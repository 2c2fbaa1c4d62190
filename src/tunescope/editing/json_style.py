"""Writing an edited row in the JSON style of the line it replaces.

A file written by Python's `json.dumps` defaults has `", "` and `": "`
separators and `\\uXXXX` escapes; an edited line used to come back compact
and with raw UTF-8, so one edit made the file look machine-mangled in a diff.
The style is read from the row's own bytes (no per-file setting to keep in
sync); key order is the parser's, which keeps the order written.
"""

from __future__ import annotations

import json
import re

from tunescope.dataset.records import compact_dumps

_SPACED_KEY = re.compile(rb'"\s*:\s')          # "key": value
_SPACED_ITEM = re.compile(rb'[\]}"\deln],\s')   # value, next   (after a string, number, literal, } or ])


def dumps_like(obj, like: bytes) -> bytes:
    """`obj` as one JSON line with the separators and escaping `like` (the row before the edit) uses."""
    spaced_key = _SPACED_KEY.search(like) is not None
    spaced_item = _SPACED_ITEM.search(like) is not None
    escaped = like.isascii() and b"\\u" in like
    if not (spaced_key or spaced_item or escaped):
        return compact_dumps(obj)
    separators = (", " if spaced_item else ",", ": " if spaced_key else ":")
    try:
        return json.dumps(obj, separators=separators, ensure_ascii=escaped, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError):
        return compact_dumps(obj)
