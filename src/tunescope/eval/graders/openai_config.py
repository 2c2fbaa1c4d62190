"""OpenAI grader configs (the JSON of an RFT job's `grader`) as graders here, so one file grades both.

Supported: `string_check` (eq, ne, like, ilike), `text_similarity` (fuzzy_match; the other metrics
name the graders to use instead), `score_model` (through any model on the chosen backend) and
`multi` (sub-graders combined by `calculate_output`, a +-*/ formula with min/max/abs). Templates
`{{sample.output_text}}`, `{{sample.output_json.KEY}}` and `{{item.KEY}}` are filled in per example.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tunescope.eval.graders.registry import GraderError, grader
from tunescope.train import reward

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def render(template: str, example, answer) -> str:
    """A template with sample.* and item.* filled in ("" where a key is missing): the real trainer's rendering."""
    return reward.render(template, example.item or {}, answer.text or "")


def _formula(text: str, values: dict[str, float]) -> float:
    """`calculate_output` of a multi grader, evaluated without eval() (the real trainer's formula)."""
    try:
        return reward.formula(text, values)
    except ValueError as exc:
        raise GraderError(str(exc)) from None


def _string_check(config: dict):
    op = config.get("operation", "eq")
    if op not in ("eq", "ne", "like", "ilike"):
        raise GraderError(f"string_check operation {op!r}: use eq, ne, like or ilike")

    def grade(example, answer, ctx):   # scored as the real trainer scores its reward
        return reward.score(config, example.item or {}, answer.text or "")
    return grade


def _text_similarity(config: dict):
    metric = config.get("evaluation_metric", "fuzzy_match")
    if metric != "fuzzy_match":
        raise GraderError(f"text_similarity metric {metric!r} is not supported here (only fuzzy_match); use "
                          "--grader similarity or an llm_judge instead")

    def grade(example, answer, ctx):   # scored as the real trainer scores its reward
        return reward.score(config, example.item or {}, answer.text or "")
    return grade


def _score_model(config: dict):
    model = config.get("model")
    messages = config.get("input")
    if not isinstance(model, str) or not isinstance(messages, list):
        raise GraderError("score_model needs 'model' (a string) and 'input' (a list of messages)")
    low, high = (config.get("range") or [0, 1])[:2]

    def grade(example, answer, ctx):
        filled = [{"role": m.get("role", "user"), "content": render(str(m.get("content", "")), example, answer)}
                  for m in messages if isinstance(m, dict)]
        reply = ctx.ask(model, filled)
        try:
            value = float(json.loads(reply)["result"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            found = _NUMBER.search(reply)
            if not found:
                return 0.0, f"score model gave no number: {' '.join(reply.split())[:120]}"
            value = float(found.group())
        return (value - low) / (high - low) if high != low else 0.0
    return grade


def _multi(config: dict):
    subs = config.get("graders")
    if not isinstance(subs, dict) or not subs:
        raise GraderError("multi grader needs 'graders': an object of named sub-graders")
    built = {name: build_openai(sub)[0] for name, sub in subs.items()}
    formula = config.get("calculate_output") or " + ".join(built)
    _formula(formula, {name: 0.5 for name in built})  # a bad formula fails now, not per example

    def grade(example, answer, ctx):
        values = {}
        for name, fn in built.items():
            out = fn(example, answer, ctx)
            values[name] = out[0] if isinstance(out, tuple) else out
        return _formula(formula, values)
    return grade


BUILDERS = {"string_check": _string_check, "text_similarity": _text_similarity, "score_model": _score_model,
            "multi": _multi}


def build_openai(config) -> tuple:
    """(grade function, pass threshold) of one OpenAI grader config."""
    if not isinstance(config, dict) or config.get("type") not in BUILDERS:
        kind = config.get("type") if isinstance(config, dict) else type(config).__name__
        raise GraderError(f"OpenAI grader type {kind!r} is not supported; use one of {', '.join(BUILDERS)}")
    threshold = config.get("pass_threshold", 1.0 if config["type"] == "string_check" else 0.5)
    return BUILDERS[config["type"]](config), float(threshold)


def read_config(path: str) -> dict:
    """An OpenAI grader config from a JSON file (or the `grader` of a job-creation body in it)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise GraderError(f"grader file {path!r}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise GraderError(f"grader file {path!r}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if isinstance(data, dict) and isinstance(data.get("grader"), dict):
        data = data["grader"]
    return data


@grader("openai", "OpenAI grader config", "an OpenAI grader (string_check, text_similarity, score_model, multi) "
        "from a JSON file, as an RFT job takes it", threshold=0.5, arg="config file", uses_model=True)
def openai_grader(options: dict):
    config = options.get("config") or read_config(options["arg"])
    fn, _ = build_openai(config)
    return fn
