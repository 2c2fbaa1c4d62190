"""Supervised, DPO and reinforcement jobs end to end through the real SDK."""

from __future__ import annotations

import base64
import re

from tests.conftest import DATASETS
from tests.server.conftest import EventFollower, upload, wait_status

GRADER = {"type": "string_check", "name": "exact", "input": "{{sample.output_text}}",
          "reference": "{{item.reference_answer}}", "operation": "eq"}


def test_supervised_job_with_validation_file_emits_real_event_sequence(client):
    train = upload(client, DATASETS / "foundry_gsm8k_chat_valid.jsonl")
    valid = upload(client, DATASETS / "pirate_chat.jsonl")
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id, validation_file=valid.id,
                                         suffix="gsm8k", seed=7, metadata={"team": "math"})
    assert job.status == "validating_files"
    assert job.model == "gpt-4o-mini-2024-07-18"  # alias resolved to the dated snapshot
    assert job.hyperparameters.n_epochs == "auto" and job.method.type == "supervised"
    raw = job.model_extra
    assert raw["user_provided_suffix"] == "gsm8k" and raw["shared_with_openai"] is False
    assert job.error is not None and job.error.code is None  # real wire shape: "error": {}

    follower = EventFollower(client, job.id, page=37)
    done = follower.until_done()
    assert done.status == "succeeded", done.error
    # 50 examples -> cookbook heuristic 3 epochs, batch size 1 -> 150 steps
    hp = done.method.supervised.hyperparameters
    assert (hp.n_epochs, hp.batch_size) == (3, 1) and done.hyperparameters.n_epochs == 3
    msgs = follower.messages
    assert msgs[0] == f"Created fine-tuning job: {job.id}"
    assert msgs[1] == f"Validating training file: {train.id} and validation file: {valid.id}"
    assert msgs[2] == "Files validated, moving job to queued state"
    assert msgs[3] == "Fine-tuning job started"
    steps = [m for m in msgs if m.startswith("Step ")]
    assert [int(re.match(r"Step (\d+)/150:", m).group(1)) for m in steps] == list(range(1, 151))
    assert re.fullmatch(r"Step 150/150: training loss=\d+\.\d\d, validation loss=\d+\.\d\d, "
                        r"full validation loss=\d+\.\d\d", steps[-1])
    tail = msgs[4 + 150:]
    assert tail[0] == f"Checkpoint created at step 50 with Snapshot ID: {tail[0].split(': ', 1)[1]}"
    assert tail[0].endswith(":ckpt-step-50") and tail[1].endswith(":ckpt-step-100")
    assert tail[2] == f"New fine-tuned model created: {done.fine_tuned_model}"
    assert tail[3] == "The job has successfully completed" and len(tail) == 4
    assert re.fullmatch(r"ft:gpt-4o-mini-2024-07-18:local:gsm8k:[A-Za-z0-9]{8}", done.fine_tuned_model)
    assert all(re.fullmatch(r"ftevent-[A-Za-z0-9]{24}", e.id) for e in follower.events)

    metrics = [e.data for e in follower.events if e.type == "metrics"]
    assert all({"step", "train_loss", "total_steps", "train_mean_token_accuracy", "valid_loss"} <= set(d) for d in metrics)
    epoch_ends = [d["step"] for d in metrics if "full_valid_loss" in d]
    assert epoch_ends == [50, 100, 150]
    first, last = metrics[:15], metrics[-15:]
    mean = lambda rows, key: sum(r[key] for r in rows) / len(rows)  # noqa: E731
    assert mean(first, "train_loss") > 2 * mean(last, "train_loss")  # decaying
    assert mean(metrics, "valid_loss") > mean(metrics, "train_loss")  # validation above training
    started = next(e for e in follower.events if e.message == "Fine-tuning job started")
    assert started.data is None  # the real API sends data: null on this one

    ckpts = client.fine_tuning.jobs.checkpoints.list(job.id)
    assert [c.step_number for c in ckpts.data] == [150, 100, 50]
    assert ckpts.data[0].fine_tuned_model_checkpoint == done.fine_tuned_model
    assert all(re.fullmatch(r"ftckpt_[A-Za-z0-9]{24}", c.id) for c in ckpts.data)
    assert ckpts.data[1].metrics.full_valid_loss is not None

    assert done.trained_tokens and done.trained_tokens % 3 == 0
    size = (DATASETS / "foundry_gsm8k_chat_valid.jsonl").stat().st_size
    assert size / 8 < done.trained_tokens / 3 < size  # billed tokens of one epoch, plausibly sized
    assert done.finished_at is not None and done.estimated_finish is None

    result = client.files.retrieve(done.result_files[0])
    assert result.purpose == "fine-tune-results"
    csv = base64.b64decode(client.files.content(result.id).read()).decode().splitlines()
    assert csv[0] == "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"
    assert len(csv) == 151 and csv[150].startswith("150,") and csv[150].split(",")[3]
    assert float(csv[150].split(",")[1]) == metrics[-1]["train_loss"]

    model = client.models.retrieve(done.fine_tuned_model)
    assert model.id == done.fine_tuned_model and model.owned_by == done.organization_id
    assert done.fine_tuned_model in {m.id for m in client.models.list()}


