"""--strict-spec output, restart survival, the CLI, and uploads not blocking polls."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import openai
import psutil
import pytest

from tests.conftest import DATASETS
from tests.server.conftest import EventFollower, upload, wait_status
from tunescope.server.datadir_lock import announced

ONE_EPOCH = {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 1}}}


def test_strict_spec_mode_passes_the_sdks_strict_validation(make_server, make_client):
    srv = make_server(strict_spec=True, speed=0.02)
    client = make_client(srv, strict=True, _strict_response_validation=True)
    assert client.files.list().data == []
    train = upload(client, DATASETS / "pirate_chat.jsonl")
    assert "status_details" not in train.model_fields_set and "expires_at" not in train.model_fields_set
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id, method=ONE_EPOCH,
                                         suffix="strict", metadata={"m": "1"})
    assert job.error is None and not job.model_extra
    wait_status(client, job.id, ("running",))
    assert client.fine_tuning.jobs.pause(job.id).status == "queued"  # no "paused" in the spec's enum
    client.fine_tuning.jobs.resume(job.id)
    follower = EventFollower(client, job.id)
    done = follower.until_done()
    assert done.status == "succeeded" and done.error is None
    assert all(e.data is not None for e in follower.events)
    client.fine_tuning.jobs.checkpoints.list(job.id)
    client.fine_tuning.jobs.list(metadata={"m": "1"})
    client.models.retrieve(done.fine_tuned_model)
    up = client.uploads.create(filename="a.jsonl", purpose="fine-tune", bytes=3, mime_type="application/jsonl")
    part = client.uploads.parts.create(up.id, data=b"{}\n")
    client.uploads.complete(up.id, part_ids=[part.id])
    bad = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=upload(client, DATASETS / "cookbook_toy_chat.jsonl").id)
    failed = wait_status(client, bad.id)
    assert failed.error.code == "invalid_n_examples"
    assert client.spec.seen["listFineTuningEvents"] >= 1 and not client.spec.failures


@pytest.mark.slow
def test_restart_mid_job_keeps_every_event_exactly_once(make_server, make_client, tmp_path):
    data_dir = tmp_path / "persist"
    first = make_server(data_dir, speed=0.01, queue_delay=0.05)
    client = make_client(first)
    train = upload(client, DATASETS / "foundry_gsm8k_chat_valid.jsonl")
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id, method=ONE_EPOCH, seed=3)
    follower = EventFollower(client, job.id)
    deadline = time.monotonic() + 20
    while sum(m.startswith("Step ") for m in follower.messages) < 10:
        follower.poll()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    first.stop()
    second = make_server(data_dir, speed=0.01, queue_delay=0.05)
    client2 = make_client(second)
    follower.client = client2
    assert client2.files.retrieve(train.id).bytes == train.bytes
    done = follower.until_done()
    assert done.status == "succeeded"
    steps = [int(m.split()[1].split("/")[0]) for m in follower.messages if m.startswith("Step ")]
    assert steps == list(range(1, 51))
    assert follower.messages.count("Fine-tuning job started") == 1
    every = list(client2.fine_tuning.jobs.list_events(job.id, limit=7))
    assert [e.id for e in reversed(every)] == [e.id for e in follower.events]
    assert client2.models.retrieve(done.fine_tuned_model).id == done.fine_tuned_model


def test_second_server_on_the_same_data_dir_is_refused(make_server, tmp_path):
    make_server(tmp_path / "busy")
    with pytest.raises(Exception, match="in use by another tunescope server"):
        make_server(tmp_path / "busy")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(data_dir, port, *extra):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "tunescope", "serve", "--port", str(port), "--data-dir", str(data_dir),
                             "--speed", "0.01", "--queue-delay", "0.05", "--log-level", "warning", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def _wait_up(client, proc):
    deadline = time.monotonic() + 20
    while True:
        try:
            return client.models.list()
        except openai.APIConnectionError:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.1)


@pytest.mark.slow
def test_cli_server_survives_sigkill_mid_job(make_client, tmp_path):
    port = _free_port()
    proc = _serve(tmp_path / "cli", port, "--api-key", "sk-cli-secret")

    class Target:
        base_url = f"http://127.0.0.1:{port}/v1"

    client = make_client(Target, api_key="sk-cli-secret")
    try:
        _wait_up(client, proc)
        # other tunescope processes on this data dir find it there (and learn a key is needed, not the key)
        held = announced(tmp_path / "cli")
        assert (held.base_url, held.pid, held.needs_key) == (Target.base_url, proc.pid, True)
        assert "sk-cli-secret" not in (tmp_path / "cli" / ".lock").read_text()
        train = upload(client, DATASETS / "foundry_gsm8k_chat_valid.jsonl")
        job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id, method=ONE_EPOCH)
        follower = EventFollower(client, job.id)
        while sum(m.startswith("Step ") for m in follower.messages) < 5:
            follower.poll()
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        proc = _serve(tmp_path / "cli", port, "--api-key", "sk-cli-secret")
        _wait_up(client, proc)
        done = follower.until_done()
        assert done.status == "succeeded"
        steps = [int(m.split()[1].split("/")[0]) for m in follower.messages if m.startswith("Step ")]
        assert steps == list(range(1, 51))
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    text = err.decode()
    assert "SIMULATED fine-tuning API" in text and "sk-cli-secret" not in text


def test_cli_refuses_public_bind_without_key_and_help_says_simulation():
    out = subprocess.run([sys.executable, "-m", "tunescope", "serve", "--host", "0.0.0.0"], capture_output=True, text=True)
    assert out.returncode == 2 and "--api-key" in out.stderr and "Traceback" not in out.stderr
    helptext = subprocess.run([sys.executable, "-m", "tunescope", "serve", "--help"], capture_output=True, text=True).stdout
    assert "SIMULATION: no model is trained" in helptext


def test_cli_reports_a_busy_port_in_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "tunescope", "serve", "--port", str(port), "--data-dir",
                              str(tmp_path / "d")], capture_output=True, text=True, timeout=30)
    assert out.returncode == 2
    assert out.stderr.strip() == f"tunescope serve: cannot listen on 127.0.0.1:{port}: Address already in use"


def test_polling_is_not_blocked_by_a_large_streaming_upload(server, client):
    """A 100 MB upload streams to disk while another client polls; polls stay fast and memory flat."""
    size = 100 * 1024 * 1024
    chunk = (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]}\n' * 700)[:65536]
    proc = psutil.Process()
    rss_before = proc.memory_info().rss
    peak = [rss_before]
    result = {}

    class Generated:
        """A file-like object producing `size` bytes on demand (never all in memory)."""

        def __init__(self):
            self.sent = 0

        def read(self, n=-1):
            n = len(chunk) if n is None or n < 0 else min(n, len(chunk))
            piece = chunk[: min(n, size - self.sent)]
            self.sent += len(piece)
            if self.sent % (4 * 1024 * 1024) < len(piece):
                peak[0] = max(peak[0], proc.memory_info().rss)
            if self.sent < 16 * 1024 * 1024:
                time.sleep(0.001)  # a slow start, so that polls overlap the upload
            return piece

    def do_upload():
        uploader = openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0)
        result["file"] = uploader.files.create(file=("big.jsonl", Generated(), "application/jsonl"), purpose="fine-tune")
        uploader.close()

    thread = threading.Thread(target=do_upload)
    thread.start()
    slowest = 0.0
    polls = 0
    while thread.is_alive():
        t = time.monotonic()
        client.fine_tuning.jobs.list(limit=1)
        slowest = max(slowest, time.monotonic() - t)
        polls += 1
        time.sleep(0.01)
    thread.join()
    assert result["file"].bytes == size
    assert polls >= 5 and slowest < 0.5
    assert peak[0] - rss_before < 40 * 1024 * 1024
    assert (server.data_dir / "files" / result["file"].id).stat().st_size == size
