"""The Together and Fireworks providers, through their official SDKs over HTTP against stand-ins that
follow the vendors' published API documents (tests/jobs/standins/): a whole job (upload, create,
events and metrics, success, results), the state mapping, a file the vendor's check refuses coming
back as findings, cancel, a failed job, and the message when an SDK is not installed."""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import islice

import pytest

from tests.jobs.conftest import write_chat
from tests.jobs.standins import Served
from tests.jobs.standins.fireworks import FireworksStandIn
from tests.jobs.standins.together import TogetherStandIn
from tests.factories import write_lines
from tunescope import cli
from tunescope.jobs.connection import connect
from tunescope.jobs.errors import BackendError, JobsError
from tunescope.jobs.follow import watch
from tunescope.jobs import upload as upload_module
from tunescope.jobs.profiles import BackendProfile
from tunescope.providers import fireworks_api, together_api
from tunescope.providers.vendor_sdk import FILE_CHECK, VendorFileRejected

TOGETHER_KEY = "tgp_SECRET-0123456789abcdef"
FIREWORKS_KEY = "fw_SECRET-0123456789abcdef"
MAX_ROUNDS = 30
"""A stand-in job ends within 8 reads; a mapping that never ends fails instead of hanging."""
MODEL = {"together": "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
         "fireworks": "accounts/fireworks/models/llama-v3p1-8b-instruct"}


@pytest.fixture(params=["together", "fireworks"])
def vendor(request, monkeypatch):
    """(kind, stand-in, profile) with the key in the environment; the stand-in served on 127.0.0.1."""
    kind = request.param
    if kind == "together":
        standin = TogetherStandIn(TOGETHER_KEY)
        monkeypatch.setenv("TOGETHER_API_KEY", TOGETHER_KEY)
    else:
        standin = FireworksStandIn(FIREWORKS_KEY, account="acme")
        monkeypatch.setenv("FIREWORKS_API_KEY", FIREWORKS_KEY)
    with Served(standin.app) as served:
        options = {"base_url": served.url}
        if kind == "fireworks":
            options["fireworks_account"] = "acme"
        yield kind, standin, served, BackendProfile(name=kind, kind=kind, options=options, timeout=10)


def _flags(kind: str, served: Served) -> list[str]:
    extra = ["--fireworks-account", "acme"] if kind == "fireworks" else []
    return ["--backend", kind, "--base-url", served.url, *extra]


def test_a_whole_job_upload_create_events_metrics_success_results(vendor, tmp_path):
    kind, standin, _, profile = vendor
    train = write_chat(tmp_path / "train.jsonl", 12)
    with connect(profile, max_retries=0) as conn:
        uploaded = conn.jobs.upload(train)
        assert uploaded.status == "processed" and uploaded.filename == "train.jsonl"
        job = conn.jobs.create(MODEL[kind], uploaded, hyperparameters={"n_epochs": 2}, suffix="drone")
        assert job.model == MODEL[kind] and job.status in ("queued", "validating_files")
        assert job.hyperparameters["n_epochs"] == 2
        updates = list(islice(watch(conn.jobs, job.id, interval=0.01), MAX_ROUNDS))
        final = updates[-1].job
        assert final.status == "succeeded" and final.fine_tuned_model
        statuses = [u.job.status for u in updates]
        assert "running" in statuses and statuses.index("running") < statuses.index("succeeded")
        metrics = [e.metrics for u in updates for e in u.events if e.metrics is not None]
        assert [m.step for m in metrics] == [1, 2, 3]
        assert metrics[0].train_loss > metrics[-1].train_loss > 0
        rows = conn.jobs.results_csv(job.id)
        assert [r["step"] for r in rows] == [1, 2, 3] and rows[-1]["train_loss"] == metrics[-1].train_loss
        assert conn.jobs.list().items[0].id == job.id
    sent = json.dumps(standin.jobs[next(iter(standin.jobs))]["request"])
    assert ("n_epochs" if kind == "together" else "epochs") in sent and "drone" in sent