def test_same_seed_gives_same_curves_and_another_seed_does_not(client):
    train = upload(client, DATASETS / "pirate_chat.jsonl")
    hp = {"n_epochs": 2}
    jobs = [client.fine_tuning.jobs.create(model="gpt-4.1-mini-2025-04-14", training_file=train.id, seed=seed,
                                           method={"type": "supervised", "supervised": {"hyperparameters": hp}})
            for seed in (11, 11, 12)]
    curves = []
    for job in jobs:
        follower = EventFollower(client, job.id)
        assert follower.until_done().status == "succeeded"
        curves.append([e.data["train_loss"] for e in follower.events if e.type == "metrics"])
    assert len(curves[0]) == 20 and curves[0] == curves[1] and curves[0] != curves[2]


def test_dpo_job_on_preference_data(client):
    train = upload(client, DATASETS / "foundry_dpo_orca_valid.jsonl")
    job = client.fine_tuning.jobs.create(
        model="gpt-4o-mini-2024-07-18", training_file=train.id,
        method={"type": "dpo", "dpo": {"hyperparameters": {"n_epochs": 1, "batch_size": 16}}})
    assert job.method.dpo.hyperparameters.beta == "auto"
    follower = EventFollower(client, job.id)
    done = follower.until_done()
    assert done.status == "succeeded", done.error
    assert done.method.type == "dpo" and done.method.dpo.hyperparameters.beta == 0.1
    assert sum(m.startswith("Step ") for m in follower.messages) == 18  # ceil(283 / 16)
    assert follower.messages[-1] == "The job has successfully completed"


def test_reinforcement_job_with_grader(client):
    train = upload(client, DATASETS / "foundry_rft_toolcall_valid.jsonl")
    job = client.fine_tuning.jobs.create(
        model="o4-mini", training_file=train.id,
        method={"type": "reinforcement", "reinforcement": {"grader": GRADER, "hyperparameters": {"n_epochs": 1,
                                                                                                  "reasoning_effort": "low"}}})
    done = wait_status(client, job.id)
    assert done.status == "succeeded", done.error
    assert done.model == "o4-mini-2025-04-16"
    rft = done.method.reinforcement
    assert rft.grader.type == "string_check" and rft.hyperparameters.reasoning_effort == "low"
    assert isinstance(rft.hyperparameters.eval_interval, int)


def test_tools_and_legacy_datasets_train(client):
    tools = upload(client, DATASETS / "cookbook_drone_tools.jsonl")
    legacy = upload(client, DATASETS / "azure_prompt_completion_crlf.jsonl")
    j1 = client.fine_tuning.jobs.create(model="gpt-4.1-nano-2025-04-14", training_file=tools.id,
                                        method={"type": "supervised", "supervised": {"hyperparameters": {
                                            "n_epochs": 1, "batch_size": 8}}})
    # deprecated top-level hyperparameters are still accepted
    j2 = client.fine_tuning.jobs.create(model="babbage-002", training_file=legacy.id, hyperparameters={"n_epochs": 2})
    d1, d2 = wait_status(client, j1.id), wait_status(client, j2.id)
    assert d1.status == "succeeded", d1.error
    assert d2.status == "succeeded", d2.error
    assert d2.hyperparameters.n_epochs == 2 and d2.method.supervised.hyperparameters.n_epochs == 2
    assert d1.hyperparameters.batch_size == 8
    assert d2.fine_tuned_model.startswith("ft:babbage-002:local::")


def test_continued_fine_tuning_on_a_fine_tuned_model(client):
    train = upload(client, DATASETS / "pirate_chat.jsonl")
    hp = {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 1}}}
    first = wait_status(client, client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id, method=hp).id)
    second = client.fine_tuning.jobs.create(model=first.fine_tuned_model, training_file=train.id, method=hp)
    assert second.model == first.fine_tuned_model
    assert wait_status(client, second.id).status == "succeeded"
