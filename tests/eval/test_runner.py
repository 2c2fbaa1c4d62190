"""The runner against the local server through the real SDK: cache (no request on a re-run), 429 with
Retry-After, checkpoints (JOB:ckpt-N), bounded concurrency, stopping, sampling, cost."""

from __future__ import annotations

import threading

import pytest

from tests.eval.conftest import BASE, PIRATE, chat_backend
from tunescope.eval.examples import load_examples
from tunescope.eval.graders import parse_grader
from tunescope.eval.report import to_dict, wilson
from tunescope.eval.runner import run_eval
from tunescope.jobs.errors import JobsError


def _gate(srv):
    """The server's rate-limit middleware (to move its clock forward instead of waiting a real minute)."""
    app = srv.app.middleware_stack
    while type(app).__name__ != "Gate":
        app = app.app
    return app


def test_second_run_sends_no_request_and_a_new_grader_costs_nothing(tuned, tmp_path):
    srv, job_id, model = tuned
    examples = load_examples(PIRATE).examples
    backend, counter = chat_backend(srv, tmp_path)
    first = run_eval(backend, examples, [BASE, job_id], [parse_grader("exact")])
    assert counter.chat == 20 and first.requests == 20 and first.cache_hits == 0
    again = run_eval(backend, examples, [BASE, job_id], [parse_grader("exact"), parse_grader("similarity")])
    assert counter.chat == 20 and again.requests == 0 and again.cache_hits == 20
    report = to_dict(again)
    assert report["run"]["cache_hit_rate"] == 1.0
    assert report["models"][1]["graders"]["exact"]["pass_rate"] == 1.0
    assert report["models"][0]["graders"]["similarity"]["mean_score"] < 0.5


def test_429_waits_for_retry_after_then_succeeds(make_server, tmp_path):
    srv = make_server(requests_per_minute=3)
    gate = _gate(srv)

    def advance(seconds):  # what the real clock would do while the runner sleeps
        with gate._lock:
            for i in range(len(gate._hits)):
                gate._hits[i] -= seconds

    backend, counter = chat_backend(srv, tmp_path, sleep=advance)
    examples = load_examples(PIRATE).examples[:5]
    result = run_eval(backend, examples, [BASE], [parse_grader("regex:simulated")], concurrency=2)
    assert len(result.outcomes) == 5 and all(o.passed for o in result.outcomes.values())
    assert result.rate_limited >= 1 and counter.chat == 5 + result.rate_limited
    assert backend.waits and all(50 <= w <= 62 for w in backend.waits)   # the server's Retry-After, not a guess


def test_checkpoints_resolve_and_score_by_step(tuned, tmp_path):
    srv, job_id, model = tuned
    backend, _ = chat_backend(srv, tmp_path)
    steps = [c.step for c in backend.connection.jobs.checkpoints(job_id)]
    first = f"{job_id}:ckpt-{steps[0]}"
    assert backend.resolve(first).endswith(f":ckpt-step-{steps[0]}")
    with pytest.raises(JobsError, match="no checkpoint at step 999"):
        backend.resolve(f"{job_id}:ckpt-999")
    examples = load_examples(PIRATE).examples
    result = to_dict(run_eval(backend, examples, [first, job_id], [parse_grader("exact")]))
    early, final = (m["pass_rate"] for m in result["models"])
    assert 0.0 < early < final == 1.0           # the first epoch's checkpoint has memorised half the file


def test_unfinished_job_says_why(make_server, tmp_path):
    srv = make_server()
    backend, _ = chat_backend(srv, tmp_path)
    with pytest.raises(JobsError):
        backend.resolve("ftjob-doesnotexist1234567")


def test_stop_ends_the_run_early(tuned, tmp_path):
    srv, job_id, _ = tuned
    stop = threading.Event()
    backend, _ = chat_backend(srv, tmp_path, cache=False, stop=stop)
    examples = load_examples(PIRATE).examples

    def progress(done, total):
        if done == 3:
            stop.set()
    result = run_eval(backend, examples, [BASE, job_id], [parse_grader("exact")], concurrency=1, on_progress=progress)
    assert result.stopped and 3 <= len(result.outcomes) < 20


def test_sample_is_reproducible():
    a, b = load_examples(PIRATE, sample=4, seed=3), load_examples(PIRATE, sample=4, seed=3)
    assert [e.line for e in a.examples] == [e.line for e in b.examples] and a.total == 10
    assert [e.line for e in load_examples(PIRATE, sample=4, seed=4).examples] != [e.line for e in a.examples]


def test_wilson_interval():
    assert wilson(0, 0) == (0.0, 0.0)
    lo, hi = wilson(5, 10)
    assert lo == pytest.approx(0.2366, abs=1e-3) and hi == pytest.approx(0.7634, abs=1e-3)
