"""Extra base models (ServerConfig.base_models, what `--base-model` fills): listed, trainable, methods enforced."""

from __future__ import annotations

import openai
import pytest

from tests.conftest import DATASETS
from tests.server.conftest import TERMINAL

PIRATE = DATASETS / "pirate_chat.jsonl"


def test_extra_base_model_is_listed_found_and_trained(make_server, make_client):
    if not PIRATE.exists():
        pytest.skip("../shared/datasets not present")
    server = make_server(base_models={"tiny": ("supervised",)})
    client = make_client(server)
    ids = [m.id for m in client.models.list().data]
    assert ids[0] == "tiny" and "gpt-4.1-mini-2025-04-14" in ids
    assert client.models.retrieve("tiny").owned_by == "system"
    upload = client.files.create(file=PIRATE.open("rb"), purpose="fine-tune")
    job = client.fine_tuning.jobs.create(model="tiny", training_file=upload.id)
    while job.status not in TERMINAL:
        job = client.fine_tuning.jobs.retrieve(job.id)
    assert job.status == "succeeded", job.error  # the file check accepts a model the table does not know
    assert job.fine_tuned_model.startswith("ft:tiny:")
    with pytest.raises(openai.BadRequestError) as err:
        client.fine_tuning.jobs.create(model="tiny", training_file=upload.id,
                                       method={"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.1}}})
    assert "Model tiny does not support the 'dpo' fine-tuning method (supported: supervised)" in str(err.value)
