"""One evaluation as a UI runs it: a frozen request in, the report dict out (the same JSON the CLI
prints), plus the row filters of the Compare screen. Textual-free, so the TUI only composes."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

from tunescope.eval.backend import ChatBackend
from tunescope.eval.cache import AnswerCache
from tunescope.eval.cost import DEFAULT_CONFIRM_USD, estimate_cost
from tunescope.eval.examples import load_examples
from tunescope.eval.graders import parse_grader
from tunescope.eval.report import to_dict
from tunescope.eval.runner import RequestOptions, run_eval
from tunescope.tokens.models import load_models

FILTERS = ("all", "failures", "flips")
"""The Compare screen's row filters: every example, those some model failed, those models disagree on."""


class CostNeedsConfirmation(Exception):
    """The estimate is above the confirmation threshold; the message is the estimate."""


@dataclass(frozen=True)
class EvalRequest:
    path: str
    models: tuple[str, ...]
    graders: tuple[str, ...] = ("exact",)
    sample: int | None = None
    seed: int = 0
    confirmed: bool = False


def evaluate(connection, request: EvalRequest, stop: threading.Event | None = None,
             on_progress: Callable[[int, int], None] | None = None, cache: AnswerCache | None = None) -> dict:
    """Run the evaluation over an open connection; raises GraderError, JobsError, OSError with a message,
    or CostNeedsConfirmation when the run is billed above the threshold and not yet confirmed."""
    graders = [parse_grader(spec) for spec in request.graders]
    loaded = load_examples(request.path, request.sample, request.seed)
    if not loaded.examples:
        raise OSError(f"{request.path}: no chat, DPO or RFT example to evaluate")
    backend = ChatBackend(connection, cache or AnswerCache(), stop=stop)
    resolved = {m: backend.resolve(m) for m in dict.fromkeys(request.models)}
    options = RequestOptions()
    billed = bool(getattr(connection.profile.provider, "billed", True))
    if billed and not request.confirmed:
        cached = frozenset((e.line, m) for e in loaded.examples for m in resolved
                           if backend.is_cached(resolved[m], options.request(e)))
        estimate = estimate_cost(loaded.examples, resolved, load_models(), billed, cached=cached)
        if estimate.usd > DEFAULT_CONFIRM_USD or estimate.unpriced:
            raise CostNeedsConfirmation(estimate.describe())
    result = run_eval(backend, loaded.examples, list(resolved), graders, options, on_progress=on_progress,
                      resolved=resolved)
    report = to_dict(result)
    report["file"] = request.path
    return report


def visible_examples(report: dict, mode: str) -> list[dict]:
    """The examples a filter keeps, in file order."""
    models = [m["model"] for m in report.get("models", ())]
    out = []
    for example in report.get("examples", ()):
        passes = [example["answers"][m]["passed"] for m in models if m in example["answers"]]
        if mode == "failures" and all(passes):
            continue
        if mode == "flips" and len(set(passes)) < 2:
            continue
        out.append(example)
    return out
