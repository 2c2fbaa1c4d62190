"""Trainers on your own GPUs that read OpenAI-like `messages`: TRL (Hugging Face) and axolotl.

TRL's conversational format is OpenAI's `messages` + `tools` with one difference that breaks chat
templates silently: tool-call `arguments` are an object, not a JSON string (huggingface/trl
docs/source/dataset_formats.md; TRL PRs #3597, #5311). TRL has no per-message weight, so `weight: 0` is
reported as not carried. Axolotl's `chat_template` type reads the same messages and a per-message
training flag (`message_field_training`, default `train`), so OpenAI's `weight` 0/1 becomes `train`
false/true (axolotl-ai-cloud/axolotl docs/dataset-formats/conversation.qmd). Images are not carried:
both take images in separate columns that tunescope does not write yet.
"""

from __future__ import annotations

from tunescope.dataset.formats import RecordKind
from tunescope.targets.common import modernised, arguments_object, arguments_string, not_held, split_content, weight_zero_lost
from tunescope.targets.registry import Notes, Target, target

KINDS = frozenset({RecordKind.CHAT})
MESSAGE_KEYS = frozenset({"role", "content", "tool_calls", "tool_call_id", "name", "weight"})


def _messages(record: dict, notes: Notes, name: str, weights: bool) -> list[dict]:
    out = []
    for i, message in enumerate(record.get("messages") or []):
        where = f"$.messages[{i}]"
        if not isinstance(message, dict) or message.get("role") not in ("system", "user", "assistant", "tool"):
            notes.lost("message_not_carried", f"{name}: message {i} is not a system, user, assistant or tool "
                       "message", where)
            continue
        new = {}
        for key, value in message.items():
            if key not in MESSAGE_KEYS:
                notes.lost("message_key_not_carried", f"{name}: the message key {key!r} is left out",
                           f"{where}.{key}")
            elif key == "content" and isinstance(value, list):
                texts, images = split_content(value, notes, f"{where}.content", name)
                if images:
                    notes.lost("image_not_carried", f"{name}: images are not carried (they go in a separate "
                               "column this export does not write)", f"{where}.content")
                new["content"] = [{"type": "text", "text": t} for t in texts]
            elif key == "tool_calls" and isinstance(value, list):
                new["tool_calls"] = [_call(c, notes, f"{where}.tool_calls[{j}]", name) for j, c in enumerate(value)]
            elif key == "weight":
                if weights:
                    new["train"] = bool(value)
                else:
                    weight_zero_lost(message, notes, where, name)
            else:
                new[key] = value
        out.append(new)
    return out


def _call(call, notes: Notes, where: str, name: str):
    if not isinstance(call, dict) or not isinstance(call.get("function"), dict):
        return call
    fn = dict(call["function"])
    fn["arguments"] = arguments_object(fn.get("arguments"), notes, f"{where}.function.arguments", name)
    return {**call, "function": fn}


def converter(name: str, weights: bool):
    def convert(record: dict, kind: RecordKind, notes: Notes) -> dict | None:
        if kind not in KINDS:
            not_held(kind, notes, name, KINDS)
            return None
        record = modernised(record, notes, name)
        out: dict = {"messages": _messages(record, notes, name, weights)}
        for key, value in record.items():
            if key == "tools":
                out["tools"] = value
            elif key != "messages":
                notes.lost("key_not_carried", f"{name}: the top-level key {key!r} is left out", f"$.{key}")
        return out

    return convert


def to_openai(record: dict) -> dict:
    messages = []
    for message in record.get("messages") or []:
        new = {}
        for key, value in message.items():
            if key == "tool_calls" and isinstance(value, list):
                new[key] = [{**c, "function": {**c["function"], "arguments": arguments_string(
                    c["function"].get("arguments"))}} if isinstance(c, dict) and isinstance(c.get("function"), dict)
                    else c for c in value]
            elif key == "train":
                new["weight"] = int(bool(value))
            else:
                new[key] = value
        messages.append(new)
    out = {"messages": messages}
    if "tools" in record:
        out["tools"] = record["tools"]
    return out


def _has_object_arguments(record: dict) -> bool:
    for message in record.get("messages") or []:
        for call in (message.get("tool_calls") or []) if isinstance(message, dict) else []:
            if isinstance(call, dict) and isinstance(call.get("function"), dict) \
                    and isinstance(call["function"].get("arguments"), dict):
                return True
    return False


def _has_train(record: dict) -> bool:
    return any(isinstance(m, dict) and "train" in m for m in record.get("messages") or [])


TRL = "huggingface/trl docs/source/dataset_formats.md (HEAD f2cd577, 2026-07-24, via field-2026-12.md §2)"
HF = target(Target(
    name="hf", title="Hugging Face TRL (SFTTrainer, conversational)",
    format="JSONL: {messages: [{role, content, tool_calls: [{function: {name, arguments: OBJECT}}]}], tools}",
    holds=KINDS, to_target=converter("hf", weights=False), to_openai=to_openai, native=True,
    looks_native=lambda r: _has_object_arguments(r) and not _has_train(r), schema="hf.schema.json", weights=False,
    jobs_api="none built in: `trl sft` / accelerate on your GPUs, or `hf jobs run` (Pro/Team)",
    sources=(TRL, "huggingface.co/docs/trl/en/jobs_training")))

AXOLOTL_DOC = "axolotl-ai-cloud/axolotl:docs/dataset-formats/conversation.qmd (via field-2026-12.md §2, 2026-12-02)"
AXOLOTL = target(Target(
    name="axolotl", title="axolotl (chat_template dataset type)",
    format="JSONL: {messages: [{role, content, train: true|false, tool_calls (arguments as objects)}], tools}",
    holds=KINDS, to_target=converter("axolotl", weights=True), to_openai=to_openai, native=True,
    looks_native=lambda r: _has_train(r) or _has_object_arguments(r), schema="axolotl.schema.json", weights=True,
    jobs_api="none built in: `axolotl train config.yml` (type: chat_template, message_field_training: train)",
    sources=(AXOLOTL_DOC,)))
