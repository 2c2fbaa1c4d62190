"""The baseline: the OpenAI cookbook's data-prep notebook (Chat_finetuning_data_prep.ipynb), as written.

json.loads every line into a list, run its format checks, then tiktoken
`encode` per message value, single-threaded. Non-string values (None content,
tool_calls) are skipped where the notebook would crash, so it runs to the end.

    python benchmarks/cookbook_baseline.py FILE
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict

import tiktoken


def main(path: str) -> None:
    with open(path, "r", encoding="utf-8") as f:
        dataset = [json.loads(line) for line in f]
    format_errors: dict = defaultdict(int)
    for ex in dataset:
        if not isinstance(ex, dict):
            format_errors["data_type"] += 1
            continue
        messages = ex.get("messages", None)
        if not messages:
            format_errors["missing_messages_list"] += 1
            continue
        for message in messages:
            if "role" not in message or "content" not in message:
                format_errors["message_missing_key"] += 1
            if any(k not in ("role", "content", "name", "function_call", "weight") for k in message):
                format_errors["message_unrecognized_key"] += 1
            if message.get("role", None) not in ("system", "user", "assistant", "function"):
                format_errors["unrecognized_role"] += 1
            content = message.get("content", None)
            function_call = message.get("function_call", None)
            if (not content and not function_call) or not isinstance(content, str):
                format_errors["missing_content"] += 1
        if not any(message.get("role", None) == "assistant" for message in messages):
            format_errors["example_missing_assistant_message"] += 1
    encoding = tiktoken.get_encoding("o200k_base")

    def num_tokens_from_messages(messages, tokens_per_message=3, tokens_per_name=1):
        num_tokens = 0
        for message in messages:
            num_tokens += tokens_per_message
            for key, value in message.items():
                if isinstance(value, str):
                    num_tokens += len(encoding.encode(value))
                if key == "name":
                    num_tokens += tokens_per_name
        num_tokens += 3
        return num_tokens

    def num_assistant_tokens_from_messages(messages):
        return sum(len(encoding.encode(m["content"])) for m in messages
                   if m.get("role") == "assistant" and isinstance(m.get("content"), str))

    n_missing_system = n_missing_user = 0
    n_messages, convo_lens, assistant_message_lens = [], [], []
    for ex in dataset:
        messages = ex["messages"]
        if not any(m["role"] == "system" for m in messages):
            n_missing_system += 1
        if not any(m["role"] == "user" for m in messages):
            n_missing_user += 1
        n_messages.append(len(messages))
        convo_lens.append(num_tokens_from_messages(messages))
        assistant_message_lens.append(num_assistant_tokens_from_messages(messages))
    n_too_long = sum(length > 65536 for length in convo_lens)
    print(json.dumps({"examples": len(dataset), "errors": sum(format_errors.values()),
                      "total_tokens": sum(convo_lens), "too_long": n_too_long}))


if __name__ == "__main__":
    main(sys.argv[1])
