"""Pause/resume and a server restart mid-job: the run continues from a checkpoint, no event lost or repeated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import openai
import psutil
import pytest

from tests.server.test_strict_restart import _free_port, _wait_up
from tests.train.helpers import all_events, client_for, start_hf_server, wait_for
from tests.train.test_lifecycle import create, training_processes, wait_running_step

pytestmark = pytest.mark.slow


def runs_of(tmp_path):
    """Training processes of this test's jobs, wherever they were reparented (an orphan's parent is init)."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if proc.info["status"] != psutil.STATUS_ZOMBIE and "tunescope.train" in cmdline and str(tmp_path) in cmdline:
            found.append(proc)
    return found


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


def test_cli_server_sigkilled_mid_job_resumes_after_restart(tiny_model, tmp_path):
    """`tunescope serve --trainer hf` killed with SIGKILL: its training process ends too, and a restarted server
    finishes the job from the last checkpoint with every step reported once."""
    port = _free_port()

    def serve():
        return subprocess.Popen([sys.executable, "-m", "tunescope", "serve", "--trainer", "hf", "--port", str(port),
                                 "--data-dir", str(tmp_path / "cli"), "--base-model", f"tiny={tiny_model}",
                                 "--adapter", "full", "--device", "cpu", "--learning-rate", "0.003",
                                 "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})

    server = serve()
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="x", max_retries=0)
    try:
        _wait_up(client, server)
        job = create(client, n_epochs=12)
        wait_running_step(client, job.id, step=3)
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        deadline = time.monotonic() + 60   # the orphaned run ends at its next report (its pipe is gone)
        while runs_of(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not runs_of(tmp_path)
        server = serve()
        _wait_up(client, server)
        job = wait_for(client, job.id)
        assert job.status == "succeeded", job.error
        assert metric_steps(client, job.id) == list(range(1, 13))
        spec = (tmp_path / "cli" / "train" / job.id / "spec.json").read_text()
        assert '"resume_from": "' in spec and "checkpoint-" in spec   # resumed, not started over
    finally:
        server.kill()
        server.wait(10)
