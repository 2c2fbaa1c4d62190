"""Pause/resume and a server restart mid-job: the run continues from a checkpoint, no event lost or repeated."""

from __future__ import annotations

import time

import pytest

from tests.train.helpers import all_events, client_for, start_hf_server, wait_for
from tests.train.test_lifecycle import create, training_processes, wait_running_step

pytestmark = pytest.mark.slow


def metric_steps(client, job_id):
    return [e.data["step"] for e in all_events(client, job_id) if e.type == "metrics"]


def test_pause_checkpoints_and_resume_continues(tiny_model, tmp_path):
    with start_hf_server(tmp_path / "server", tiny_model) as server:
        client = client_for(server)
        job = create(client, n_epochs=12)
        wait_running_step(client, job.id, step=3)
        client.fine_tuning.jobs.pause(job.id)
        deadline = time.monotonic() + 30
        while training_processes() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not training_processes(), "the paused run did not stop"
        paused_at = metric_steps(client, job.id)
        assert client.fine_tuning.jobs.retrieve(job.id).status == "paused" and len(paused_at) < 12
        client.fine_tuning.jobs.resume(job.id)
        job = wait_for(client, job.id)
        assert job.status == "succeeded", job.error
        assert metric_steps(client, job.id) == list(range(1, 13))


def test_server_restart_resumes_from_the_last_checkpoint(tiny_model, tmp_path):
    server = start_hf_server(tmp_path / "server", tiny_model)
    client = client_for(server)
    job = create(client, n_epochs=12)
    wait_running_step(client, job.id, step=4)
    server.stop()  # kills the training process; the job stays running in the store
    assert not training_processes()
    with start_hf_server(tmp_path / "server", tiny_model) as again:
        client = client_for(again)
        job = wait_for(client, job.id)
        assert job.status == "succeeded", job.error
        assert metric_steps(client, job.id) == list(range(1, 13))
        log = (tmp_path / "server" / "train" / job.id / "spec.json").read_text()
        assert '"resume_from": "' in log and "checkpoint-" in log
