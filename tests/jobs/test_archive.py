"""`tunescope jobs archive`: every job's record, events, checkpoints, results and files kept on disk, through the
real openai SDK against tunescope's server (the archive reads only what OpenAI's API serves)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.jobs.conftest import write_chat
from tunescope.jobs.archive import MANIFEST, JobArchiver, _safe
from tunescope.jobs.client import parse_results
from tunescope.jobs.follow import wait_until

MODEL = "gpt-4o-mini"


def _two_finished_jobs(jobs, tmp_path):
    train = jobs.upload(write_chat(tmp_path / "train.jsonl", 12))
    valid = jobs.upload(write_chat(tmp_path / "valid.jsonl", 10), role="validation")
    first = jobs.create(MODEL, train, valid, suffix="one")
    second = jobs.create(MODEL, train, suffix="two")          # the same training file: kept once
    return [wait_until(jobs, j.id, ("succeeded",), timeout=60, interval=0.02) for j in (first, second)]


def test_every_job_is_kept_whole_and_a_second_run_downloads_no_file_again(jobs, tmp_path):
    first, second = _two_finished_jobs(jobs, tmp_path)
    folder = tmp_path / "archive"
    seen = []
    result = JobArchiver(jobs, folder, "test").run(progress=lambda entry, n, total: seen.append((entry.id, n, total)))
    assert seen == [(second.id, 1, 2), (first.id, 2, 2)]                  # as the backend lists them: newest first
    assert result.problems == 0 and {j.id for j in result.jobs} == {first.id, second.id}

    home = folder / "jobs" / first.id
    record = json.loads((home / "job.json").read_text())
    assert record["id"] == first.id and record["status"] == "succeeded" and "hyperparameters" in record
    events = [json.loads(line) for line in (home / "events.jsonl").read_text().splitlines()]
    assert [e["id"] for e in events] == [e.id for e in jobs.events(first.id)]          # all of them, oldest first
    checkpoints = json.loads((home / "checkpoints.json").read_text())
    assert sorted(c["step_number"] for c in checkpoints) == [c.step for c in jobs.checkpoints(first.id)]
    assert {c["fine_tuned_model_checkpoint"] for c in checkpoints} == {c.model for c in jobs.checkpoints(first.id)}
    # the results file as CSV text (OpenAI sends it base64-encoded), the same rows the API gives
    csv_text = (home / "results.csv").read_text()
    assert csv_text.startswith("step,") and parse_results(csv_text.encode()) == jobs.results_csv(first.id)

    # the training file once for both jobs, byte for byte; the validation file beside it
    files = json.loads((folder / MANIFEST).read_text())["files"]
    assert len(files) == 2 and all(f["how"] == "downloaded" for f in files.values())
    kept = folder / files[first.training_file]["path"]
    assert kept.read_bytes() == (tmp_path / "train.jsonl").read_bytes()
    assert (folder / files[first.validation_file]["path"]).read_bytes() == (tmp_path / "valid.jsonl").read_bytes()
    assert files[first.training_file]["path"] in next(j for j in result.jobs if j.id == second.id).saved
    assert not list(folder.rglob("*.part")) and not list(folder.rglob("*.raw"))

    again = JobArchiver(jobs, folder, "test").run()
    assert all(f["how"] == "kept from an earlier run" for f in again.files.values())
    assert again.downloaded_bytes < result.downloaded_bytes - kept.stat().st_size      # results only


def test_one_job_what_cannot_be_kept_is_named_and_the_rest_is_kept(jobs, server, tmp_path):
    first, _ = _two_finished_jobs(jobs, tmp_path)
    jobs.client.files.delete(first.validation_file)       # gone on the backend
    out = subprocess.run([sys.executable, "-m", "tunescope", "jobs", "archive", str(tmp_path / "a"), "--job",
                          first.id, "--backend", "compatible", "--base-url", server.base_url],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1, out.stderr
    assert f"{first.id}: validation file {first.validation_file}" in out.stdout and "not kept" in out.stdout
    manifest = json.loads((tmp_path / "a" / MANIFEST).read_text())
    assert [j["id"] for j in manifest["jobs"]] == [first.id]
    assert len(manifest["jobs"][0]["problems"]) == 1
    assert (tmp_path / "a" / "jobs" / first.id / "results.csv").is_file()
    assert "Traceback" not in out.stderr and f"[1/1] {first.id}" in out.stderr


def test_a_running_job_is_kept_with_a_note_to_run_again(tmp_path):
    import openai

    from tunescope.jobs.client import JobsClient
    from tunescope.server.embedded import start_embedded

    with start_embedded(tmp_path / "slow", speed=5.0, queue_delay=0.05) as srv:
        jobs = JobsClient(openai.OpenAI(base_url=srv.base_url, api_key="x", max_retries=0, timeout=30))
        job = jobs.create(MODEL, jobs.upload(write_chat(tmp_path / "train.jsonl", 12)))
        result = JobArchiver(jobs, tmp_path / "a").run([job.id])
    entry = result.jobs[0]
    assert entry.status in ("validating_files", "queued", "running") and "run the archive again" in entry.note
    assert result.problems == 0 and (tmp_path / "a" / "jobs" / job.id / "job.json").is_file()
    assert not (tmp_path / "a" / "jobs" / job.id / "results.csv").exists()        # none until it succeeds


def test_names_from_the_backend_stay_inside_the_archive():
    for hostile in ("../../etc/passwd", "/abs/path.jsonl", "a/b\\c.jsonl", "..", "x\x00y.jsonl"):
        safe = _safe(hostile)
        assert "/" not in safe and "\\" not in safe and safe not in (".", "..")      # "" falls back to the id
    assert _safe("train v2.jsonl") == "train_v2.jsonl"


def test_a_folder_that_cannot_be_made_is_one_line(server, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    out = subprocess.run([sys.executable, "-m", "tunescope", "jobs", "archive", str(blocker / "sub"), "--backend",
                          "compatible", "--base-url", server.base_url], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.strip() == f"tunescope jobs: {blocker / 'sub'}: Not a directory"
