"""Reinforcement jobs on the real trainer: GRPO rewarded by the job's offline grader, through the openai SDK."""

from __future__ import annotations

import json

import pytest

from tests.train.helpers import all_events, client_for, start_hf_server, wait_for

pytestmark = pytest.mark.slow
PROMPTS = ["Ahoy", "Where be the treasure?", "Who are ye?", "What ship is this?", "Hello", "Where is the map?",
           "What be yer name?", "Is the sea calm?", "Who is the captain?", "Where do we sail?"]


def test_grpo_job_with_a_string_check_grader_succeeds_with_rewards(tiny_model, tmp_path):
    rft = tmp_path / "rft.jsonl"
    rft.write_text("".join(json.dumps({"messages": [{"role": "user", "content": p}], "answer": "a"}) + "\n"
                           for p in PROMPTS), encoding="utf-8")
    grader = {"type": "string_check", "name": "has_a", "input": "{{sample.output_text}}",
              "reference": "{{item.answer}}", "operation": "ilike"}
    with start_hf_server(tmp_path / "server", tiny_model, max_completion_length=8) as server:
        client = client_for(server)
        upload = client.files.create(file=rft.open("rb"), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(model="tiny", training_file=upload.id, method={
            "type": "reinforcement", "reinforcement": {"grader": grader,
                                                       "hyperparameters": {"n_epochs": 1, "batch_size": 5}}})
        job = wait_for(client, job.id)
        assert job.status == "succeeded", job.error
        metrics = [e.data for e in all_events(client, job.id) if e.type == "metrics"]
        assert [m["step"] for m in metrics] == [1, 2]   # 10 prompts, 5 per step, 1 epoch
        for data in metrics:
            assert 0.0 <= data["train_reward_mean"] <= 1.0
            assert data["total_steps"] == 2
        final = tmp_path / "server" / "train" / job.id / "final"
        assert (final / "model.safetensors").exists()
        answer = client.chat.completions.create(model=job.fine_tuned_model, max_tokens=5, temperature=0,
                                                messages=[{"role": "user", "content": "Ahoy"}])
        assert answer.usage.completion_tokens >= 1
