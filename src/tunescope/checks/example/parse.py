"""Line-level parsing: bytes -> one JSON object, or a finding that says why not.

The happy path is a single `orjson.loads`; every diagnosis (blank line, NUL
bytes, invalid UTF-8 with its byte offset, JSON syntax with orjson's message
and column, wrong top-level type) runs only after that call has failed.
"""

from __future__ import annotations

import re

import orjson

from tunescope.checks.context import Ctx, describe
from tunescope.checks.registry import E, check

BLANK_LINE = check("blank_line", E, "line", "Blank line",
                   "Empty or whitespace-only line; every JSONL line must be an object (J02).", ref="J02")
BOM_IN_LINE = check("bom_in_line", E, "line", "BOM inside the file",
                    "A UTF-8 byte-order mark at the start of a later line (concatenated files).", tags=("encoding",))
NUL_BYTE = check("nul_byte", E, "line", "NUL byte",
                 "The line contains NUL bytes: binary data or UTF-16 text.", tags=("encoding",))
INVALID_UTF8 = check("invalid_utf8", E, "line", "Not UTF-8",
                     "The line is not valid UTF-8; reported with the byte position (F05).", ref="F05",
                     tags=("encoding",))
INVALID_JSON = check("invalid_json", E, "line", "Invalid JSON",
                     "The line does not parse as JSON; orjson's message and column (J01).", ref="J01")
NOT_AN_OBJECT = check("not_an_object", E, "line", "Not a JSON object",
                      "The line is valid JSON but not an object (J03).", ref="J03")

BOM = b"\xef\xbb\xbf"
# a high surrogate escape not followed by a low one, or a low one not preceded by a high one
_LONE_SURROGATE = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
                             rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def parse_line(data: bytes, ctx: Ctx) -> tuple[object | None, bool]:
    """Parse one line. Returns (object, blank). Findings go into ctx."""
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return _diagnose(data, exc, ctx)
    if not isinstance(obj, dict):
        _not_an_object(obj, data, ctx)
        return None, False
    return obj, False


def _diagnose(data: bytes, exc: orjson.JSONDecodeError, ctx: Ctx) -> tuple[object | None, bool]:
    stripped = data.strip()
    if not stripped:
        ctx.add(BLANK_LINE,
                f"Line {ctx.line} is empty or only whitespace; every line of a JSONL file must be one JSON object.",
                "Delete the blank line.")
        return None, True
    if data.startswith(BOM):
        try:
            obj = orjson.loads(data[3:])
        except orjson.JSONDecodeError as inner:
            return _diagnose(data[3:], inner, ctx)
        if ctx.line > 1:
            ctx.add(BOM_IN_LINE,
                    f"Line {ctx.line} starts with a UTF-8 byte-order mark (BOM); JSON parsers reject it there. "
                    "This usually means several files were concatenated.",
                    "Remove the three BOM bytes (EF BB BF) at the start of the line.")
        if not isinstance(obj, dict):
            _not_an_object(obj, data, ctx)
            return None, False
        return obj, False
    nul = data.find(b"\x00")
    if nul >= 0:
        ctx.add(NUL_BYTE,
                f"Line {ctx.line} contains a NUL byte at byte {nul + 1}; this is binary data, not JSON text.",
                "Check the file was written as UTF-8 text (not UTF-16 or a binary export); delete or repair the line.")
        return None, False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        bad = data[err.start:err.start + 4].hex(" ")
        ctx.add(INVALID_UTF8,
                f"Line {ctx.line} is not valid UTF-8: byte {err.start + 1} (0x{bad}) cannot be decoded ({err.reason}).",
                "Re-save the file as UTF-8 (it may be Latin-1 or Windows-1252); fine-tuning files must be UTF-8.")
        return None, False
    msg = str(exc)
    col = getattr(exc, "colno", None)
    reason = msg.split(": line ")[0] if ": line " in msg else msg
    hint = "Fix the JSON syntax on this line (each line must be one complete JSON object)."
    if "trailing comma" in reason:
        hint = "Remove the comma before the closing bracket or brace."
    elif "surrogate" in reason:
        hint = ("A \\uD800-\\uDFFF escape must be half of a pair (one emoji is two escapes); this one is alone, "
                "usually text cut in the middle of an emoji. Remove the escape or complete the pair.")
    elif "depth limit" in reason:
        hint = ("The JSON nests deeper than 1,024 levels, which no training example needs; the line is probably "
                "generated or corrupted. Flatten it or delete the line.")
    elif stripped[:1] in (b"{", b"[") and stripped[-1:] not in (b"}", b"]"):
        hint = "The object does not end on this line: it is truncated or spread over several lines. " \
               "Put each example on a single line."
    elif stripped in (b"{", b"}", b"[", b"]", b"},", b"],") or stripped.startswith(b'"') and b'":' in stripped[:200]:
        hint = "This looks like a fragment of pretty-printed JSON: each example must be on one line (JSONL)."
    elif b"NaN" in stripped or b"Infinity" in stripped:
        hint = "JSON has no NaN or Infinity; use null or a number."
    elif stripped.startswith(b"'") or b"{'" in stripped[:20]:
        hint = "JSON strings and keys need double quotes, not single quotes (this looks like a Python repr)."
    where = f" at column {col}" if col else ""
    if "surrogate" in reason:          # orjson's words ("no low surrogate in string") hide what is wrong
        escape = _LONE_SURROGATE.search(stripped)
        shown = escape.group(0).decode("ascii", "replace") if escape else "\\uD8xx"
        reason = (f"a lone UTF-16 surrogate escape {shown} (half of a character such as an emoji, without its "
                  "other half): JSON text cannot encode it on its own")
    ctx.add(INVALID_JSON,
            f"Invalid file format. Example {ctx.example + 1} cannot be parsed. Error: line contains invalid json: "
            f"{reason}{where} (line {ctx.line}).",
            hint)
    return None, False


def _not_an_object(obj: object, data: bytes, ctx: Ctx) -> None:
    head = data.strip()[:12].decode("utf-8", "replace")
    ctx.add(NOT_AN_OBJECT,
            f"Line {ctx.line} is {describe(obj)}, not a JSON object (HINT: line starts with: {head!r}). "
            "Every line must be a JSON dictionary such as {\"messages\": [...]}.",
            "Wrap the data in an object with the format's keys, e.g. {\"messages\": [...]}; a JSON array file must "
            "be converted to one object per line.")
