"""What an example asks and what it should answer, for each record kind.

- chat: the conversation up to its last assistant message is the prompt, that message the reference;
- DPO (preference): `input.messages` is the prompt, the last message of `preferred_output` the reference;
- RFT: `messages` is the prompt; every other top-level key (except `tools`) is a reference key that
  graders may name (`{{item.answer}}` in an OpenAI grader config).
Lines that are not such records are skipped with a reason, never a traceback.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from tunescope.dataset.formats import RecordKind, detect
from tunescope.dataset.records import content_text, messages_of


@dataclass(frozen=True)
class EvalExample:
    """One prompt with its reference; `line` is 1-based in the file."""

    line: int
    kind: str                         # "chat", "dpo" or "rft"
    messages: list[dict]
    reference: str | None             # the reference reply's text (None: the reference is only tool calls or keys)
    reference_tool_calls: list[dict] | None = None
    tools: list[dict] | None = None
    item: dict = field(default_factory=dict)   # the whole record, for `{{item.KEY}}` references

    @property
    def prompt_text(self) -> str:
        """The last user message's text (for one-line views)."""
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return content_text(message.get("content"))
        return ""


@dataclass
class LoadedExamples:
    examples: list[EvalExample]
    skipped: list[tuple[int, str]]    # (line, why)
    total: int                        # usable examples before sampling


def _reply_parts(message: dict) -> tuple[str | None, list[dict] | None]:
    content = message.get("content")
    text = content_text(content) if content is not None else None
    calls = message.get("tool_calls")
    return text, calls if isinstance(calls, list) and calls else None


def example_of(obj: dict, line: int) -> EvalExample | str:
    """The example a record makes, or why it makes none."""
    kind, _ = detect(obj)
    tools = obj.get("tools") if isinstance(obj.get("tools"), list) else None
    if kind is RecordKind.CHAT:
        messages = messages_of(obj) or []
        last = max((i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == "assistant"),
                   default=None)
        if last is None or last == 0:
            return "no assistant message after a prompt: nothing to compare an answer with"
        text, calls = _reply_parts(messages[last])
        return EvalExample(line, "chat", messages[:last], text, calls, tools, obj)
    if kind is RecordKind.PREFERENCE:
        preferred = obj.get("preferred_output")
        if not isinstance(preferred, list) or not preferred or not isinstance(preferred[-1], dict):
            return "preferred_output is not a list of messages"
        text, calls = _reply_parts(preferred[-1])
        return EvalExample(line, "dpo", messages_of(obj) or [], text, calls, tools, obj)
    if kind is RecordKind.REINFORCEMENT:
        messages = messages_of(obj) or []
        keys = {k: v for k, v in obj.items() if k not in ("messages", "tools")}
        reference = next((str(v) for v in keys.values() if isinstance(v, (str, int, float))), None)
        return EvalExample(line, "rft", messages, reference, None, tools, obj)
    return f"a {kind.value} record: evaluation needs chat, DPO or RFT records"


def load_examples(path: str | Path, sample: int | None = None, seed: int = 0) -> LoadedExamples:
    """Every usable example of a JSONL file; `sample` picks a reproducible subset (same seed, same lines)."""
    examples: list[EvalExample] = []
    skipped: list[tuple[int, str]] = []
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                skipped.append((number, f"not valid JSON ({exc}); run `tunescope check` to find and fix it"))
                continue
            if not isinstance(obj, dict):
                skipped.append((number, "not a JSON object"))
                continue
            made = example_of(obj, number)
            if isinstance(made, str):
                skipped.append((number, made))
            else:
                examples.append(made)
    total = len(examples)
    if sample is not None and sample < total:
        picked = sorted(random.Random(seed).sample(range(total), sample))
        examples = [examples[i] for i in picked]
    return LoadedExamples(examples, skipped, total)
