"""Generate a large, realistic supervised-chat JSONL file for benchmarks.

Realistic means what real files look like: one system prompt shared by most
lines (with a few variants), user and assistant turns of varied length,
some multi-turn conversations, and ~10% of lines carrying the same tool
definitions. Deterministic for a given seed.

    python benchmarks/gen_chat.py 100000 /tmp/chat100k.jsonl
"""

from __future__ import annotations

import argparse
import json
import random

WORDS = ("the of and to in is you that it he was for on are as with his they at be this have from or one had by "
         "word but not what all were we when your can said there use an each which she do how their if will up other "
         "about out many then them these so some her would make like him into time has look two more write go see "
         "number no way could people my than first water been call who oil its now find long down day did get come "
         "made may part model data train token dataset fine tune loss epoch batch learning rate assistant user system "
         "function call arguments weather order refund account shipping invoice password reset").split()
SYSTEMS = [
    "You are a helpful customer-support assistant for Acme Corp. Answer concisely, cite the policy section when "
    "relevant, and never invent order numbers. If you do not know, say so and offer to escalate to a human agent.",
    "You are a helpful customer-support assistant for Acme Corp. Answer concisely and cite the policy section.",
    "You are Marv, a chatbot that is factual but sarcastic.",
]
TOOLS = [{"type": "function", "function": {
    "name": "get_order_status", "description": "Look up the status of an order by its id.",
    "parameters": {"type": "object", "properties": {
        "order_id": {"type": "string", "description": "The order id, e.g. A-12345."},
        "include_items": {"type": "boolean", "description": "Whether to list the items."}},
        "required": ["order_id"]}}},
    {"type": "function", "function": {
        "name": "issue_refund", "description": "Refund an order, fully or partially.",
        "parameters": {"type": "object", "properties": {
            "order_id": {"type": "string"}, "amount": {"type": "number"},
            "reason": {"type": "string", "enum": ["damaged", "late", "wrong_item", "other"]}},
            "required": ["order_id", "reason"]}}}]


def sentence(rng: random.Random, lo: int, hi: int) -> str:
    n = rng.randint(lo, hi)
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def example(rng: random.Random, i: int) -> dict:
    r = rng.random()
    system = SYSTEMS[0] if r < 0.85 else SYSTEMS[1] if r < 0.95 else SYSTEMS[2]
    messages = [{"role": "system", "content": system}]
    if rng.random() < 0.10:
        oid = f"A-{rng.randint(10000, 99999)}"
        messages += [
            {"role": "user", "content": sentence(rng, 10, 40) + f" My order is {oid}."},
            {"role": "assistant", "content": None, "tool_calls": [{"id": f"call_{i}", "type": "function",
             "function": {"name": "get_order_status", "arguments": json.dumps({"order_id": oid})}}]},
            {"role": "tool", "tool_call_id": f"call_{i}", "content": json.dumps({"status": "shipped", "eta": "2 days"})},
            {"role": "assistant", "content": sentence(rng, 20, 120)},
        ]
        return {"messages": messages, "tools": TOOLS}
    for _ in range(1 if rng.random() < 0.7 else rng.randint(2, 3)):
        messages.append({"role": "user", "content": sentence(rng, 20, 180)})
        messages.append({"role": "assistant", "content": sentence(rng, 30, 300)})
    return {"messages": messages}


def generate(n: int, path: str, seed: int = 0) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps(example(rng, i), ensure_ascii=False))
            fh.write("\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a realistic supervised-chat JSONL file for benchmarks.")
    parser.add_argument("lines", type=int, help="how many examples to write")
    parser.add_argument("path", help="the JSONL file to write")
    parser.add_argument("seed", type=int, nargs="?", default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    if args.lines < 0:
        parser.error("lines must be 0 or more")
    generate(args.lines, args.path, args.seed)


if __name__ == "__main__":
    main()
