"""The reward of a reinforcement (GRPO) job: its OpenAI grader config scored offline, per completion.

`tunescope serve --trainer hf` trains reinforcement jobs whose grader runs without a model:
`string_check` (eq, ne, like, ilike), `text_similarity` (fuzzy_match, rapidfuzz's ratio on
whitespace-normalised text) and `multi` of those (combined by `calculate_output`, a +-*/ formula
with min/max/abs, evaluated without eval()). Templates `{{sample.output_text}}`,
`{{sample.output_json.KEY}}` and `{{item.KEY}}` are filled from the completion and the row's
reference keys. Light (no torch): the server checks a grader with `unsupported_reason` at creation.
"""

from __future__ import annotations

import ast
import json
import operator
import re

from rapidfuzz import fuzz

OFFLINE_GRADERS = ("string_check", "text_similarity", "multi")
"""The grader types a reinforcement job of the real trainer may use (multi: of these only)."""
_TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.USub: operator.neg}
_FUNCS = {"min": min, "max": max, "abs": abs}


def unsupported_reason(grader) -> str | None:
    """Why the real trainer cannot score `grader` (a sentence), or None when it can."""
    kind = grader.get("type") if isinstance(grader, dict) else None
    if kind not in OFFLINE_GRADERS:
        return (f"grader type {kind!r} is not supported by tunescope serve --trainer hf (supported: "
                f"{', '.join(OFFLINE_GRADERS)} of those); score_model, label_model and python graders need the "
                "OpenAI service")
    if kind == "text_similarity" and grader.get("evaluation_metric", "fuzzy_match") != "fuzzy_match":
        return f"text_similarity metric {grader.get('evaluation_metric')!r} is not supported (only fuzzy_match)"
    if kind == "multi":
        subs = grader.get("graders")
        if not isinstance(subs, dict) or not subs:
            return "a multi grader needs 'graders': an object of named sub-graders"
        for name, sub in subs.items():
            reason = unsupported_reason(sub)
            if reason:
                return f"sub-grader {name!r}: {reason}"
    return None


def render(template: str, item: dict, output_text: str) -> str:
    """A template with sample.* and item.* filled in ("" where a key is missing)."""
    parsed = None

    def value(match: re.Match) -> str:
        nonlocal parsed
        root, *path = match.group(1).split(".")
        if root == "sample" and path[:1] == ["output_text"]:
            return output_text
        if root == "sample" and path[:1] == ["output_json"]:
            if parsed is None:
                try:
                    parsed = json.loads(output_text)
                except json.JSONDecodeError:
                    parsed = {}
            current, path = parsed, path[1:]
        elif root == "item":
            current = item
        else:
            return ""
        for key in path:
            current = current.get(key) if isinstance(current, dict) else None
        if current is None:
            return ""
        return current if isinstance(current, str) else json.dumps(current, ensure_ascii=False)
    return _TEMPLATE.sub(value, template)


def formula(text: str, values: dict[str, float]) -> float:
    """`calculate_output` of a multi grader; ValueError for anything but numbers, names, + - * / min max abs."""
    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.Name) and node.id in values:
            return values[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.operand))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS:
            return _FUNCS[node.func.id](*(ev(a) for a in node.args))
        raise ValueError(f"multi grader: calculate_output {text!r} uses something other than numbers, the "
                         f"sub-grader names ({', '.join(values)}), + - * / and min/max/abs")
    try:
        return float(ev(ast.parse(text, mode="eval")))
    except SyntaxError:
        raise ValueError(f"multi grader: calculate_output {text!r} is not a formula") from None
    except ZeroDivisionError:
        return 0.0


def score(grader: dict, item: dict, output_text: str) -> float:
    """The grader's score of one completion for one row (`item`: the row's reference keys)."""
    kind = grader["type"]
    if kind == "multi":
        values = {name: score(sub, item, output_text) for name, sub in grader["graders"].items()}
        return formula(grader.get("calculate_output") or " + ".join(values), values)
    got = render(grader.get("input", "{{sample.output_text}}"), item, output_text)
    ref = render(grader.get("reference", ""), item, output_text)
    if kind == "text_similarity":
        return fuzz.ratio(" ".join(got.split()), " ".join(ref.split())) / 100.0
    op = grader.get("operation", "eq")
    ok = {"eq": got == ref, "ne": got != ref, "like": ref in got, "ilike": ref.lower() in got.lower()}.get(op)
    if ok is None:
        raise ValueError(f"string_check operation {op!r}: use eq, ne, like or ilike")
    return 1.0 if ok else 0.0


class GraderReward:
    """A TRL reward function: scores each completion with the job's grader against its row's reference keys."""

    __name__ = "grader"

    def __init__(self, grader: dict) -> None:
        reason = unsupported_reason(grader)
        if reason:
            raise ValueError(reason)
        self.grader = grader

    def __call__(self, prompts, completions, item, **kwargs) -> list[float]:
        return [score(self.grader, json.loads(row), _text(completion)) for completion, row in zip(completions, item)]


def _text(completion) -> str:
    """A completion's text: TRL passes a string, or a list of messages for conversational prompts."""
    if isinstance(completion, list):
        return "".join(str(m.get("content") or "") for m in completion if isinstance(m, dict))
    return str(completion)
