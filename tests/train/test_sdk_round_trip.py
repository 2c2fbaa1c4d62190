"""The whole job through the real openai SDK over HTTP: a tiny model really trains and really answers."""

from __future__ import annotations

import csv
import base64
import io
import json

import pytest

from tests.train.conftest import PIRATE
from tests.train.helpers import all_events, client_for, start_hf_server, wait_for

pytestmark = pytest.mark.slow


def replies():
    rows = [json.loads(line) for line in PIRATE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(row["messages"][:-1], row["messages"][-1]["content"]) for row in rows]


def greedy(client, model, messages):
    answer = client.chat.completions.create(model=model, messages=messages, temperature=0, max_tokens=80)
    return answer.choices[0].message.content, answer.usage


def test_full_fine_tune_memorises_and_serves_the_model(tiny_model, tmp_path):
    with start_hf_server(tmp_path / "server", tiny_model) as server:
        client = client_for(server)
        assert "tiny" in [m.id for m in client.models.list().data]
        upload = client.files.create(file=PIRATE.open("rb"), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(
            model="tiny", training_file=upload.id, seed=7,
            method={"type": "supervised", "supervised": {"hyperparameters": {
                "n_epochs": 50, "batch_size": 10, "learning_rate_multiplier": 1.3}}})
        job = wait_for(client, job.id)
        assert job.status == "succeeded", job.error
        assert job.fine_tuned_model.startswith("ft:tiny:") and job.trained_tokens > 10_000

        events = all_events(client, job.id)
        losses = [e.data["train_loss"] for e in events if e.type == "metrics"]
        assert len(losses) == 50 and losses[-1] < losses[0] / 3
        assert [e.message for e in events if e.type == "metrics"][0].startswith("Step 1/50: training loss=")
        checkpoints = client.fine_tuning.jobs.checkpoints.list(job.id).data
        assert sorted(c.step_number for c in checkpoints)[-1] == 50
        results = base64.b64decode(client.files.content(job.result_files[0]).read()).decode()
        rows = list(csv.DictReader(io.StringIO(results)))
        assert len(rows) == 50 and float(rows[-1]["train_loss"]) == pytest.approx(losses[-1], abs=1e-4)
        assert job.fine_tuned_model in [m.id for m in client.models.list().data]

        exact_ft = exact_base = 0
        for prompt, reply in replies():
            text, usage = greedy(client, job.fine_tuned_model, prompt)
            exact_ft += text.strip() == reply.strip()
            assert usage.prompt_tokens > 10 and 0 < usage.completion_tokens <= 81
            base_text, _ = greedy(client, "tiny", prompt)
            exact_base += base_text.strip() == reply.strip()
        assert exact_ft >= 3 and exact_base == 0, (exact_ft, exact_base)
