"""LLaMA-Factory, ShareGPT formatting, with the `dataset_info.json` entry that tells it how to read the file.

{"conversations": [{"from": "human"|"gpt"|"function_call"|"observation", "value": str}], "system": str,
"tools": str}: `human`/`observation` turns sit at even positions and `gpt`/`function_call` at odd ones, and
the conversation ends with a model turn. A `function_call` value is the JSON of {"name", "arguments"} (a
JSON list of them for parallel calls); an `observation` is the tool's text (a JSON list of texts after
parallel calls); `tools` is the JSON text of the function definitions. There is no per-message weight and
no tool-call id. `export --to llamafactory -o data.jsonl` also writes (or updates) `dataset_info.json`
beside it. Source: hiyouga/LLaMA-Factory data/README.md (sharegpt section) as summarised in
field-2026-12.md §2 (2026-12-02).
"""

from __future__ import annotations

import json
import os

from tunescope.checks.registry import Severity, check
from tunescope.dataset.formats import RecordKind
from tunescope.targets.common import (modernised, arguments_object, arguments_string, call_id, not_held, split_content,
                                      weight_zero_lost)
from tunescope.targets.registry import Notes, Target, target

NAME = "llamafactory"
KINDS = frozenset({RecordKind.CHAT})
README = "hiyouga/LLaMA-Factory:data/README.md (sharegpt format)"
MODEL_SIDE = ("gpt", "function_call")

LLAMAFACTORY_TURN_ORDER = check(
    "llamafactory_turn_order", Severity.ERROR, "target", "LLaMA-Factory: turns out of order",
    "In ShareGPT data LLaMA-Factory expects human/observation turns at even positions and gpt/function_call "
    "turns at odd positions, ending with a model turn; other orders are dropped when the dataset loads.")


def to_llamafactory(record: dict, kind: RecordKind, notes: Notes) -> dict | None:
    if kind not in KINDS:
        not_held(kind, notes, NAME, KINDS)
        return None
    record = modernised(record, notes, NAME)
    system: list[str] = []
    turns: list[dict] = []
    for key in record:
        if key not in ("messages", "tools"):
            notes.lost("key_not_carried", f"{NAME}: the top-level key {key!r} is left out", f"$.{key}")
    had_calls = False
    tool_outputs: list[str] = []
    for i, message in enumerate(record.get("messages") or []):
        where = f"$.messages[{i}]"
        role = message.get("role") if isinstance(message, dict) else None
        texts, images = split_content(message.get("content") if role else None, notes, f"{where}.content", NAME)
        if images:
            notes.lost("image_not_carried", f"{NAME}: images are not carried (ShareGPT images need an `images` "
                       "column and <image> tags this export does not write)", f"{where}.content")
        text = "\n".join(texts)
        if role != "tool" and tool_outputs:
            _add(turns, "observation", _joined(tool_outputs), notes, where)
            tool_outputs = []
        if role == "system":
            system.append(text)
        elif role == "user":
            _add(turns, "human", text, notes, where)
        elif role == "assistant":
            weight_zero_lost(message, notes, where, NAME)
            calls = message.get("tool_calls") or []
            if text or not calls:
                _add(turns, "gpt", text, notes, where)
            if calls:
                had_calls = True
                values = [{"name": c["function"].get("name"), "arguments": arguments_object(
                    c["function"].get("arguments"), notes, f"{where}.tool_calls[{j}].function.arguments", NAME)}
                    for j, c in enumerate(calls) if isinstance(c, dict) and isinstance(c.get("function"), dict)]
                _add(turns, "function_call", json.dumps(values[0] if len(values) == 1 else values,
                                                        ensure_ascii=False), notes, where)
        elif role == "tool":
            tool_outputs.append(text)
        else:
            notes.lost("message_not_carried", f"{NAME}: role {role!r} has no ShareGPT equivalent", where)
    if tool_outputs:
        _add(turns, "observation", _joined(tool_outputs), notes, "$.messages")
    if had_calls:
        notes.changed("tool_call_ids_renumbered", f"{NAME} keeps no tool-call ids; they are numbered again on the "
                      "way back")
    if not turns or any((t["from"] in MODEL_SIDE) != (i % 2 == 1) for i, t in enumerate(turns)) or len(turns) % 2:
        notes.lost("example_not_carried", f"{NAME}: the turns do not alternate user-side / model-side from a user "
                   "turn to a model turn, so LLaMA-Factory would drop the example; it is not exported")
        return None
    out: dict = {"conversations": turns}
    if system:
        out["system"] = "\n".join(system)
    tools = record.get("tools")
    if isinstance(tools, list) and tools:
        out["tools"] = json.dumps([t["function"] for t in tools if isinstance(t, dict) and "function" in t],
                                  ensure_ascii=False)
    return out


def _joined(outputs: list[str]) -> str:
    return outputs[0] if len(outputs) == 1 else json.dumps(outputs, ensure_ascii=False)


