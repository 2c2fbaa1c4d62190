"""The bulk fixes the review offers, in menu order: (name, label, description).

The names are `EditSession.apply_fix` names; the fixes that depend on the
model's token limit get the model. To be read from the fix registry
(editing/fixes) once it declares labels and order.
"""

from __future__ import annotations

FIXES = [
    ("strip_whitespace", "Strip whitespace", "Remove whitespace and newlines around message texts."),
    ("dedupe", "Remove exact duplicates", "Keep the first of each group of identical examples."),
    ("drop_invalid", "Drop invalid lines", "Delete blank lines, lines that are not JSON, and non-objects."),
    ("drop_extra_keys", "Drop extra top-level keys", "Remove keys the format does not define (OpenAI rejects them)."),
    ("rename_near_miss", "Fix near-miss formats",
     "Rename look-alike keys (LLaMA-Factory, ShareGPT, ...) to OpenAI's chat format."),
    ("to_chat", "Convert prompt/completion to chat", "Turn legacy prompt/completion rows into chat messages."),
    ("drop_over_limit", "Drop examples over the token limit", "Delete examples longer than the model allows."),
    ("truncate_over_limit", "Truncate examples over the token limit",
     "Drop early turns until each example fits the model's limit."),
    ("to_jsonl", "Convert to JSONL", "Rewrite pretty-printed JSON or a JSON array as one object per line."),
]
MODEL_FIXES = {"drop_over_limit", "truncate_over_limit"}