def test_the_cli_runs_a_vendor_job_and_never_prints_the_key(vendor, tmp_path, capsys):
    kind, standin, served, _ = vendor
    train = write_chat(tmp_path / "train.jsonl", 12)
    flags = _flags(kind, served)
    assert cli.main(["jobs", "create", str(train), "--model", MODEL[kind], "--yes", "--format", "json", *flags]) == 0
    job_id = json.loads(capsys.readouterr().out)["job"]["id"]
    assert cli.main(["jobs", "watch", job_id, "--interval", "0.01", *flags]) == 0
    watched = capsys.readouterr()
    assert "succeeded" in watched.out
    assert cli.main(["jobs", "results", job_id, "--format", "json", *flags]) == 0
    assert [r["step"] for r in json.loads(capsys.readouterr().out)] == [1, 2, 3]
    assert cli.main(["jobs", "events", job_id, "--limit", "0", *flags]) == 0
    events = capsys.readouterr().out
    assert "training loss=0.6" in events or "training loss=0.58" in events
    for text in (watched.out, watched.err, events):
        assert TOGETHER_KEY not in text and FIREWORKS_KEY not in text


@pytest.mark.parametrize("theirs, ours", [
    ("pending", "queued"), ("queued", "queued"), ("running", "running"), ("compressing", "running"),
    ("uploading", "running"), ("cancel_requested", "running"), ("cancelled", "cancelled"), ("error", "failed"),
    ("completed", "succeeded"),
    ("JOB_STATE_COMPLETED", "succeeded"), ("JOB_STATE_EARLY_STOPPED", "succeeded"), ("JOB_STATE_FAILED", "failed"),
    ("JOB_STATE_CANCELLED", "cancelled"), ("JOB_STATE_PAUSED", "paused"), ("JOB_STATE_VALIDATING", "validating_files"),
    ("JOB_STATE_RUNNING", "running"), ("JOB_STATE_PENDING", "queued"), ("JOB_STATE_EXPIRED", "failed")])
def test_vendor_states_map_onto_ours(theirs, ours):
    if theirs.startswith("JOB_STATE_"):
        job = fireworks_api.job_from_fireworks({"name": "accounts/a/supervisedFineTuningJobs/j1", "state": theirs,
                                                "dataset": "accounts/a/datasets/d"})
    else:
        job = together_api.job_from_together({"id": "ft-1", "status": theirs})
    assert job.status == ours


def test_every_vendor_state_is_mapped_onto_a_state_of_ours():
    ours = {"validating_files", "queued", "running", "succeeded", "failed", "cancelled", "paused"}
    assert set(together_api.JOB_STATES) >= {"pending", "queued", "running", "compressing", "uploading",
                                             "cancel_requested", "cancelled", "error", "completed"}
    assert set(together_api.JOB_STATES.values()) <= ours and set(fireworks_api.JOB_STATES.values()) <= ours
    assert len(fireworks_api.JOB_STATES) == 18  # every JobState of the SDK's SupervisedFineTuningJob


def test_a_file_the_vendor_refuses_comes_back_as_findings(vendor, tmp_path):
    kind, _, _, profile = vendor
    good = json.dumps({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]})
    if kind == "together":  # Together refuses extra columns (our checker accepts them: OpenAI ignores them)
        bad = json.dumps({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}],
                          "source": "crm"})
    else:  # Fireworks refuses a role it does not know
        bad = json.dumps({"messages": [{"role": "user", "content": "hi"}, {"role": "critic", "content": "yo"}]})
    path = write_lines(tmp_path / "refused.jsonl", [good] * 3 + [bad] + [good] * 8)
    with connect(profile, max_retries=0) as conn, pytest.raises(VendorFileRejected) as caught:
        conn.jobs.upload(path, force=True)
    rejected = caught.value
    assert rejected.kind == "preflight" and "line 4" in rejected.message
    assert [(f.check, f.line, f.example) for f in rejected.errors] == [(FILE_CHECK, 4, 3)]
    assert rejected.errors[0].message.startswith(kind.capitalize())


