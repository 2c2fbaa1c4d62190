"""Graders on the answer's text: exact match, regex, fuzzy similarity (rapidfuzz)."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from tunescope.eval.graders.registry import GraderError, grader


def normalise(text: str | None) -> str:
    """Whitespace runs collapsed to one space, ends stripped."""
    return " ".join((text or "").split())


@grader("exact", "exact match", "the answer equals the reference reply after normalising whitespace")
def exact(options: dict):
    def grade(example, answer, ctx):
        if example.reference is None:
            return 0.0, "the example has no text reference (its reply is tool calls: use the tool_call grader)"
        same = normalise(answer.text) == normalise(example.reference)
        return (1.0, "") if same else (0.0, "differs from the reference")
    return grade


@grader("regex", "regex", "the answer contains a match of a regular expression (Python syntax)", arg="pattern")
def regex(options: dict):
    try:
        pattern = re.compile(options["arg"])
    except re.error as exc:
        raise GraderError(f"grader regex: {options['arg']!r} is not a valid regular expression ({exc})") from None

    def grade(example, answer, ctx):
        return (1.0, "") if pattern.search(answer.text or "") else (0.0, f"no match for /{pattern.pattern}/")
    return grade


@grader("similarity", "text similarity", "fuzzy ratio (rapidfuzz, 0-1) between the answer and the reference",
        threshold=0.8)
def similarity(options: dict):
    def grade(example, answer, ctx):
        if example.reference is None:
            return 0.0, "the example has no text reference"
        return fuzz.ratio(normalise(answer.text), normalise(example.reference)) / 100.0
    return grade
