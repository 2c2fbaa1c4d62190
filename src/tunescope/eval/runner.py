"""Run an evaluation: every (example, model) pair asked in a bounded thread pool, then graded.

Workers take immutable inputs and report through `on_progress(done, total)`; setting the
backend's `stop` event ends the run early (pairs not asked are left out of the result and
`EvalResult.stopped` says so). Grading uses the cached answers, so a new grader costs no request;
graders that use a model (llm_judge, score_model) ask through the cache as well.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Callable

from tunescope.eval.backend import ChatBackend, Stopped
from tunescope.eval.examples import EvalExample
from tunescope.eval.graders import Answer, Grade, Grader, GraderError

DEFAULT_CONCURRENCY = 4


@dataclass(frozen=True)
class RequestOptions:
    """What every request carries besides the prompt (part of the cache key)."""

    temperature: float | None = 0.0
    max_tokens: int | None = None
    seed: int | None = None

    def request(self, example: EvalExample) -> dict:
        body: dict = {"messages": example.messages}
        if example.tools:
            body["tools"] = example.tools
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.max_tokens is not None:
            body["max_completion_tokens"] = self.max_tokens
        if self.seed is not None:
            body["seed"] = self.seed
        return body


@dataclass
class Outcome:
    """One model's answer to one example and its grades (by grader name)."""

    answer: dict
    cached: bool
    grades: dict[str, Grade]

    @property
    def score(self) -> float:
        return sum(g.score for g in self.grades.values()) / len(self.grades) if self.grades else 0.0

    @property
    def passed(self) -> bool:
        return bool(self.grades) and all(g.passed for g in self.grades.values())


@dataclass
class EvalResult:
    examples: list[EvalExample]
    models: list[str]                       # as given
    resolved: dict[str, str]                # as given -> id sent
    graders: list[Grader]
    outcomes: dict[tuple[int, str], Outcome] = field(default_factory=dict)   # (line, model as given)
    stopped: bool = False
    seconds: float = 0.0
    requests: int = 0
    cache_hits: int = 0
    rate_limited: int = 0


class _Judge:
    """The grade context: graders that use a model ask it here (cached, on the judge's backend)."""

    def __init__(self, backend: ChatBackend) -> None:
        self.backend = backend

    def ask(self, model: str, messages: list[dict]) -> str:
        answer, _ = self.backend.answer(self.backend.resolve(model), {"messages": messages, "temperature": 0.0})
        if "error" in answer:
            raise GraderError(f"the judge {model} gave no answer: {answer['error']}")
        return answer.get("text") or ""


def grade_all(graders: list[Grader], example: EvalExample, answer: dict, judge: _Judge) -> dict[str, Grade]:
    given = Answer(answer.get("text"), answer.get("tool_calls"), answer.get("error"))
    return {g.name: g.grade(example, given, judge) for g in graders}


def run_eval(backend: ChatBackend, examples: list[EvalExample], models: list[str], graders: list[Grader],
             options: RequestOptions = RequestOptions(), concurrency: int = DEFAULT_CONCURRENCY,
             on_progress: Callable[[int, int], None] | None = None, judge_backend: ChatBackend | None = None,
             resolved: dict[str, str] | None = None) -> EvalResult:
    """Ask every model every example (resolving job ids first unless `resolved` is given) and grade."""
    started = time.perf_counter()
    resolved = resolved or {m: backend.resolve(m) for m in models}
    result = EvalResult(examples, models, resolved, graders)
    judge = _Judge(judge_backend or backend)
    hits_before = backend.cache.hits if backend.cache else 0
    requests_before = backend.requests
    pairs = [(example, model) for example in examples for model in models]

    def task(example: EvalExample, model: str) -> tuple[int, str, Outcome]:
        answer, cached = backend.answer(resolved[model], options.request(example))
        return example.line, model, Outcome(answer, cached, grade_all(graders, example, answer, judge))

    done = 0
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="tunescope-eval") as pool:
        futures = [pool.submit(task, e, m) for e, m in pairs]
        try:
            for future in as_completed(futures):
                try:
                    line, model, outcome = future.result()
                except Stopped:
                    result.stopped = True
                    continue
                result.outcomes[(line, model)] = outcome
                done += 1
                if on_progress is not None:
                    on_progress(done, len(pairs))
        finally:
            if result.stopped or backend.stop.is_set():
                result.stopped = True
                for future in futures:
                    future.cancel()
    result.seconds = time.perf_counter() - started
    result.requests = backend.requests - requests_before
    result.cache_hits = (backend.cache.hits - hits_before) if backend.cache else 0
    result.rate_limited = backend.rate_limited
    return result


def regrade(result: EvalResult, graders: list[Grader], judge_backend: ChatBackend) -> EvalResult:
    """The same answers graded again with other graders (no request except a judge's uncached ones)."""
    judge = _Judge(judge_backend)
    by_line = {e.line: e for e in result.examples}
    outcomes = {key: Outcome(o.answer, o.cached, grade_all(graders, by_line[key[0]], o.answer, judge))
                for key, o in result.outcomes.items()}
    return EvalResult(result.examples, result.models, result.resolved, graders, outcomes, result.stopped,
                      result.seconds, result.requests, result.cache_hits, result.rate_limited)
