"""The Compare screen's launcher: one evaluation in a daemon thread, reported by messages.

It takes a frozen `EvalRequest`, the app's backend (opened here on first use) and a stop event,
calls `tunescope.eval.session.evaluate` and posts progress, then one `EvalFinished` or `EvalFailed`.
A daemon thread (not a Textual worker) so that quitting never waits for requests in flight.
"""

from __future__ import annotations

import threading
from typing import Callable

from tunescope.eval.graders import GraderError
from tunescope.eval.session import CostNeedsConfirmation, EvalRequest, evaluate
from tunescope.jobs.errors import JobsError
from tunescope.review.outcome import describe_error
from tunescope.tui.messages import EvalFailed, EvalFinished, EvalProgressed


def run_evaluation(backend, request: EvalRequest, post: Callable[[object], object], stop: threading.Event,
                   generation: int) -> threading.Thread:
    def work() -> None:
        try:
            report = evaluate(backend.connection(), request, stop,
                              lambda done, total: post(EvalProgressed(done, total, generation)))
        except CostNeedsConfirmation as exc:
            post(EvalFailed(str(exc), generation, cost=True))
        except (GraderError, JobsError, OSError) as exc:
            post(EvalFailed(str(exc), generation))
        except Exception as exc:  # noqa: BLE001 - a bug: still end the run on screen, with the reason
            post(EvalFailed(describe_error(exc), generation))
        else:
            post(EvalFinished(report, generation))

    thread = threading.Thread(target=work, name="tunescope-compare", daemon=True)
    thread.start()
    return thread
