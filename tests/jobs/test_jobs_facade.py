"""JobsClient against the embedded local server through the real openai SDK over HTTP."""

from __future__ import annotations

import time

import pytest

from tests.jobs.conftest import FAST, write_chat
from tunescope.jobs import upload as jobs_upload
from tunescope.jobs.client import JobsClient, JobsError, PreflightFailed
from tunescope.jobs.follow import EventFollower, wait_until, watch

MODEL = "gpt-4o-mini-2024-07-18"


def test_preflight_refuses_bad_file_and_uploads_nothing(jobs, sdk, datasets_dir):
    toy = datasets_dir / "cookbook_toy_chat.jsonl"
    with pytest.raises(PreflightFailed) as err:
        jobs.upload(toy)
    assert "5 example(s)" in str(err.value) and "--force" in str(err.value)
    assert any(f.check == "too_few_examples" for f in err.value.errors)
    assert list(sdk.files.list(purpose="fine-tune")) == []


def test_forced_toy_file_fails_with_example_count(jobs, datasets_dir):
    up = jobs.upload(datasets_dir / "cookbook_toy_chat.jsonl", force=True)
    job = jobs.create(MODEL, up)
    done = wait_until(jobs, job.id, ("succeeded", "failed", "cancelled"), timeout=20, interval=0.02)
    assert done.status == "failed"
    assert done.failure.code == "invalid_n_examples"
    assert done.failure.n_examples == 5 and done.failure.line is None


def test_upload_reuses_identical_file_but_not_changed_content(jobs, sdk, tmp_path):
    path = write_chat(tmp_path / "train.jsonl")
    seen = []
    first = jobs.upload(path, progress=lambda done, total: seen.append((done, total)))
    size = path.stat().st_size
    assert (first.via, first.reused, first.bytes, first.filename) == ("files", False, size, "train.jsonl")
    assert seen[-1] == (size, size) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert sdk.files.content(first.id).read() == path.read_bytes()

    again = jobs.upload(path)
    assert (again.id, again.reused, again.via) == (first.id, True, "existing")

    # same name, same size, different bytes: the ledger's SHA-256 says it is not the same file
    data = path.read_bytes().replace(b"1 plus 1 is 2", b"1 plus 1 is 3")
    assert len(data) == size
    path.write_bytes(data)
    changed = jobs.upload(path)
    assert changed.id != first.id and not changed.reused
    assert sdk.files.content(changed.id).read() == data
    assert len(list(sdk.files.list(purpose="fine-tune"))) == 2


def test_large_file_path_uses_uploads_api_in_parts(jobs, sdk, tmp_path, monkeypatch):
    path = write_chat(tmp_path / "big.jsonl", n=30)
    size = path.stat().st_size
    monkeypatch.setattr(jobs_upload, "FILES_API_LIMIT", 1024)
    monkeypatch.setattr(jobs_upload, "PART_SIZE", 1000)
    seen = []
    up = jobs.upload(path, progress=lambda done, total: seen.append(done), reuse=False)
    assert up.via == "uploads" and up.bytes == size and up.filename == "big.jsonl"
    assert sdk.files.content(up.id).read() == path.read_bytes()  # parts assembled in order, md5 checked
    assert seen[-1] == size and seen == sorted(seen)
    assert sum(1 for d in seen if d % 1000 == 0) >= size // 1000  # progress at every part boundary


def test_create_and_follow_to_completion(jobs, tmp_path):
    train = jobs.upload(write_chat(tmp_path / "train.jsonl", n=12))
    valid = jobs.upload(write_chat(tmp_path / "valid.jsonl", n=4), role="validation")
    job = jobs.create(MODEL, train, validation_file=valid, hyperparameters={"n_epochs": 2},
                      suffix="demo", seed=7, metadata={"run": "t1"})
    assert job.status == "validating_files" and job.suffix == "demo" and job.seed == 7
    assert job.metadata == {"run": "t1"} and job.validation_file == valid.id

    follower = EventFollower(jobs, job.id, page_size=7)  # small pages: paging back is exercised
    rounds = 0
    deadline = time.monotonic() + 30
    while True:
        state = jobs.get(job.id)
        follower.poll()
        rounds += 1
        if state.done:
            follower.poll()
            break
        assert time.monotonic() < deadline, f"job stuck in {state.status}"
        time.sleep(0.01)
    assert state.status == "succeeded" and state.fine_tuned_model.startswith(f"ft:{MODEL}:")

    everything = jobs.events(job.id)  # one read of the whole history, oldest first
    assert [e.id for e in follower.events] == [e.id for e in everything]
    assert len({e.id for e in follower.events}) == len(follower.events)
    assert [e.created_at for e in follower.events] == sorted(e.created_at for e in follower.events)
    assert follower.events[0].message.startswith("Created fine-tuning job")
    assert follower.events[-1].message == "The job has successfully completed"
    requests = []
    jobs.client._client.event_hooks["request"].append(requests.append)
    assert follower.poll() == []  # nothing new after the end: one request, no paging back
    assert len(requests) == 1 and "/events" in str(requests[0].url)

    metrics = follower.metrics
    total = metrics[-1].total_steps
    assert [m.step for m in metrics] == list(range(1, total + 1))
    assert all(m.train_loss is not None and m.train_mean_token_accuracy is not None for m in metrics)
    assert any(m.valid_loss is not None for m in metrics)
    assert metrics[-1].full_valid_loss is not None  # the last step ends an epoch

    rows = jobs.results_csv(state)
    assert [r["step"] for r in rows] == [m.step for m in metrics]
    for row, m in zip(rows, metrics):
        assert row["train_loss"] == pytest.approx(m.train_loss, abs=1e-4)
        if row["valid_loss"] is not None:
            assert row["valid_loss"] == pytest.approx(m.valid_loss, abs=1e-4)

    cps = jobs.checkpoints(job.id)
    assert [c.step for c in cps] == sorted(c.step for c in cps) and cps
    assert cps[-1].model == state.fine_tuned_model and cps[-1].step == total
    assert cps[0].metrics.train_loss == pytest.approx(metrics[cps[0].step - 1].train_loss, abs=1e-4)

    last5 = jobs.events(job.id, limit=5)
    assert [e.id for e in last5] == [e.id for e in everything[-5:]]
    page = jobs.list(limit=10)
    assert page.items[0].id == job.id


