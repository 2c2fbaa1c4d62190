"""The local backend while another tunescope process already serves its data directory (the app, `tunescope
serve`): it talks to that server through the address written beside the lock, instead of failing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from tests.jobs.conftest import FAKE_KEY, FAST, write_chat
from tunescope.jobs.connection import connect
from tunescope.jobs.errors import BackendError
from tunescope.jobs.follow import watch
from tunescope.jobs.profiles import resolve_backend
from tunescope.server.datadir_lock import announced
from tunescope.server.embedded import start_embedded


def _local(data_dir, speed=None):
    return resolve_backend("local", local_data_dir=str(data_dir), local_speed=speed)


def _job_on(server, tmp_path) -> str:
    with connect(_local(server.data_dir)) as conn:      # joins `server`: it holds the directory
        assert conn.server is None
        upload = conn.client.files.create(file=write_chat(tmp_path / "train.jsonl", 10).open("rb"), purpose="fine-tune")
        return conn.client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=upload.id).id


def test_a_second_process_on_a_busy_data_dir_talks_to_the_server_there(tmp_path):
    holder = start_embedded(tmp_path / "server", **FAST)
    try:
        held = announced(holder.data_dir)
        assert held is not None and held.base_url == holder.base_url and held.pid == os.getpid()
        assert held.trainer == "simulated" and held.needs_key is False
        job_id = _job_on(holder, tmp_path)
        # the holder still serves after the joined connection closed, and it has the job made through it
        with connect(_local(holder.data_dir)) as again:
            assert again.is_local and again.server is None
            assert [j.id for j in again.client.fine_tuning.jobs.list()] == [job_id]
        # a CLI command in another process lists it too (it used to stop with "in use by another server")
        listed = subprocess.run([sys.executable, "-m", "tunescope", "jobs", "list", "--backend", "local",
                                 "--local-data-dir", str(holder.data_dir), "--format", "json"],
                                capture_output=True, text=True, timeout=60)
        assert listed.returncode == 0, listed.stderr
        assert [j["id"] for j in json.loads(listed.stdout)["jobs"]] == [job_id]
    finally:
        holder.stop()
    # the holder gone, its address goes with it: the next connection starts its own server on the same data
    assert announced(tmp_path / "server") is None
    with connect(_local(tmp_path / "server")) as own:
        assert own.server is not None
        assert [j.id for j in own.client.fine_tuning.jobs.list()] == [job_id]


def test_a_holder_that_asks_for_a_key_is_named_with_its_address_and_no_key(tmp_path):
    holder = start_embedded(tmp_path / "server", api_key=FAKE_KEY, **FAST)
    try:
        with pytest.raises(BackendError) as caught:
            connect(_local(holder.data_dir))
        message = str(caught.value)
        assert holder.base_url in message and "asks for an API key" in message and "--backend compatible" in message
        assert FAKE_KEY not in message and FAKE_KEY not in (holder.data_dir / ".lock").read_text()
    finally:
        holder.stop()


def test_what_a_dead_server_wrote_is_not_read_as_an_address(tmp_path):
    data_dir = tmp_path / "server"
    data_dir.mkdir()
    (data_dir / ".lock").write_text(json.dumps({"base_url": "http://127.0.0.1:9/v1", "pid": 1, "needs_key": False,
                                                "trainer": "simulated"}))
    with connect(_local(data_dir)) as conn:     # the lock is free: this process serves, and rewrites the file
        assert conn.server is not None
        assert announced(data_dir).base_url == conn.server.base_url
    for garbage in ("", "{", "[]", '{"base_url": "x"}'):
        (data_dir / ".lock").write_text(garbage)
        assert announced(data_dir) is None


def test_no_key_for_openai_says_how_to_try_jobs_without_one(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    out = subprocess.run([sys.executable, "-m", "tunescope", "jobs", "list", "--backend", "openai"],
                         capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "OPENAI_API_KEY" in out.stderr and "--backend local" in out.stderr


def test_a_watch_through_a_joined_server_carries_on_after_that_server_stops(tmp_path):
    holder = start_embedded(tmp_path / "server", speed=0.05, queue_delay=0.05)
    stopped = False
    try:
        conn = connect(_local(holder.data_dir, speed=0.002))
        job_id = _job_on(holder, tmp_path)
        steps_before = None
        give_up = threading.Event()
        timer = threading.Timer(30, give_up.set)      # without the take-over the watch would back off forever
        timer.start()
        for update in watch(conn.jobs, job_id, interval=0.02, cancel=give_up):
            steps = [e.message for e in update.events if e.message.startswith("Step ")]
            if steps and not stopped:
                holder.stop()               # the app that served the data dir quits mid-job
                stopped = True
                steps_before = steps[-1]
            final = update.job
        timer.cancel()
        assert steps_before is not None and final.status == "succeeded"
        assert conn.server is not None and conn.server.base_url != holder.base_url   # this process serves now
        assert announced(tmp_path / "server").base_url == conn.server.base_url
        conn.close()
    finally:
        if not stopped:
            holder.stop()
