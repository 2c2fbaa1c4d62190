"""`tunescope jobs` end to end in subprocesses, against the local backend and an embedded server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.jobs.conftest import FAKE_KEY, FAST, write_chat

MODEL = "gpt-4o-mini"


def tunescope(*args, env=None, stdin=subprocess.DEVNULL, timeout=60):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "tunescope", "jobs", *args], capture_output=True, text=True,
                          env=full_env, stdin=stdin, timeout=timeout)


@pytest.fixture
def local(tmp_path):
    data = tmp_path / "local-server"

    def run(*args, speed="0.002", **kw):
        return tunescope(*args, "--backend", "local", "--local-data-dir", str(data), "--local-speed", speed, **kw)

    return run


def _one_line_error(proc):
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tunescope jobs: ") and "Traceback" not in proc.stderr
    return lines[0]


@pytest.mark.slow
def test_local_backend_end_to_end(local, tmp_path, datasets_dir):
    empty = local("list", "--format", "json")
    assert empty.returncode == 0 and json.loads(empty.stdout) == {"jobs": [], "has_more": False}

    made = local("create", str(datasets_dir / "pirate_chat.jsonl"), "--model", MODEL, "--epochs", "2",
                 "--suffix", "pirate", "--watch", "--format", "json")
    assert made.returncode == 0, made.stderr
    records = [json.loads(line) for line in made.stdout.splitlines()]
    job_id = records[0]["job"]["id"]
    assert records[0]["training_file"]["filename"] == "pirate_chat.jsonl"
    final = records[-1]["job"]
    assert final["id"] == job_id and final["status"] == "succeeded"
    events = [r["event"] for r in records[1:-1]]
    assert len({e["id"] for e in events}) == len(events)
    assert events[0]["message"].startswith("Created fine-tuning job")
    assert events[-1]["message"] == "The job has successfully completed"
    steps = [e["metrics"]["step"] for e in events if e["type"] == "metrics"]
    assert steps == list(range(1, 21))  # 10 examples, batch 1, 2 epochs

    shown = local("show", job_id, "--format", "json")
    assert json.loads(shown.stdout)["fine_tuned_model"] == final["fine_tuned_model"]
    text = local("show", job_id)
    assert text.returncode == 0 and f"Fine-tuned:   {final['fine_tuned_model']}" in text.stdout
    assert max(len(line) for line in text.stdout.splitlines()) <= 80

    last = json.loads(local("events", job_id, "--limit", "5", "--format", "json").stdout)
    assert [e["id"] for e in last] == [e["id"] for e in events[-5:]]
    cps = json.loads(local("checkpoints", job_id, "--format", "json").stdout)
    assert [c["step"] for c in cps] == [10, 20] and cps[-1]["model"] == final["fine_tuned_model"]
    rows = json.loads(local("results", job_id, "--format", "json").stdout)
    assert [r["step"] for r in rows] == steps

    listed = local("list")
    assert job_id in listed.stdout and max(len(line) for line in listed.stdout.splitlines()) <= 80

    refused = local("cancel", job_id)  # already succeeded
    assert "cannot be cancelled" in _one_line_error(refused)

    # each CLI call runs its own local server; a slow one keeps the new job from finishing before the cancel
    queued = local("create", str(datasets_dir / "pirate_chat.jsonl"), "--model", MODEL, "--format", "json",
                   speed="5")
    new = json.loads(queued.stdout)
    assert queued.returncode == 0 and new["training_file"]["reused"] is True  # identical file: no re-upload
    cancelled = local("cancel", new["job"]["id"], "--format", "json", speed="5")
    assert cancelled.returncode == 0 and json.loads(cancelled.stdout)["status"] == "cancelled"
    watched = local("watch", new["job"]["id"])
    assert watched.returncode == 1 and "cancelled" in watched.stdout

    missing = local("show", "ftjob-nope0000000000000000000")
    assert "not found" in _one_line_error(missing)


@pytest.mark.slow
def test_failed_job_points_at_the_line_and_bad_files_are_refused(local, tmp_path, datasets_dir):
    toy = local("create", str(datasets_dir / "cookbook_toy_chat.jsonl"), "--model", MODEL)
    assert "5 example(s)" in _one_line_error(toy) and "--force" in toy.stderr
    assert json.loads(local("list", "--format", "json").stdout)["jobs"] == []

    bad = write_chat(tmp_path / "bad.jsonl", overrides={7: [{"role": "user", "content": "hi"}, {"content": "x"}]})
    failed = local("create", str(bad), "--model", MODEL, "--force", "--watch")
    assert failed.returncode == 1, failed.stderr
    assert "failed (training file, line 7, message 2)" in failed.stdout


@pytest.mark.slow
def test_secrets_never_printed_and_billed_jobs_need_confirmation(tmp_path):
    from tunescope.server.embedded import start_embedded

    train = write_chat(tmp_path / "train.jsonl")
    with start_embedded(tmp_path / "srv", api_key="server-key", **FAST) as srv:
        wrong = {"OPENAI_API_KEY": FAKE_KEY}
        outs = [tunescope("list", "--backend", "compatible", "--base-url", srv.base_url, env=wrong),
                tunescope("create", str(train), "--model", MODEL, "--yes", "--backend", "compatible",
                          "--base-url", srv.base_url, env=wrong),
                tunescope("backends", "save", "corp", "--backend", "compatible", "--base-url", srv.base_url, env=wrong),
                tunescope("backends", "list", env=wrong),
                tunescope("backends", "list", "--format", "json", env=wrong),
                tunescope("backends", "save", "corp", "--save-key", "--default", env=wrong)]
        assert "rejected the API key" in _one_line_error(outs[0]) and "OPENAI_API_KEY" in outs[0].stderr
        assert "rejected the API key" in _one_line_error(outs[1])
        assert all(p.returncode == 0 for p in outs[2:]), [p.stderr for p in outs[2:]]
        for proc in outs:
            assert FAKE_KEY not in proc.stdout + proc.stderr
        assert "sk-...WXYZ" in outs[3].stdout

        right = {"OPENAI_API_KEY": "server-key"}
        unconfirmed = tunescope("create", str(train), "--model", MODEL, "--backend", "compatible",
                                "--base-url", srv.base_url, env=right)
        assert "--yes" in _one_line_error(unconfirmed)
        declined = _answer_prompt(["create", str(train), "--model", MODEL, "--backend", "compatible",
                                   "--base-url", srv.base_url], right, b"n\n")
        assert declined.returncode == 1 and "not started" in declined.stderr
        assert "Tokens:   " in declined.stderr and "Cost:     about $" in declined.stderr
        assert "Start this fine-tuning job? [y/N]" in declined.stdout
        assert tunescope("list", "--backend", "compatible", "--base-url", srv.base_url, "--format", "json",
                         env=right).stdout.count('"id": "ftjob-') == 0
        confirmed = tunescope("create", str(train), "--model", MODEL, "--yes", "--backend", "compatible",
                              "--base-url", srv.base_url, "--format", "json", env=right)
        assert confirmed.returncode == 0 and json.loads(confirmed.stdout)["job"]["status"] == "validating_files"

    no_key = tunescope("list", "--backend", "openai", env={"OPENAI_API_KEY": ""})
    assert "OPENAI_API_KEY" in _one_line_error(no_key)


def _answer_prompt(args, env, answer: bytes):
    """Run with a pseudo-terminal as stdin (the confirmation prompt needs one) and type `answer`."""
    import pty

    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "tunescope", "jobs", *args], stdin=slave,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **env})
        os.write(master, answer)
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(master)
        os.close(slave)
    return subprocess.CompletedProcess(args, proc.returncode, out.decode(), err.decode())


@pytest.mark.slow
def test_ctrl_c_stops_watching_not_the_job(tmp_path):
    data = ["--backend", "local", "--local-data-dir", str(tmp_path / "ld"), "--local-speed", "0.2"]
    train = write_chat(tmp_path / "t.jsonl")
    made = tunescope("create", str(train), "--model", MODEL, "--format", "json", *data)
    job_id = json.loads(made.stdout)["job"]["id"]
    proc = subprocess.Popen([sys.executable, "-m", "tunescope", "jobs", "watch", job_id, "--interval", "0.1", *data],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    seen = ""
    while "Fine-tuning job started" not in seen:
        assert time.monotonic() < deadline and proc.poll() is None
        seen += proc.stdout.readline()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130 and "was not cancelled" in err and "Traceback" not in err
    after = json.loads(tunescope("show", job_id, "--format", "json", *data).stdout)
    assert after["status"] in ("queued", "running", "succeeded")


@pytest.mark.slow
def test_watch_says_when_the_backend_stops_answering_and_when_it_is_back(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def serve():
        return subprocess.Popen([sys.executable, "-m", "tunescope", "serve", "--port", str(port), "--data-dir",
                                 str(tmp_path / "srv"), "--speed", "0.2", "--queue-delay", "0.05",
                                 "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    backend = ["--backend", "compatible", "--base-url", f"http://127.0.0.1:{port}/v1"]
    server = serve()
    try:
        deadline = time.monotonic() + 30
        while (made := tunescope("create", str(write_chat(tmp_path / "t.jsonl")), "--model", MODEL, "--yes",
                                 "--format", "json", *backend)).returncode != 0:
            assert time.monotonic() < deadline and server.poll() is None, made.stderr
            time.sleep(0.2)
        job_id = json.loads(made.stdout)["job"]["id"]
        watcher = subprocess.Popen([sys.executable, "-m", "tunescope", "jobs", "watch", job_id, "--interval", "0.1",
                                    *backend], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen = ""
        while "Fine-tuning job started" not in seen:
            assert time.monotonic() < deadline and watcher.poll() is None
            seen += watcher.stdout.readline()
        server.kill()                      # the server goes away mid-job...
        server.wait(10)
        time.sleep(5.0)                    # longer than the SDK's own retries
        server = serve()                   # ...and comes back on the same port and data
        out, err = watcher.communicate(timeout=60)
    finally:
        server.terminate()
        server.wait(10)
    assert watcher.returncode == 0, err
    assert f"{job_id} succeeded" in out
    lines = err.strip().splitlines()
    assert len(lines) == 2 and "cannot connect to" in lines[0] and "Trying again in" in lines[0], err
    assert lines[1] == "tunescope jobs: the backend answers again; watching."