def test_watch_yields_until_done_and_stops_on_cancel_event(jobs, tmp_path):
    import threading

    train = jobs.upload(write_chat(tmp_path / "t.jsonl"))
    job = jobs.create(MODEL, train)
    updates = list(watch(jobs, job.id, interval=0.01))
    assert updates[-1].job.status == "succeeded"
    ids = [e.id for u in updates for e in u.events]
    assert ids == [e.id for e in jobs.events(job.id)]
    assert updates[-1].metrics.step == updates[-1].metrics.total_steps

    stop = threading.Event()
    stop.set()
    assert list(watch(jobs, job.id, interval=10, cancel=stop)) == []


def test_pause_resume_cancel(tmp_path):
    import openai

    from tunescope.server.embedded import start_embedded

    with start_embedded(tmp_path / "slow", speed=0.03, queue_delay=0.05) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="x", max_retries=0, timeout=30)
        jobs = JobsClient(client)
        train = jobs.upload(write_chat(tmp_path / "t.jsonl"))
        job = jobs.create(MODEL, train)
        follower = EventFollower(jobs, job.id)
        wait_until(jobs, job.id, ("running",), timeout=10, interval=0.01)
        while follower.latest is None or follower.latest.step < 3:
            follower.poll()
            time.sleep(0.01)
        paused = jobs.pause(job.id)
        assert paused.status == "paused"
        follower.poll()
        step = follower.latest.step
        time.sleep(0.3)  # ten steps' worth of time
        follower.poll()
        assert follower.latest.step == step
        assert any(e.message.startswith("Fine-tuning job paused") for e in follower.events)
        resumed = jobs.resume(job.id)
        assert resumed.status in ("queued", "running")
        wait_until(jobs, job.id, ("running",), timeout=10, interval=0.01)
        cancelled = jobs.cancel(job.id)
        assert cancelled.status == "cancelled" and cancelled.done
        with pytest.raises(JobsError) as err:
            jobs.cancel(job.id)
        assert err.value.kind == "bad_request" and job.id in str(err.value)
        client.close()


def test_server_failure_maps_back_to_line_and_message(jobs, tmp_path):
    bad = write_chat(tmp_path / "bad.jsonl", overrides={7: [{"role": "user", "content": "hi"}, {"content": "no role"}]})
    with pytest.raises(PreflightFailed) as err:
        jobs.upload(bad)
    assert any(f.line == 7 for f in err.value.errors)
    up = jobs.upload(bad, force=True)
    job = jobs.create(MODEL, up)
    done = wait_until(jobs, job.id, ("succeeded", "failed", "cancelled"), timeout=20, interval=0.02)
    assert done.status == "failed"
    failure = jobs.failure(done.id)
    assert (failure.file, failure.line, failure.message_index) == ("training", 7, 1)
    assert failure.where == "line 7, message 2"
    finding = failure.finding()
    assert (finding.line, finding.example, finding.message_index, finding.path) == (7, 6, 1, "$.messages[1]")
    assert jobs.events(job.id)[-1].level == "error"


def test_sdk_errors_become_one_clear_message(tmp_path):
    import socket

    import openai

    from tunescope.server.embedded import start_embedded
    from tests.jobs.conftest import FAKE_KEY

    with start_embedded(tmp_path / "auth", api_key="the-right-key", max_active_jobs=1, **FAST) as srv:
        wrong = JobsClient(openai.OpenAI(base_url=srv.base_url, api_key=FAKE_KEY, max_retries=0))
        with pytest.raises(JobsError) as err:
            wrong.list()
        assert err.value.kind == "auth" and err.value.status == 401
        assert "OPENAI_API_KEY" in str(err.value) and FAKE_KEY not in str(err.value)

        right = JobsClient(openai.OpenAI(base_url=srv.base_url, api_key="the-right-key", max_retries=0))
        with pytest.raises(JobsError) as err:
            right.get("ftjob-doesnotexist000000000")
        assert err.value.kind == "not_found" and "ftjob-doesnotexist000000000" in str(err.value)
        assert "tunescope jobs list" in str(err.value)

        train = right.upload(write_chat(tmp_path / "t.jsonl"))
        right.create(MODEL, train)
        with pytest.raises(JobsError) as err:  # max_active_jobs=1 -> 429
            right.create(MODEL, train)
        assert err.value.kind == "rate_limit" and err.value.status == 429

        from tunescope.jobs.errors import from_sdk

        try:
            right.client.models.delete(MODEL)  # the local server answers 403 for base models
        except openai.PermissionDeniedError as exc:
            mapped = from_sdk(exc, "delete model", "127.0.0.1")
        assert mapped.kind == "permission" and "2027-01-06" in str(mapped) and "--backend" in str(mapped)

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    dead = JobsClient(openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="x", max_retries=0, timeout=5))
    with pytest.raises(JobsError) as err:
        dead.list()
    assert err.value.kind == "connection" and "cannot connect" in str(err.value)
