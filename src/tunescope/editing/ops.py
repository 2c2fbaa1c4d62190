"""Example-level edits on parsed JSON (pure functions, no I/O).

Shared by `EditSession` (one example, bound to keys in the TUI) and the bulk
fixes. Objects come from `json`/`orjson` loads, so dict key order is the
file's own and survives `compact_dumps`.
"""

from __future__ import annotations

import json

import orjson

from tunescope.dataset.records import compact_dumps  # noqa: F401  (re-exported: edits and fixes use it)
from tunescope.dataset import records


class EditError(ValueError):
    """An edit that cannot be applied; the message says why and how to fix it."""


class JsonEditError(EditError):
    """Edited text is not valid JSON; `line`/`column` are 1-based in that text."""

    def __init__(self, message: str, line: int, column: int):
        super().__init__(f"{message} (line {line}, column {column})")
        self.message, self.line, self.column = message, line, column


def parse_text(text: str):
    """Parse JSON typed by a user; raise JsonEditError with the parser's message and position."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if exc.msg and "integer" in exc.msg.lower():  # orjson refuses > 64-bit ints; json does not
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                pass
        raise JsonEditError(exc.msg or str(exc), exc.lineno, exc.colno) from None


def parse_row(data: bytes) -> dict:
    """The JSON object on a row, or EditError saying why it is not one."""
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise EditError(f"this line is not valid JSON ({exc.msg} at column {exc.colno}); "
                        "fix it in the JSON editor first") from None
    if not isinstance(obj, dict):
        raise EditError(f"this line is a JSON {type(obj).__name__}, not an object")
    return obj


def messages_of(obj: dict) -> list:
    """The message list an example-level edit works on: `messages`, or `input.messages` (DPO)."""
    msgs = records.messages_of(obj)
    if msgs is None:
        raise EditError("this example has no `messages` list (nor `input.messages`)")
    return msgs


def _message(msgs: list, index: int) -> dict:
    if not 0 <= index < len(msgs):
        raise EditError(f"message {index} does not exist (the example has {len(msgs)} messages)")
    msg = msgs[index]
    if not isinstance(msg, dict):
        raise EditError(f"message {index} is not a JSON object")
    return msg


def set_weight(obj: dict, index: int, zero: bool) -> None:
    """`weight: 0` on an assistant message (not trained), or remove it (trained, the default)."""
    msg = _message(messages_of(obj), index)
    role = msg.get("role")
    if role != "assistant":
        what = str(role) if role else "role-less"
        raise EditError(f"message {index} is {'an' if what[:1] in 'aeiou' else 'a'} {what} message; "
                        "weight applies only to assistant messages")
    if zero:
        msg["weight"] = 0
    else:
        msg.pop("weight", None)


def drop_message(obj: dict, index: int) -> None:
    msgs = messages_of(obj)
    _message(msgs, index)
    del msgs[index]


def move_message(obj: dict, index: int, delta: int) -> int:
    """Move message `index` by `delta` places; returns its new index."""
    msgs = messages_of(obj)
    _message(msgs, index)
    target = index + delta
    if not 0 <= target < len(msgs):
        raise EditError(f"cannot move message {index} to position {target} "
                        f"(the example has {len(msgs)} messages)")
    msgs.insert(target, msgs.pop(index))
    return target


def _strip_content(msg) -> bool:
    if not isinstance(msg, dict):
        return False
    content = msg.get("content")
    if isinstance(content, str):
        stripped = content.strip()
        if stripped != content:
            msg["content"] = stripped
            return True
        return False
    changed = False
    if isinstance(content, list):
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                stripped = part["text"].strip()
                if stripped != part["text"]:
                    part["text"] = stripped
                    changed = True
    return changed


def strip_whitespace(obj: dict) -> bool:
    """Strip leading/trailing whitespace from message contents (chat, DPO, RFT).

    Legacy prompt/completion rows are left alone: their leading space and
    separators are part of that format. Returns whether anything changed.
    """
    changed = False
    lists = []
    for key in ("messages", "preferred_output", "non_preferred_output"):
        if isinstance(obj.get(key), list):
            lists.append(obj[key])
    inp = obj.get("input")
    if isinstance(inp, dict) and isinstance(inp.get("messages"), list):
        lists.append(inp["messages"])
    for msgs in lists:
        for msg in msgs:
            changed |= _strip_content(msg)
    return changed
