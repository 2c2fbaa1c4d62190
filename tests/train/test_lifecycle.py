"""Jobs of the real trainer that do not simply succeed: cancel, a killed training process, LoRA, refusals."""

from __future__ import annotations

import json
import time

import openai
import psutil
import pytest

from tests.train.conftest import PIRATE
from tests.train.helpers import all_events, client_for, start_hf_server, wait_for

pytestmark = pytest.mark.slow


def create(client, n_epochs=50, validation=False, **extra):
    upload = client.files.create(file=PIRATE.open("rb"), purpose="fine-tune")
    if validation:
        extra["validation_file"] = client.files.create(file=PIRATE.open("rb"), purpose="fine-tune").id
    return client.fine_tuning.jobs.create(model="tiny", training_file=upload.id, method={
        "type": "supervised", "supervised": {"hyperparameters": {"n_epochs": n_epochs, "batch_size": 10}}}, **extra)


def training_processes():
    """Live `python -m tunescope.train` processes under this test (zombies awaiting their reaper excluded)."""
    found = []
    for proc in psutil.Process().children(recursive=True):
        try:
            if proc.status() != psutil.STATUS_ZOMBIE and "tunescope.train" in " ".join(proc.cmdline()):
                found.append(proc)
        except psutil.Error:
            pass
    return found


def wait_running_step(client, job_id, step=2, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        metrics = [e for e in all_events(client, job_id) if e.type == "metrics"]
        if len(metrics) >= step:
            return
        time.sleep(0.2)
    raise AssertionError(f"{job_id} never reached step {step}")


def test_cancel_ends_the_training_process(tiny_model, tmp_path):
    with start_hf_server(tmp_path / "server", tiny_model) as server:
        client = client_for(server)
        job = create(client)
        wait_running_step(client, job.id)
        assert training_processes()
        client.fine_tuning.jobs.cancel(job.id)
        deadline = time.monotonic() + 20
        while training_processes() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not training_processes()
        assert client.fine_tuning.jobs.retrieve(job.id).status == "cancelled"


def test_a_killed_training_process_fails_the_job_plainly(tiny_model, tmp_path):
    with start_hf_server(tmp_path / "server", tiny_model) as server:
        client = client_for(server)
        job = create(client)
        wait_running_step(client, job.id)
        for proc in training_processes():
            proc.kill()
        job = wait_for(client, job.id, timeout=60)
        assert job.status == "failed"
        assert job.error.code == "training_failed"
        assert "ended unexpectedly (killed by signal SIGKILL" in job.error.message
        assert all_events(client, job.id)[-1].level == "error"


def test_lora_trains_saves_an_adapter_and_reports_validation(tiny_model, tmp_path):
    with start_hf_server(tmp_path / "server", tiny_model, adapter="lora") as server:
        client = client_for(server)
        job = wait_for(client, create(client, n_epochs=2, validation=True).id)
        assert job.status == "succeeded", job.error
        metrics = [e.data for e in all_events(client, job.id) if e.type == "metrics"]
        assert [m["step"] for m in metrics] == [1, 2]   # batch 10: one step per epoch, each an epoch end
        for data in metrics:
            assert data["valid_loss"] == data["full_valid_loss"] > 0
            assert 0 <= data["full_valid_mean_token_accuracy"] <= 1
        checkpoint = client.fine_tuning.jobs.checkpoints.list(job.id).data[0]
        assert checkpoint.metrics.full_valid_loss == metrics[-1]["full_valid_loss"]
        final = tmp_path / "server" / "train" / job.id / "final"
        assert (final / "adapter_config.json").exists() and (final / "adapter_model.safetensors").exists()
        answer = client.chat.completions.create(model=job.fine_tuned_model, max_tokens=5, temperature=0,
                                                messages=[{"role": "user", "content": "Ahoy"}])
        assert answer.usage.completion_tokens >= 1


def test_unsupported_grader_is_refused_at_creation(tiny_model, tmp_path):
    with start_hf_server(tmp_path / "server", tiny_model) as server:
        client = client_for(server)
        upload = client.files.create(file=PIRATE.open("rb"), purpose="fine-tune")
        with pytest.raises(openai.BadRequestError) as err:
            client.fine_tuning.jobs.create(model="tiny", training_file=upload.id, method={
                "type": "reinforcement", "reinforcement": {"grader": {
                    "type": "score_model", "name": "g", "model": "gpt-4o-mini",
                    "input": [{"role": "user", "content": "Score {{sample.output_text}}"}]}}})
        assert err.value.body["param"] == "method.reinforcement.grader"
        assert ("grader type 'score_model' is not supported by tunescope serve --trainer hf (supported: "
                "string_check, text_similarity, multi" in err.value.body["message"])
        with pytest.raises(openai.BadRequestError) as err:   # a multi grader is checked sub-grader by sub-grader
            client.fine_tuning.jobs.create(model="tiny", training_file=upload.id, method={
                "type": "reinforcement", "reinforcement": {"grader": {"type": "multi", "name": "m", "graders": {
                    "code": {"type": "python", "name": "p", "source": "def grade(s, i): return 1"}},
                    "calculate_output": "code"}}})
        assert err.value.body["param"] == "method.reinforcement.grader"
        assert "sub-grader 'code': grader type 'python' is not supported" in err.value.body["message"]
        with pytest.raises(openai.NotFoundError):
            client.chat.completions.create(model="nope", messages=[{"role": "user", "content": "hi"}])


def test_truncation_is_a_warning_event(tiny_model, tmp_path):
    with start_hf_server(tmp_path / "server", tiny_model, max_length=40) as server:
        client = client_for(server)
        job = wait_for(client, create(client, n_epochs=1).id)
        assert job.status == "succeeded", job.error
        warnings = [e for e in all_events(client, job.id) if e.level == "warn"]
        assert warnings and "was truncated to the maximum length of 40 tokens" in warnings[0].message


def test_dpo_job_trains_on_preferences(tiny_model, tmp_path):
    rows = [json.loads(line) for line in PIRATE.read_text(encoding="utf-8").splitlines() if line.strip()]
    prefs = tmp_path / "prefs.jsonl"
    prefs.write_text("".join(json.dumps({
        "input": {"messages": row["messages"][:-1]},
        "preferred_output": [row["messages"][-1]],
        "non_preferred_output": [{"role": "assistant", "content": "I cannot help with that."}]}) + "\n"
        for row in rows), encoding="utf-8")
    with start_hf_server(tmp_path / "server", tiny_model) as server:
        client = client_for(server)
        upload = client.files.create(file=prefs.open("rb"), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(model="tiny", training_file=upload.id, method={
            "type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2, "n_epochs": 3, "batch_size": 5}}})
        job = wait_for(client, job.id)
        assert job.status == "succeeded", job.error
        assert job.method.dpo.hyperparameters.beta == 0.2
        losses = [e.data["train_loss"] for e in all_events(client, job.id) if e.type == "metrics"]
        assert len(losses) == 6 and losses[0] == pytest.approx(0.6931, abs=0.01)  # log(2): policy == reference
        assert (tmp_path / "server" / "train" / job.id / "final" / "model.safetensors").exists()
