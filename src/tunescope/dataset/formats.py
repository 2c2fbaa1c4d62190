"""Which training format one parsed JSON object is in, including near misses.

Detection looks only at keys and a shallow scan of `messages`; it never
validates (the checks do). Near misses are shapes people export from other
tools (LLaMA-Factory, ShareGPT, Alpaca, TRL...) that look like training data
but that OpenAI would reject; each has a name and a plain-language suggestion.

Reinforcement vs supervised: rows with a `developer` message, or with keys
beyond `messages`/`tools` (grader keys such as `reference_answer`) and no
assistant message, are reinforcement data. A row with only user/system
messages and nothing else is ambiguous on its own: it is reported as
REINFORCEMENT here (no per-row error) and `checks.model.is_prompt_only` lets the dataset
aggregator decide by file majority (see dataset_checks.py).
"""

from __future__ import annotations

from enum import Enum


class RecordKind(str, Enum):
    CHAT = "chat"                      # supervised chat: messages (+ tools, functions, weight, images)
    PREFERENCE = "preference"          # DPO: input / preferred_output / non_preferred_output
    REINFORCEMENT = "reinforcement"    # RFT: messages (developer/user, no assistant) + grader keys
    PROMPT_COMPLETION = "prompt_completion"  # legacy
    NEAR_MISS = "near_miss"            # looks like training data in a non-OpenAI shape (Alpaca, ShareGPT, LLaMA-Factory...)
    UNKNOWN = "unknown"                # a JSON object of no recognisable format
    INVALID = "invalid"                # not JSON, not an object, not UTF-8
    BLANK = "blank"                    # empty or whitespace-only line


CHAT_KEYS = frozenset({"messages", "tools", "parallel_tool_calls", "functions"})
PREFERENCE_KEYS = frozenset({"input", "preferred_output", "non_preferred_output"})
LEGACY_KEYS = frozenset({"prompt", "completion"})
RFT_RESERVED_KEYS = frozenset({"messages", "tools"})

# near-miss name -> (what it is, what the user probably meant)
NEAR_MISSES: dict[str, tuple[str, str]] = {
    "llamafactory": (
        "LLaMA-Factory-style chat data",
        "OpenAI chat format: text parts are {\"type\": \"text\", \"text\": ...} (not \"value\"), and per-message "
        "training control is \"weight\": 0 or 1 on assistant messages only (not \"loss_weight\")",
    ),
    "sharegpt": (
        "ShareGPT-style data (\"conversations\" or messages with \"from\"/\"value\")",
        "{\"messages\": [{\"role\": \"user\", \"content\": ...}, {\"role\": \"assistant\", \"content\": ...}]} "
        "(from human -> role user, from gpt -> role assistant, value -> content)",
    ),
    "messages_json_string": (
        "\"messages\" stored as a JSON string",
        "\"messages\" as a JSON list of message objects, not a string containing JSON",
    ),
    "chosen_rejected_messages": (
        "preference data with \"chosen_messages\"/\"rejected_messages\" (LLaMA-Factory)",
        "OpenAI preference format: {\"input\": {\"messages\": [...prompt...]}, \"preferred_output\": "
        "[assistant message], \"non_preferred_output\": [assistant message]}",
    ),
    "chosen_rejected": (
        "preference data with \"chosen\"/\"rejected\" (TRL/Anthropic-HH style)",
        "OpenAI preference format: {\"input\": {\"messages\": [...prompt...]}, \"preferred_output\": "
        "[assistant message], \"non_preferred_output\": [assistant message]}",
    ),
    "legacy_preference_names": (
        "preference data with the old \"preferred_completion\"/\"non_preferred_completion\" names",
        "the current names \"preferred_output\" and \"non_preferred_output\" (renamed in the API spec in July 2025)",
    ),
    "alpaca": (
        "Alpaca-style data (\"instruction\"/\"input\"/\"output\")",
        "{\"messages\": [{\"role\": \"user\", \"content\": instruction + input}, "
        "{\"role\": \"assistant\", \"content\": output}]}",
    ),
    "prompt_response": (
        "\"prompt\"/\"response\" pairs",
        "{\"messages\": [{\"role\": \"user\", \"content\": prompt}, {\"role\": \"assistant\", \"content\": response}]}",
    ),
    "qa_pairs": (
        "question/answer pairs",
        "{\"messages\": [{\"role\": \"user\", \"content\": question}, {\"role\": \"assistant\", \"content\": answer}]}",
    ),
    "gemini": (
        "Gemini/Vertex-style data (\"contents\" with \"parts\")",
        "{\"messages\": [{\"role\": \"user\", \"content\": ...}, {\"role\": \"assistant\", \"content\": ...}]} "
        "(role model -> assistant, parts[].text -> content)",
    ),
    "text_only": (
        "plain-text rows (\"text\" only, pre-training style)",
        "chat examples: {\"messages\": [...]} with the text split into user and assistant turns",
    ),
}


