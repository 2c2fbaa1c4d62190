"""One record of a dataset as people see it: its messages, their text, a roles summary and a preview.

The one implementation of these, shared by the checker (every `RecordAnalysis`
gets its `roles` and `preview` from `roles` and `preview` here, and its
messages quote values with `describe`, `part_text` and `one_line`), by the
edits (`messages_of`) and by the TUI list (`row_info`, computed only for the
rows on screen, so opening a file never waits for the checker). Pure Python.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import orjson

from tunescope.dataset.formats import RecordKind, detect

MAX_PARSE = 8 * 1024 * 1024   # longer lines are described, not parsed, in the list
PREVIEW = 200
ROLE_GLYPH = {"system": "S", "developer": "D", "user": "U", "assistant": "A", "tool": "T", "function": "F"}
# The roles each walk of messages accepts: supervised chat, the prompt side of a preference row, RFT prompts.
MODE_ROLES = {
    "chat": frozenset({"system", "user", "assistant", "tool", "function"}),
    "input": frozenset({"system", "user", "assistant", "tool", "function"}),
    "rft": frozenset({"developer", "system", "user", "assistant", "tool"}),
}
_MODE_OF_KIND = {RecordKind.CHAT: "chat", RecordKind.REINFORCEMENT: "rft", RecordKind.PREFERENCE: "input"}


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


# -- messages and their text ------------------------------------------------------------------
def messages_of(obj: dict) -> list | None:
    """The conversation of a chat or RFT record (`messages`), or of a preference record
    (`input.messages`); None when it has neither. The list itself, so edits change the record."""
    messages = obj.get("messages")
    if isinstance(messages, list):
        return messages
    inp = obj.get("input")
    if isinstance(inp, dict) and isinstance(inp.get("messages"), list):
        return inp["messages"]
    return None


def part_text(content: object) -> str | None:
    """Plain text of a content value: the string itself, or its text parts joined (None when it has none)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, dict):
                t = part.get("text")
                if t is None:
                    t = part.get("value")
                if isinstance(t, str):
                    texts.append(t)
        return "\n".join(texts) if texts else None
    return None


def content_text(content: object) -> str:
    """Plain text of a message content, "" when it has none."""
    return part_text(content) or ""


def message_texts(obj) -> list[str]:
    """Every text a search should look at: contents, tool-call names and arguments, outputs."""
    if not isinstance(obj, dict):
        return [str(obj)]
    texts: list[str] = []
    sources = list(messages_of(obj) or ())
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


def one_line(text: str, limit: int = PREVIEW) -> str:
    """First `limit` characters of text on one line (newlines and tabs shown as spaces)."""
    head = text[: limit + 1]
    cut = len(text) > len(head)
    if "\n" in head or "\r" in head or "\t" in head:
        head = " ".join(head.split())
    if len(head) > limit or (cut and len(head) == limit):
        return head[: limit - 1] + "…"
    return head + "…" if cut else head        # collapsed whitespace made room, but the text goes on


_CONTROLS = {c: "?" for c in list(range(32)) + [127]}


def printable(text: str) -> str:
    """Control characters shown as "?" (text headed for a terminal: an escape must not reach it)."""
    return text.translate(_CONTROLS)


