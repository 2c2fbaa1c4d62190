"""OpenAI's wind-down on the jobs side: the job cutoff refused in plain words, `shutdown_date` from
`/v1/models` (the local server sends it, the jobs client reads it and acts on it) (issue 9)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from tests.jobs.conftest import FAKE_KEY, write_chat
from tunescope.jobs.connection import connect
from tunescope.jobs.deadlines import RemoteModel, StartGate
from tunescope.jobs.errors import JobsError
from tunescope.jobs.profiles import resolve_backend


def test_the_local_server_reports_shutdown_dates_and_the_client_reads_them(jobs, sdk):
    listed = {m.id: m for m in jobs.models()}
    assert listed["gpt-4o-mini-2024-07-18"].shutdown_date == "2027-01-14"
    assert listed["gpt-4.1-nano-2025-04-14"].shutdown_date == "2026-10-23"
    assert listed["gpt-3.5-turbo-0125"].shutdown_date is None
    raw = sdk.models.with_raw_response.retrieve("gpt-3.5-turbo-0125").http_response.json()
    assert "shutdown_date" in raw and raw["shutdown_date"] is None   # null when none is announced, as the API does
    assert jobs.gate.reported["o4-mini-2025-04-16"] == "2026-10-23"


def test_a_backend_reported_shutdown_refuses_the_job_before_uploading(jobs, tmp_path, monkeypatch):
    jobs.models()
    monkeypatch.setenv("TUNESCOPE_TODAY", "2026-12-06")
    with pytest.raises(JobsError) as exc:
        jobs.ensure_can_start("gpt-4.1-nano")              # alias resolved to the reported snapshot
    assert "reports that gpt-4.1-nano shut down on 2026-10-23" in exc.value.message
    assert exc.value.kind == "unsupported"
    jobs.ensure_can_start("gpt-4o-mini")                   # shuts down later: fine today


def test_the_backend_date_overrides_the_table():
    gate = StartGate("corp", reported={"gpt-4o-mini-2024-07-18": "2026-11-01"})
    assert "shut down on 2026-11-01" in gate.refusal("gpt-4o-mini", on=date(2026, 12, 6))
    assert gate.refusal("gpt-4o-mini", on=date(2026, 10, 1)) is None
    assert RemoteModel.from_sdk({"id": "m", "shutdown_date": 1_800_000_000}).shutdown_date == "2027-01-15"
    assert RemoteModel.from_sdk({"id": "m", "shutdown_date": "soon"}).shutdown_date is None


def test_openai_refuses_new_jobs_after_the_cutoff_in_plain_words(monkeypatch):
    conn = connect(resolve_backend("openai"), environ={"OPENAI_API_KEY": FAKE_KEY})
    try:
        monkeypatch.setenv("TUNESCOPE_TODAY", "2027-01-06")
        conn.jobs.ensure_can_start("gpt-4.1-mini")         # the last day still works
        monkeypatch.setenv("TUNESCOPE_TODAY", "2027-01-07")
        with pytest.raises(JobsError) as exc:
            conn.jobs.create("gpt-4.1-mini", "file-abc")   # refused before any request
        msg = exc.value.message
        assert "no new fine-tuning jobs since 2027-01-06" in msg and "Azure OpenAI" in msg and "--backend local" in msg
        monkeypatch.setenv("TUNESCOPE_TODAY", "2026-12-06")
        with pytest.raises(JobsError, match="gpt-4.1-nano-2025-04-14 was shut down on 2026-10-23"):
            conn.jobs.ensure_can_start("gpt-4.1-nano")
    finally:
        conn.close()


def test_a_compatible_backend_is_not_held_to_openai_s_cutoff(monkeypatch):
    conn = connect(resolve_backend("compatible", base_url="http://127.0.0.1:9/v1"), environ={})
    try:
        monkeypatch.setenv("TUNESCOPE_TODAY", "2027-02-01")
        conn.jobs.ensure_can_start("gpt-4.1-mini")
    finally:
        conn.close()


def test_jobs_create_on_openai_after_the_cutoff_says_why_without_a_traceback(tmp_path):
    train = write_chat(tmp_path / "train.jsonl")
    env = {"OPENAI_API_KEY": FAKE_KEY, "TUNESCOPE_TODAY": "2027-01-07"}
    proc = subprocess.run([sys.executable, "-m", "tunescope", "jobs", "create", str(train), "--model", "gpt-4.1-mini",
                           "--yes", "--backend", "openai"], capture_output=True, text=True, timeout=60,
                          env={**__import__("os").environ, **env})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "no new fine-tuning jobs since 2027-01-06" in proc.stderr and FAKE_KEY not in proc.stderr


def test_a_fine_tune_reports_its_base_model_s_shutdown(sdk, tmp_path):
    from tests.server.conftest import wait_status

    train = sdk.files.create(file=("t.jsonl", write_chat(tmp_path / "t.jsonl").read_bytes()), purpose="fine-tune")
    job = sdk.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id,
                                      method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 1}}})
    done = wait_status(sdk, job.id)
    assert done.status == "succeeded"
    assert sdk.models.retrieve(done.fine_tuned_model).shutdown_date == "2027-01-14"   # fine-tunes go with their base