def detect(obj: dict, method: str | None = None) -> tuple[RecordKind, str | None]:
    """Kind of one parsed JSON object and, for near misses, the near-miss name."""
    if "messages" in obj:
        messages = obj["messages"]
        if isinstance(messages, str):
            return RecordKind.NEAR_MISS, "messages_json_string"
        if isinstance(messages, list):
            near = _near_miss_messages(messages)
            if near:
                return RecordKind.NEAR_MISS, near
            return _chat_or_reinforcement(obj, messages, method), None
        return (RecordKind.REINFORCEMENT if method == "reinforcement" else RecordKind.CHAT), None
    if obj and all(k in CHAT_KEYS for k in obj):
        return (RecordKind.REINFORCEMENT if method == "reinforcement" else RecordKind.CHAT), None   # no messages
    if "input" in obj and ("preferred_output" in obj or "non_preferred_output" in obj):
        return RecordKind.PREFERENCE, None
    if "preferred_completion" in obj or "non_preferred_completion" in obj:
        return RecordKind.NEAR_MISS, "legacy_preference_names"
    if "chosen_messages" in obj or "rejected_messages" in obj:
        return RecordKind.NEAR_MISS, "chosen_rejected_messages"
    if "chosen" in obj and "rejected" in obj:
        return RecordKind.NEAR_MISS, "chosen_rejected"
    if "instruction" in obj and ("output" in obj or "input" in obj):
        return RecordKind.NEAR_MISS, "alpaca"
    if "prompt" in obj and "response" in obj and "completion" not in obj:
        return RecordKind.NEAR_MISS, "prompt_response"
    lowered = {k.lower() for k in obj if isinstance(k, str)}
    if "prompt" in lowered or "completion" in lowered:
        return RecordKind.PROMPT_COMPLETION, None
    if "input" in obj and isinstance(obj["input"], dict):
        return RecordKind.PREFERENCE, None
    if "conversations" in obj or "conversation" in obj:
        return RecordKind.NEAR_MISS, "sharegpt"
    if "contents" in obj and isinstance(obj["contents"], list):
        return RecordKind.NEAR_MISS, "gemini"
    if ("question" in obj and "answer" in obj) or ("query" in obj and "response" in obj) \
            or ("input" in obj and "output" in obj):
        return RecordKind.NEAR_MISS, "qa_pairs"
    if "text" in obj and len(obj) <= 3:
        return RecordKind.NEAR_MISS, "text_only"
    return RecordKind.UNKNOWN, None


def _near_miss_messages(messages: list) -> str | None:
    """Shallow scan for LLaMA-Factory parts/loss_weight and ShareGPT from/value."""
    for m in messages:
        if not isinstance(m, dict):
            continue
        if "loss_weight" in m:
            return "llamafactory"
        if "role" not in m and "from" in m and "value" in m:
            return "sharegpt"
        content = m.get("content")
        if isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and "value" in part and "text" not in part:
                    return "llamafactory"
    return None


def _chat_or_reinforcement(obj: dict, messages: list, method: str | None) -> RecordKind:
    if method == "reinforcement":
        return RecordKind.REINFORCEMENT
    if method in ("supervised", "dpo"):
        return RecordKind.CHAT
    has_assistant = False
    has_developer = False
    for m in messages:
        if isinstance(m, dict):
            role = m.get("role")
            if role == "assistant":
                has_assistant = True
                break
            if role == "developer":
                has_developer = True
    if has_assistant:
        return RecordKind.CHAT
    if has_developer:
        return RecordKind.REINFORCEMENT
    for key in obj:
        if key not in CHAT_KEYS:
            return RecordKind.REINFORCEMENT   # grader keys such as reference_answer
    # Only user/system messages and nothing else: ambiguous; the aggregator decides.
    return RecordKind.REINFORCEMENT


def near_miss_text(name: str) -> tuple[str, str]:
    """(what it looks like, what the user probably meant) for a near-miss name."""
    return NEAR_MISSES.get(name, ("data in a non-OpenAI shape", "OpenAI chat format"))