def test_the_cli_prints_the_refusal_with_its_line(vendor, tmp_path, capsys):
    kind, _, served, _ = vendor
    bad = json.dumps({"text": "plain"}) if kind == "together" else json.dumps({"messages": []})
    path = write_lines(tmp_path / "mixed.jsonl", [json.dumps({"messages": [
        {"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]})] * 11 + [bad])
    args = ["jobs", "create", str(path), "--model", MODEL[kind], "--yes", "--force", *_flags(kind, served)]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "file check refused the file: line 12" in err and "Traceback" not in err


def test_cancel_a_running_job(vendor, tmp_path):
    kind, _, _, profile = vendor
    with connect(profile, max_retries=0) as conn:
        job = conn.jobs.create(MODEL[kind], conn.jobs.upload(write_chat(tmp_path / "t.jsonl", 12)))
        assert any(conn.jobs.get(job.id).status == "running" for _ in range(MAX_ROUNDS))
        conn.jobs.cancel(job.id)
        assert conn.jobs.get(job.id).status == "cancelled"
        assert conn.jobs.get(job.id).done


def test_a_failed_job_says_why(vendor, tmp_path):
    kind, _, _, profile = vendor
    with connect(profile, max_retries=0) as conn:
        job = conn.jobs.create(MODEL[kind] + "-fails", conn.jobs.upload(write_chat(tmp_path / "t.jsonl", 12)))
        final = list(islice(watch(conn.jobs, job.id, interval=0.01), MAX_ROUNDS))[-1].job
        assert final.status == "failed" and "memory" in final.failure.message


def test_a_wrong_key_is_one_line_without_the_key(vendor, tmp_path, monkeypatch):
    kind, _, _, profile = vendor
    wrong = "wrong-SECRET-key-0123456789"
    monkeypatch.setenv(profile.key_env, wrong)
    with connect(profile, max_retries=0) as conn, pytest.raises(JobsError) as caught:
        conn.jobs.list()
    assert caught.value.kind == "auth" and wrong not in caught.value.message


def test_pause_is_unsupported_not_a_traceback(vendor):
    _, _, _, profile = vendor
    with connect(profile, max_retries=0) as conn, pytest.raises(JobsError) as caught:
        conn.jobs.pause("ft-any")
    assert caught.value.kind == "unsupported"


@pytest.mark.parametrize("kind, module, package", [("together", "together", "together"),
                                                   ("fireworks", "fireworks", "fireworks-ai")])
def test_a_missing_sdk_says_exactly_what_to_install(kind, module, package, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, module, None)  # what Python does for a package that is not installed
    monkeypatch.setenv("TOGETHER_API_KEY", TOGETHER_KEY)
    monkeypatch.setenv("FIREWORKS_API_KEY", FIREWORKS_KEY)
    profile = BackendProfile(name=kind, kind=kind, options={"fireworks_account": "a"} if kind == "fireworks" else {})
    with pytest.raises(BackendError) as caught:
        connect(profile)
    assert (f"needs the {package!r} package, which is not installed: pip install 'tunescope[vendors]' "
            f"(or pip install {package})") in caught.value.message
    assert cli.main(["jobs", "list", "--backend", kind, "--fireworks-account", "a"]) == 2
    assert "pip install 'tunescope[vendors]'" in capsys.readouterr().err


def test_fireworks_needs_an_account(monkeypatch):
    monkeypatch.delenv("FIREWORKS_ACCOUNT_ID", raising=False)
    monkeypatch.setenv("FIREWORKS_API_KEY", FIREWORKS_KEY)
    with pytest.raises(BackendError, match="--fireworks-account ID or set FIREWORKS_ACCOUNT_ID"):
        connect(BackendProfile(name="f", kind="fireworks"), environ={"FIREWORKS_API_KEY": FIREWORKS_KEY})


def test_the_nebius_preset_sets_base_url_and_key_variable(monkeypatch, capsys, server):
    monkeypatch.setenv("NEBIUS_API_KEY", "neb-SECRET-0123456789")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    profile = BackendProfile(name="n", kind="compatible", options={"preset": "nebius"})
    assert profile.key_env == "NEBIUS_API_KEY"
    with connect(profile, max_retries=0) as conn:
        assert str(conn.client.base_url) == "https://api.tokenfactory.nebius.com/v1/"
    # the preset's key variable, against a real OpenAI-compatible server (tunescope serve) at --base-url
    assert cli.main(["jobs", "list", "--preset", "nebius", "--base-url", server.base_url, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["jobs"] == []
    monkeypatch.delenv("NEBIUS_API_KEY")
    assert cli.main(["jobs", "list", "--preset", "nebius"]) == 2
    assert "set the environment variable NEBIUS_API_KEY" in capsys.readouterr().err
    assert cli.main(["jobs", "list", "--preset", "nope"]) == 2
    assert "unknown preset 'nope'; use one of nebius" in capsys.readouterr().err


def test_jobs_backends_lists_the_presets(capsys):
    assert cli.main(["jobs", "backends"]) == 0
    out = capsys.readouterr().out
    assert "Presets (--backend compatible --preset NAME):" in out
    assert "nebius     Nebius Token Factory: https://api.tokenfactory.nebius.com/v1/ (key from NEBIUS_API_KEY)" in out
    assert cli.main(["jobs", "backends", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["presets"]["compatible"]["nebius"]
    assert listed["base_url"] == "https://api.tokenfactory.nebius.com/v1/" and "field-2026-12.md" in listed["source"]


def test_an_openai_learning_rate_multiplier_is_refused_not_dropped(vendor, tmp_path):
    kind, standin, _, profile = vendor
    with connect(profile, max_retries=0) as conn:
        uploaded = conn.jobs.upload(write_chat(tmp_path / "t.jsonl", 12))
        with pytest.raises(JobsError, match="absolute learning rate, not OpenAI's multiplier"):
            conn.jobs.create(MODEL[kind], uploaded, hyperparameters={"learning_rate_multiplier": 2.0})
    assert standin.jobs == {}


def test_a_file_too_big_for_one_request_says_what_to_do(vendor, tmp_path, monkeypatch):
    kind, _, _, profile = vendor
    monkeypatch.setattr(upload_module, "FILES_API_LIMIT", 100)  # every file takes the multipart path
    with connect(profile, max_retries=0) as conn, pytest.raises(JobsError) as caught:
        conn.jobs.upload(write_chat(tmp_path / "t.jsonl", 12))
    assert caught.value.kind == "unsupported"
    assert ("together files upload" if kind == "together" else "firectl create dataset") in caught.value.message


def test_loading_the_providers_imports_no_vendor_sdk():
    """Every `tunescope jobs` command loads every provider to build its flags: the SDKs wait for `connect`."""
    code = ("import sys\nfrom tunescope.jobs import registry\nregistry.providers()\n"
            "print(','.join(m for m in ('together', 'fireworks', 'httpx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_vendor_job_is_archived_through_its_adapter(vendor, tmp_path):
    from tunescope.jobs.archive import MANIFEST, JobArchiver

    kind, _, _, profile = vendor
    train = write_chat(tmp_path / "train.jsonl", 12)
    with connect(profile, max_retries=0) as conn:
        job = conn.jobs.create(MODEL[kind], conn.jobs.upload(train))
        list(islice(watch(conn.jobs, job.id, interval=0.01), MAX_ROUNDS))
        result = JobArchiver(conn.jobs, tmp_path / "a", kind).run()
    home = tmp_path / "a" / "jobs" / job.id.replace("/", "_")
    assert json.loads((home / "job.json").read_text())["id"] == job.id
    assert (home / "results.csv").read_text().startswith("step,")
    manifest = json.loads((tmp_path / "a" / MANIFEST).read_text())
    assert manifest["jobs"][0]["status"] == "succeeded"
    # what the vendor's API serves is kept; the training file neither stand-in serves is named with the reason
    assert [name.rsplit("/", 1)[-1] for name in result.jobs[0].saved] == [
        "job.json", "events.jsonl", "checkpoints.json", "results.csv"]
    [problem] = result.jobs[0].problems
    assert problem["what"].startswith("training file") and "(train.jsonl)" in problem["what"]
    assert problem["error"].endswith("Keep your own copy of this file.")
