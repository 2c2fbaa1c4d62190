"""Every grader kind, declared once beside its code (as checks are in `checks/registry.py`).

A kind is declared with `@grader(id, title, description, threshold, arg=...)` on a function that
takes the grader's options (`{"arg": ..., ...}`) and returns a grade function
`(example, answer, ctx) -> float | (float, reason)`. The CLI (`--grader KIND[:ARG]`), the TUI and the
README table read `GRADERS`. A grade is a score in [0, 1]; it passes when score >= the threshold.
Bad options raise `GraderError` with a message that says what to write instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from tunescope.eval.examples import EvalExample


class GraderError(ValueError):
    """A grader cannot be built from what was given; the message says how to fix it."""


@dataclass(frozen=True)
class Answer:
    """A model's answer to one example: text and/or tool calls, or the error that prevented one."""

    text: str | None
    tool_calls: list[dict] | None = None
    error: str | None = None


class GradeContext(Protocol):
    def ask(self, model: str, messages: list[dict]) -> str:
        """A model's text answer (cached like every other request), for graders that use a model."""


@dataclass(frozen=True)
class Grade:
    score: float
    passed: bool
    reason: str = ""


GradeFn = Callable[[EvalExample, Answer, GradeContext], "float | tuple[float, str]"]


@dataclass(frozen=True)
class GraderKind:
    id: str
    title: str
    description: str
    threshold: float
    arg: str = ""                     # what `KIND:ARG` takes ("" when nothing)
    build: Callable[[dict], GradeFn] = field(default=lambda options: (lambda e, a, c: 0.0), repr=False)
    uses_model: bool = False


GRADERS: dict[str, GraderKind] = {}


def grader(id: str, title: str, description: str, threshold: float = 1.0, arg: str = "", uses_model: bool = False):
    """Declare a grader kind; raises on a duplicate id."""
    def declare(build: Callable[[dict], GradeFn]) -> Callable[[dict], GradeFn]:
        if id in GRADERS:
            raise ValueError(f"grader {id!r} is declared twice")
        GRADERS[id] = GraderKind(id, title, description, threshold, arg, build, uses_model)
        return build
    return declare


@dataclass(frozen=True)
class Grader:
    """A configured grader: a kind, its options, its pass threshold and a name for reports."""

    name: str
    kind: GraderKind
    options: dict[str, Any]
    threshold: float
    fn: GradeFn = field(repr=False, compare=False)

    def grade(self, example: EvalExample, answer: Answer, ctx: GradeContext) -> Grade:
        if answer.error is not None:
            return Grade(0.0, False, f"no answer: {answer.error}")
        try:
            out = self.fn(example, answer, ctx)
        except GraderError as exc:
            return Grade(0.0, False, str(exc))
        score, reason = out if isinstance(out, tuple) else (out, "")
        score = min(1.0, max(0.0, float(score)))
        return Grade(score, score >= self.threshold, reason)


def make_grader(kind_id: str, options: dict | None = None, threshold: float | None = None,
                name: str | None = None) -> Grader:
    kind = GRADERS.get(kind_id)
    if kind is None:
        raise GraderError(f"unknown grader {kind_id!r}; use one of {', '.join(GRADERS)} "
                          "or a JSON file with an OpenAI grader config")
    if kind.arg and not (options or {}).get("arg"):
        raise GraderError(f"grader {kind_id} needs {kind.arg}: write --grader {kind_id}:{kind.arg.upper().replace(' ', '_')}")
    options = dict(options or {})
    limit = kind.threshold if threshold is None else threshold
    if not 0.0 <= limit <= 1.0:
        raise GraderError(f"grader {kind_id}: the pass threshold must be between 0 and 1, not {limit}")
    return Grader(name or kind_id, kind, options, limit, kind.build(options))