def _add(turns: list, who: str, value: str, notes: Notes, where: str) -> None:
    if who == "function_call" and turns and turns[-1]["from"] == "gpt":
        dropped = turns.pop()
        if dropped["value"]:
            notes.lost("content_not_carried", f"{NAME}: a function_call turn holds no text; the assistant text "
                       f"before the tool calls ({len(dropped['value'])} characters) is left out", where)
    if turns and turns[-1]["from"] == who and who in ("human", "gpt"):
        notes.changed("turns_joined", f"{NAME}: two {who} turns in a row are joined into one", where)
        turns[-1]["value"] += "\n" + value
        return
    turns.append({"from": who, "value": value})


def from_llamafactory(record: dict) -> dict:
    messages: list[dict] = []
    if isinstance(record.get("system"), str) and record["system"]:
        messages.append({"role": "system", "content": record["system"]})
    pending: list[str] = []
    for turn in record.get("conversations") or []:
        who, value = turn.get("from"), turn.get("value", "")
        if who == "human":
            messages.append({"role": "user", "content": value})
        elif who == "gpt":
            messages.append({"role": "assistant", "content": value})
        elif who == "function_call":
            parsed = json.loads(value)
            calls = parsed if isinstance(parsed, list) else [parsed]
            ids = [call_id(len(messages), j) for j in range(len(calls))]
            tool_calls = [{"id": cid, "type": "function", "function": {
                "name": c.get("name"), "arguments": arguments_string(c.get("arguments", {}))}}
                for cid, c in zip(ids, calls)]
            if messages and messages[-1]["role"] == "assistant" and "tool_calls" not in messages[-1]:
                messages[-1]["tool_calls"] = tool_calls
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": tool_calls})
            pending = ids
        elif who == "observation":
            outputs = [value]
            if len(pending) > 1:
                try:
                    parsed = json.loads(value)
                except ValueError:
                    parsed = None
                if isinstance(parsed, list) and len(parsed) == len(pending):
                    outputs = parsed
            for cid, text in zip(pending or [call_id(len(messages), 0)], outputs):
                messages.append({"role": "tool", "tool_call_id": cid, "content": text})
            pending = []
    out: dict = {"messages": messages}
    if isinstance(record.get("tools"), str) and record["tools"]:
        out["tools"] = [{"type": "function", "function": f} for f in json.loads(record["tools"])]
    return out


def looks_llamafactory(record: dict) -> bool:
    return isinstance(record.get("conversations"), list)


def dataset_info_entry(file_name: str) -> dict:
    return {"file_name": file_name, "formatting": "sharegpt",
            "columns": {"messages": "conversations", "system": "system", "tools": "tools"},
            "tags": {"role_tag": "from", "content_tag": "value", "user_tag": "human", "assistant_tag": "gpt",
                     "observation_tag": "observation", "function_tag": "function_call", "system_tag": "system"}}


def write_dataset_info(paths: list[str]) -> list[str]:
    """Add (or replace) one entry per written file in dataset_info.json beside it; returns the paths written."""
    written = []
    for path in paths:
        info_path = os.path.join(os.path.dirname(os.path.abspath(path)), "dataset_info.json")
        info = {}
        if os.path.exists(info_path):
            with open(info_path, encoding="utf-8") as fh:
                info = json.load(fh)
        name = os.path.splitext(os.path.basename(path))[0]
        info[name] = dataset_info_entry(os.path.basename(path))
        tmp = info_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(info, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        os.replace(tmp, info_path)
        written.append(info_path)
    return sorted(set(written))


def llamafactory_rows(record: dict, emit) -> None:
    turns = record.get("conversations")
    if not isinstance(turns, list):
        return
    for i, turn in enumerate(turns):
        who = turn.get("from") if isinstance(turn, dict) else None
        if (who in MODEL_SIDE) != (i % 2 == 1):
            emit(LLAMAFACTORY_TURN_ORDER, f"llamafactory: turn {i} is {who!r} at an {'odd' if i % 2 else 'even'} "
                 "position", "human/observation at even positions, gpt/function_call at odd ones",
                 f"$.conversations[{i}].from")
            return
    if turns and len(turns) % 2:
        emit(LLAMAFACTORY_TURN_ORDER, "llamafactory: the conversation does not end with a model turn", "",
             "$.conversations")


LLAMAFACTORY = target(Target(
    name=NAME, title="LLaMA-Factory (ShareGPT + dataset_info.json)",
    format="JSONL: {conversations: [{from: human|gpt|function_call|observation, value}], system, tools (JSON "
           "text)} + a dataset_info.json entry",
    holds=KINDS, to_target=to_llamafactory, to_openai=from_llamafactory, native=True,
    looks_native=looks_llamafactory, schema="llamafactory.schema.json", weights=False,
    jobs_api="none: `llamafactory-cli train cfg.yaml` (no REST API, LLaMA-Factory#3485)",
    rules=(LLAMAFACTORY_TURN_ORDER,), native_rules=llamafactory_rows, companion=write_dataset_info,
    sources=(README, "hiyouga/LLaMA-Factory#3485")))
