"""One OpenAI chat example as the model sees it: the chat template's text, its tokens and the loss mask.

The mask is built by prefix rendering, which works for any chat template (no `{% generation %}`
markers needed): for each trained assistant message, the template is rendered up to the message
with the generation prompt and again through the message; the characters between the two are
the reply (with the template's end-of-turn text). A token is trained when it starts inside such a
span. OpenAI trains every assistant message except those with `weight: 0`; so does this.

OpenAI rows are made template-ready first: string `arguments` of tool calls become dicts (HF
templates expect them), a legacy `function` message becomes a `tool` message, and `weight` is
removed. The tokenizer is duck-typed (a transformers fast tokenizer), so this module imports
nothing heavy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field


class TemplateError(ValueError):
    """The chat template cannot render the example so that its replies can be located."""


@dataclass
class RenderedExample:
    text: str
    input_ids: list[int]
    mask: list[int]                 # 1 = the token is trained
    full_length: int                # tokens before truncation
    truncated: bool = False
    spans: list[tuple[int, int]] = field(default_factory=list)   # trained character spans of `text`

    @property
    def trained_tokens(self) -> int:
        return sum(self.mask)


def _template_message(message: dict) -> dict:
    out = {k: v for k, v in message.items() if k != "weight"}
    if out.get("role") == "function":  # legacy function-calling result
        out["role"] = "tool"
    if out.get("content") is None:
        out["content"] = ""
    calls = out.get("tool_calls")
    if calls:
        fixed = []
        for call in calls:
            call = dict(call)
            function = dict(call.get("function") or {})
            if isinstance(function.get("arguments"), str):
                try:
                    function["arguments"] = json.loads(function["arguments"] or "{}")
                except json.JSONDecodeError:
                    pass  # the checker reports it; the template gets the text as it is
            call["function"] = function
            fixed.append(call)
        out["tool_calls"] = fixed
    if "function_call" in out and "tool_calls" not in out:  # legacy assistant function call
        call = dict(out.pop("function_call"))
        if isinstance(call.get("arguments"), str):
            try:
                call["arguments"] = json.loads(call["arguments"] or "{}")
            except json.JSONDecodeError:
                pass
        out["tool_calls"] = [{"type": "function", "function": call}]
    return out


def template_messages(messages: list[dict]) -> list[dict]:
    return [_template_message(m) for m in messages]


def template_tools(example: dict) -> list[dict] | None:
    """`tools` of the example, or its legacy `functions` as tools."""
    if example.get("tools"):
        return example["tools"]
    if example.get("functions"):
        return [{"type": "function", "function": f} for f in example["functions"]]
    return None


def is_trained(message: dict) -> bool:
    return message.get("role") == "assistant" and message.get("weight", 1) != 0


def _render(tokenizer, messages: list[dict], tools, generation_prompt: bool) -> str:
    return tokenizer.apply_chat_template(messages, tools=tools, tokenize=False,
                                         add_generation_prompt=generation_prompt)


def trained_spans(tokenizer, example: dict) -> tuple[str, list[tuple[int, int]]]:
    """The rendered text of the example and the character spans that carry loss."""
    raw = example["messages"]
    messages, tools = template_messages(raw), template_tools(example)
    text = _render(tokenizer, messages, tools, False)
    spans = []
    for i, message in enumerate(raw):
        if not is_trained(message):
            continue
        before = _render(tokenizer, messages[:i], tools, True)
        through = _render(tokenizer, messages[: i + 1], tools, False)
        if not (through.startswith(before) and text.startswith(through)):
            raise TemplateError(f"message {i + 1}: the chat template renders this conversation differently when it "
                                "is cut after this message, so the reply's tokens cannot be located; use a template "
                                "whose rendering of a conversation starts with the rendering of its beginning")
        if len(through) > len(before):
            spans.append((len(before), len(through)))
    return text, spans


def render_example(tokenizer, example: dict, max_length: int) -> RenderedExample:
    """Tokens and loss mask of one chat example, cut to `max_length` tokens (keeping the start)."""
    text, spans = trained_spans(tokenizer, example)
    encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = list(encoded["input_ids"])
    mask = [int(any(a <= start < b for a, b in spans)) for start, _ in encoded["offset_mapping"]]
    full = len(ids)
    return RenderedExample(text, ids[:max_length], mask[:max_length], full, full > max_length, spans)


def render_prompt(tokenizer, messages: list[dict], tools=None) -> str:
    """The text a model continues to answer `messages` (the template with its generation prompt)."""
    return _render(tokenizer, template_messages(messages), tools, True)


def preference_rows(path) -> list[dict]:
    """OpenAI preference (DPO) rows as TRL's conversational prompt/chosen/rejected (tools dropped)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            example = json.loads(line)
            rows.append({"prompt": template_messages(example["input"]["messages"]),
                         "chosen": template_messages(example["preferred_output"]),
                         "rejected": template_messages(example["non_preferred_output"])})
    return rows


def rft_rows(path) -> list[dict]:
    """OpenAI reinforcement rows as TRL's conversational prompts; the other keys (what the grader reads as
    `{{item.KEY}}`) travel as one JSON string, `item`, so rows with different keys share one dataset schema."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            example = json.loads(line)
            item = {key: value for key, value in example.items() if key not in ("messages", "tools")}
            rows.append({"prompt": template_messages(example["messages"]), "item": json.dumps(item)})
    return rows