def describe(value: object) -> str:
    """JSON type name of a parsed value, for messages like 'found a number'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# -- roles summary ------------------------------------------------------------------------------
def weight_zero(message: dict) -> bool:
    """Whether a message carries a valid `weight: 0` (not trained); invalid weights count as trained."""
    w = message.get("weight", 1)
    return isinstance(w, (int, float)) and not isinstance(w, bool) and w == 0


def message_glyph(message: object, mode: str) -> str:
    """One message in the roles summary: S D U T F, A (A0 weight 0, A* with calls), ? when unusable.

    `developer` outside RFT is read as system (the checker reports it and checks it as one).
    """
    if not isinstance(message, dict):
        return "?"
    role = message.get("role")
    if not isinstance(role, str) or role not in MODE_ROLES[mode]:
        if role != "developer" or mode == "rft":
            return "?"
        role = "system"
    if role != "assistant":
        return ROLE_GLYPH[role]
    glyph = "A0" if weight_zero(message) else "A"
    return glyph + "*" if "tool_calls" in message or "function_call" in message else glyph


def _conversation(obj: dict, kind: RecordKind) -> list | None:
    """The messages the checker walks for this kind (None when it walks none)."""
    holder = obj.get("input") if kind is RecordKind.PREFERENCE else obj
    messages = holder.get("messages") if isinstance(holder, dict) else None
    return messages if isinstance(messages, list) and messages else None


def roles(obj: dict, kind: RecordKind) -> str:
    """Roles summary of a record, e.g. `S U A0* T A`; `P C` for prompt/completion, "" when none."""
    if kind is RecordKind.PROMPT_COMPLETION:
        return "P C"
    mode = _MODE_OF_KIND.get(kind)
    messages = _conversation(obj, kind) if mode else None
    if messages is None:
        return ""
    return " ".join(message_glyph(m, mode) for m in messages)


# -- preview ------------------------------------------------------------------------------------
def preview(obj: dict, kind: RecordKind, near_miss: str | None = None) -> str:
    """One line for list views: the first user text (a chat row without one: the last reply),
    the prompt of a prompt/completion row, the user text of a near miss; "" when none."""
    if kind is RecordKind.PROMPT_COMPLETION:
        prompt = _legacy_prompt(obj)
        return _line(prompt) if prompt is not None else ""
    if kind is RecordKind.NEAR_MISS:
        text = _near_miss_text(obj)
        return _line(text) if text else ""
    mode = _MODE_OF_KIND.get(kind)
    messages = _conversation(obj, kind) if mode else None
    if messages is None:
        return ""
    first_user = final_reply = None
    for m in messages:
        if not isinstance(m, dict):
            continue
        role = m.get("role")
        if role == "user" and first_user is None:
            first_user = part_text(m.get("content"))
        elif role == "assistant":
            content = m.get("content")
            final_reply = part_text(content) if content is not None else None
    if first_user:
        return _line(first_user)
    if final_reply and kind is not RecordKind.PREFERENCE:
        return _line(final_reply)          # no user turn: show the reply instead
    return ""


def _line(text: str) -> str:
    """A text as a preview: one line, without the padding around it (a column must not start with blanks)."""
    return one_line(text.strip())


def _legacy_prompt(obj: dict) -> str | None:
    """The prompt of a prompt/completion row: `prompt`, else the first key spelled so in another case."""
    if "prompt" in obj:
        value = obj["prompt"]
    else:
        value = next((v for k, v in obj.items() if isinstance(k, str) and k.lower() == "prompt"), None)
    return value if isinstance(value, str) else None


def _near_miss_text(obj: dict) -> str | None:
    """The user's text in a record of another tool's shape (Alpaca, ShareGPT, ...)."""
    for key in ("instruction", "question", "query", "prompt", "text"):
        value = obj.get(key)
        if isinstance(value, str) and value:
            return value
    for key in ("messages", "chosen_messages", "conversations", "chosen", "contents"):
        seq = obj.get(key)
        if isinstance(seq, list):
            for m in seq:
                if isinstance(m, dict) and (m.get("role") == "user" or m.get("from") in ("human", "user")):
                    text = part_text(m.get("content")) or m.get("value")
                    if isinstance(text, str):
                        return text
    inp = obj.get("input")
    if isinstance(inp, dict):
        for m in inp.get("messages") or ():
            if isinstance(m, dict) and m.get("role") == "user":
                return part_text(m.get("content"))
    return None


# -- one list row -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RowInfo:
    """Roles summary (e.g. `S U A* T A`) and preview of one line, safe to print."""

    roles: str
    preview: str
    parsed: bool = True


def row_info(data: bytes) -> RowInfo:
    """Roles and preview of one JSONL line, as the checker reads them; never raises."""
    stripped = data.strip()
    if not stripped:
        return RowInfo("", "(blank line)", False)
    if len(data) > MAX_PARSE:
        return RowInfo("", f"({len(data) / 1048576:.1f} MB line, open it to see it)", False)
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError:
        text = data[:PREVIEW * 2].decode("utf-8", "replace")
        return RowInfo("", printable("(not JSON) " + one_line(text)), False)
    if not isinstance(obj, dict):
        return RowInfo("", printable(f"(JSON {type(obj).__name__}, not an object) " + one_line(repr(obj))), False)
    kind, near = detect(obj)
    shown = preview(obj, kind, near) or one_line("{" + ", ".join(str(k) for k in list(obj)[:8]) + "}")
    return RowInfo(roles(obj, kind), printable(shown))
