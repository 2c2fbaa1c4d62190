"""What one list row shows about an example: its roles and a one-line preview.

Computed from the line's bytes only for rows on screen (and cached by the
list), so opening a file never waits for the checker. Pure Python: no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass

import json

import orjson

MAX_PARSE = 8 * 1024 * 1024   # longer lines are described, not parsed, in the list
PREVIEW = 200
ROLE_LETTER = {"system": "S", "developer": "D", "user": "U", "assistant": "A", "tool": "T", "function": "F"}


def compact_dumps(obj) -> bytes:
    """One-line JSON, key order kept, non-ASCII as UTF-8 (orjson, json as fallback
    for what orjson refuses, such as integers beyond 64 bits).

    orjson's result keeps its ~4 KB working buffer, so it is copied: a bulk fix
    holding a million edited rows would otherwise take gigabytes."""
    try:
        data = orjson.dumps(obj)
        return bytes(memoryview(data)) if len(data) < 1 << 16 else data
    except (TypeError, orjson.JSONEncodeError):
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ("\ud800") read by json: keep it as the escape it was
            return json.dumps(obj, separators=(",", ":")).encode("ascii")


@dataclass(frozen=True, slots=True)
class RowInfo:
    """Roles summary (e.g. `S U A* T A`) and preview of one line."""

    roles: str
    preview: str
    parsed: bool = True


def describe(data: bytes) -> RowInfo:
    """Roles and preview of one JSONL line; never raises."""
    stripped = data.strip()
    if not stripped:
        return RowInfo("", "(blank line)", False)
    if len(data) > MAX_PARSE:
        return RowInfo("", f"({len(data) / 1048576:.1f} MB line, open it to see it)", False)
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError:
        text = data[:PREVIEW * 2].decode("utf-8", "replace")
        return RowInfo("", "(not JSON) " + one_line(text), False)
    if not isinstance(obj, dict):
        return RowInfo("", f"(JSON {type(obj).__name__}, not an object) " + one_line(repr(obj)), False)
    return RowInfo(roles_of(obj), preview_of(obj))


def messages_of(obj: dict) -> list:
    """The conversation of a chat, RFT or preference record (input side)."""
    messages = obj.get("messages")
    if isinstance(messages, list):
        return messages
    inp = obj.get("input")
    if isinstance(inp, dict) and isinstance(inp.get("messages"), list):
        return inp["messages"]
    return []


def roles_of(obj: dict) -> str:
    letters = []
    for message in messages_of(obj):
        if not isinstance(message, dict):
            letters.append("?")
            continue
        letter = ROLE_LETTER.get(message.get("role"), "?")
        if letter == "A":
            if message.get("tool_calls") or message.get("function_call"):
                letter = "A*"
            if message.get("weight") == 0:
                letter += "0"
        letters.append(letter)
    if "preferred_output" in obj:
        letters.append("A+")
    if "non_preferred_output" in obj:
        letters.append("A-")
    if not letters and ("prompt" in obj or "completion" in obj):
        return "P C"
    return " ".join(letters)


def preview_of(obj: dict) -> str:
    """The first user text, else the first text of any message, else the keys."""
    messages = messages_of(obj)
    for wanted in ("user", None):
        for message in messages:
            if isinstance(message, dict) and (wanted is None or message.get("role") == wanted):
                text = content_text(message.get("content"))
                if text.strip():
                    return one_line(text)
    if isinstance(obj.get("prompt"), str):
        return one_line(obj["prompt"])
    return one_line("{" + ", ".join(str(k) for k in list(obj)[:8]) + "}")


def content_text(content) -> str:
    """Plain text of a message content (a string or a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, dict):
                if isinstance(part.get("text"), str):
                    parts.append(part["text"])
                elif part.get("type") == "image_url":
                    parts.append("[image]")
                elif isinstance(part.get("value"), str):
                    parts.append(part["value"])
            elif isinstance(part, str):
                parts.append(part)
        return " ".join(parts)
    return ""


def message_texts(obj) -> list[str]:
    """Every text a search should look at: contents, tool-call arguments, outputs."""
    if not isinstance(obj, dict):
        return [str(obj)]
    texts: list[str] = []
    sources = list(messages_of(obj))
    for key in ("preferred_output", "non_preferred_output"):
        if isinstance(obj.get(key), list):
            sources.extend(obj[key])
    for message in sources:
        if not isinstance(message, dict):
            continue
        texts.append(content_text(message.get("content")))
        for call in message.get("tool_calls") or []:
            if isinstance(call, dict) and isinstance(call.get("function"), dict):
                texts.append(str(call["function"].get("name", "")))
                texts.append(str(call["function"].get("arguments", "")))
    for key in ("prompt", "completion"):
        if isinstance(obj.get(key), str):
            texts.append(obj[key])
    return texts


_CONTROLS = {c: "?" for c in list(range(32)) + [127]}


def one_line(text: str, limit: int = PREVIEW) -> str:
    """Collapse whitespace and neutralise control characters (never sent to the terminal)."""
    text = " ".join(text[: limit * 4].split()).translate(_CONTROLS)
    return text if len(text) <= limit else text[: limit - 1] + "…"
