"""Legacy prompt/completion rows (babbage-002 / davinci-002), after the old `prepare_data` validators.

Per row: the two keys (case included), string types, empty completion, very
long pairs, special tokens. The file-wide heuristics (common separator and
ending, common prefixes, leading space, identical prompts or completions,
classification inference, upper case) run in dataset_checks.py on the small
`facts` each row carries: heads/tails of the texts and which of the standard
separator/ending candidates occur in it.
"""

from __future__ import annotations

from tunescope.checks.model import RecordAnalysis
from tunescope.checks.example.content import scan_text
from tunescope.checks.context import Ctx, describe
from tunescope.checks.keys import ENDINGS, SEPARATORS, bounded, digest
from tunescope.checks.example.schema import EXTRA_TOP_LEVEL_KEY
from tunescope.checks.registry import E, W, check

LEGACY_KEY_CASE = check("legacy_key_case", E, "legacy", "prompt/completion key case",
                        "The key must be lowercase prompt/completion (L02/L03).", ref="L02/L03")
LEGACY_MISSING_KEY = check("legacy_missing_key", E, "legacy", "Missing prompt or completion",
                           "A legacy row lacks prompt or completion (L02/L03).", ref="L02/L03")
LEGACY_NOT_STRING = check("legacy_not_string", E, "legacy", "prompt/completion not a string",
                          "prompt and completion must be strings.")
LEGACY_EMPTY_COMPLETION = check("legacy_empty_completion", E, "legacy", "Empty completion",
                                "completion is an empty string (L05).", ref="L05")
LEGACY_LONG_EXAMPLE = check("legacy_long_example", W, "legacy", "Very long example",
                            "prompt + completion over 10,000 characters (L08).", ref="L08")

LONG_CHARS = 10_000
HEAD, TAIL = 40, 40


def analyze_legacy(obj: dict, ctx: Ctx, an: RecordAnalysis) -> None:
    texts = {}
    extras = []
    for key in obj:
        low = key.lower() if isinstance(key, str) else key
        if key in ("prompt", "completion"):
            continue
        if low in ("prompt", "completion"):
            ctx.add(LEGACY_KEY_CASE, f"{ctx.where()}: the `{low}` column/key should be lowercase (found {key!r}).",
                    f"Rename {key!r} to \"{low}\".", path=f"$.{key}")
            texts.setdefault(low, obj[key])
        else:
            extras.append(key)
    for key in ("prompt", "completion"):
        if key in obj:
            texts[key] = obj[key]
        elif key not in texts:
            ctx.add(LEGACY_MISSING_KEY, f"{ctx.where()}: `{key}` column/key is missing.",
                    f"Add \"{key}\" (a string) to every row.", path="$")
    for key in extras:
        ctx.add(EXTRA_TOP_LEVEL_KEY, f"Invalid file format. {ctx.where()} contains an extra \"{key}\".",
                "Prompt/completion rows take exactly two keys: prompt and completion. Remove the others.",
                path=f"$.{key}")
    an.extra_keys = tuple(extras)
    prompt, completion = texts.get("prompt"), texts.get("completion")
    for key, value in (("prompt", prompt), ("completion", completion)):
        if value is not None and not isinstance(value, str) or (value is None and key in texts):
            ctx.add(LEGACY_NOT_STRING, f"{ctx.where()}: `{key}` must be a string, found {describe(value)}.",
                    f"Write the {key} as text.", path=f"$.{key}")
    if not isinstance(prompt, str):
        prompt = None
    if not isinstance(completion, str):
        completion = None
    if completion is not None and not completion:
        ctx.add(LEGACY_EMPTY_COMPLETION, f"{ctx.where()}: `completion` should not be an empty string.",
                "Write the completion, or remove the row.", path="$.completion")
    if prompt is not None and completion is not None and len(prompt) + len(completion) > LONG_CHARS:
        ctx.add(LEGACY_LONG_EXAMPLE,
                f"{ctx.where()} is very long ({len(prompt) + len(completion):,} characters); for conditional "
                "generation and classification, examples shouldn't be longer than 2048 tokens.",
                "Shorten or split the example.", path="$")
    for key, value in (("prompt", prompt), ("completion", completion)):
        if value:
            scan_text(ctx, value, None, f"$.{key}")
    an.n_messages = 2
    if prompt is not None:
        an.input_key = digest(prompt)
    if completion is not None:
        an.final_reply = bounded(completion, 200)
        an.output_key = digest(completion)
    if prompt is not None and completion is not None:
        an.facts = _facts(prompt, completion)


def _facts(prompt: str, completion: str) -> dict:
    return {
        "p_head": prompt[:HEAD], "p_tail": prompt[-TAIL:], "p_len": len(prompt),
        "c_head": completion[:HEAD], "c_tail": completion[-TAIL:], "c_len": len(completion),
        "p_newline": "\n" in prompt,
        "sep_mask": sum(1 << k for k, s in enumerate(SEPARATORS) if s in prompt),
        "end_mask": sum(1 << k for k, s in enumerate(ENDINGS) if s in completion),
        "p_upper": sum(map(str.isupper, prompt)), "p_lower": sum(map(str.islower, prompt)),
        "c_upper": sum(map(str.isupper, completion)), "c_lower": sum(map(str.islower, completion)),
    }
