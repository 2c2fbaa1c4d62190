"""Pieces every converter shares: text of a content value, tool-call arguments, images, weights.

Converters are pure functions of one parsed record; what they cannot carry goes to `Notes`, never
silently away. OpenAI stores tool-call `arguments` as a JSON string; TRL, axolotl, LLaMA-Factory and
Gemini want an object, so `arguments_object` parses it (and says so when it cannot).
"""

from __future__ import annotations

import json

from tunescope.dataset.formats import RecordKind
from tunescope.targets.registry import Notes

KIND_WORDS = {RecordKind.CHAT: "chat", RecordKind.PREFERENCE: "preference (DPO)",
              RecordKind.REINFORCEMENT: "reinforcement (RFT)", RecordKind.PROMPT_COMPLETION: "prompt/completion",
              RecordKind.NEAR_MISS: "non-OpenAI-shaped", RecordKind.UNKNOWN: "unrecognised"}


def text_parts(content) -> list[str] | None:
    """The texts of a content value (a string or a list of text parts); None when it holds something else."""
    if content is None:
        return []
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        out = []
        for part in content:
            if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
                out.append(part["text"])
            else:
                return None
        return out
    return None


def split_content(content, notes: Notes, where: str, target: str) -> tuple[list[str], list[dict]]:
    """(texts, image parts) of a content value; anything else is reported as lost."""
    if content is None:
        return [], []
    if isinstance(content, str):
        return [content], []
    texts: list[str] = []
    images: list[dict] = []
    if not isinstance(content, list):
        notes.lost("content_not_carried", f"{target}: content of type {type(content).__name__} is not text",
                   where)
        return texts, images
    for i, part in enumerate(content):
        if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
            texts.append(part["text"])
        elif isinstance(part, dict) and part.get("type") == "image_url":
            images.append(part)
        else:
            notes.lost("content_not_carried", f"{target}: content part {i} is neither text nor an image",
                       f"{where}[{i}]")
    return texts, images


def image_url(part: dict) -> str:
    value = part.get("image_url")
    if isinstance(value, dict):
        value = value.get("url")
    return value if isinstance(value, str) else ""


def arguments_object(arguments, notes: Notes, where: str, target: str):
    """Tool-call arguments as an object (parsed from OpenAI's JSON string); the string when it is not JSON."""
    if isinstance(arguments, dict):
        return arguments
    if isinstance(arguments, str):
        try:
            value = json.loads(arguments) if arguments.strip() else {}
        except ValueError:
            value = None
        if isinstance(value, dict):
            return value
    notes.changed("arguments_not_object", f"{target}: tool-call arguments are not a JSON object; kept as they are",
                  where)
    return arguments


def arguments_string(arguments) -> str:
    """OpenAI's form of tool-call arguments: a JSON string."""
    if isinstance(arguments, str):
        return arguments
    return json.dumps(arguments, ensure_ascii=False)


def weight_zero_lost(message: dict, notes: Notes, where: str, target: str) -> None:
    """Report a `weight: 0` message on a target without per-message weights (it would be trained on)."""
    if message.get("weight") == 0:
        notes.lost("weight_not_carried", f"{target} has no per-message weight: this message (weight 0) "
                   "would be trained on", f"{where}.weight")


def not_held(kind: RecordKind, notes: Notes, target: str, holds) -> None:
    words = ", ".join(sorted(KIND_WORDS.get(k, k.value) for k in holds))
    notes.lost("example_not_carried", f"{target} takes {words} examples; this {KIND_WORDS.get(kind, kind.value)} "
               "example is not exported")


def call_id(message_index: int, call_index: int) -> str:
    """The id given to a tool call whose target format keeps none."""
    return f"call_{message_index}_{call_index}"


def modernised(record: dict, notes: Notes, target: str) -> dict:
    """Legacy function calling (`functions`, assistant `function_call`, role `function`) as tools, tool calls
    and tool messages, which the other formats know; reported as carried differently."""
    messages = record.get("messages")
    if not isinstance(messages, list) or not ("functions" in record or any(
            isinstance(m, dict) and ("function_call" in m or m.get("role") == "function") for m in messages)):
        return record
    out = {k: v for k, v in record.items() if k not in ("functions", "messages")}
    if isinstance(record.get("functions"), list):
        out["tools"] = (record.get("tools") or []) + [{"type": "function", "function": f} for f in record["functions"]]
    new_messages, last_id = [], None
    for i, message in enumerate(messages):
        if isinstance(message, dict) and isinstance(message.get("function_call"), dict):
            last_id = call_id(i, 0)
            message = {**{k: v for k, v in message.items() if k != "function_call"},
                       "tool_calls": [{"id": last_id, "type": "function", "function": message["function_call"]}]}
        elif isinstance(message, dict) and message.get("role") == "function":
            message = {"role": "tool", "tool_call_id": last_id or call_id(i, 0), "content": message.get("content")}
        new_messages.append(message)
    out["messages"] = new_messages
    notes.changed("legacy_functions_as_tools", f"{target}: legacy function calling is written as tools and tool calls")
    return out
