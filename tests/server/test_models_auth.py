"""Models, checkpoint permissions, API keys and configured limits."""

from __future__ import annotations

import openai
import pytest

from tests.conftest import DATASETS
from tests.server.conftest import upload, wait_status
from tunescope.tokens.models import load_models

ONE_EPOCH = {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 1}}}


def test_models_list_retrieve_delete_with_colons_in_ids(client):
    base_names = set(load_models().models)  # the model table is the server's list of base models
    listed = {m.id: m for m in client.models.list()}
    assert base_names <= set(listed) and "gpt-4o-mini-2024-07-18" in listed
    assert client.models.retrieve("gpt-4o-mini-2024-07-18").owned_by == "system"

    train = upload(client, DATASETS / "pirate_chat.jsonl")
    done = wait_status(client, client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id,
                                                              suffix="pirate", method=ONE_EPOCH).id)
    name = done.fine_tuned_model
    assert name in {m.id for m in client.models.list()}
    ckpt = client.fine_tuning.jobs.checkpoints.list(done.id).data
    assert [c.step_number for c in ckpt] == [10]  # one epoch: its checkpoint is the final model
    assert client.models.retrieve(name).id == name

    with pytest.raises(openai.BadRequestError) as exc:
        client.fine_tuning.checkpoints.permissions.create(name, project_ids=["proj_abc"])
    assert exc.value.code == "unsupported_on_local_server" and "not supported" in exc.value.message
    with pytest.raises(openai.BadRequestError):
        client.fine_tuning.checkpoints.permissions.list(name)
    with pytest.raises(openai.BadRequestError):
        client.fine_tuning.checkpoints.permissions.delete("cp_abc", fine_tuned_model_checkpoint=name)

    with pytest.raises(openai.PermissionDeniedError):
        client.models.delete("gpt-4o-mini-2024-07-18")
    deleted = client.models.delete(name)
    assert (deleted.id, deleted.deleted) == (name, True)
    with pytest.raises(openai.NotFoundError) as exc:
        client.models.retrieve(name)
    assert exc.value.code == "model_not_found"
    assert name not in {m.id for m in client.models.list()}
    with pytest.raises(openai.NotFoundError):
        client.models.delete(name)


def test_checkpoint_models_are_retrievable(client):
    train = upload(client, DATASETS / "pirate_chat.jsonl")
    hp = {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 5, "batch_size": 2}}}
    done = wait_status(client, client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id, method=hp).id)
    ckpts = client.fine_tuning.jobs.checkpoints.list(done.id, limit=2)
    assert [c.step_number for c in ckpts.data] == [25, 20] and ckpts.has_more  # last three epochs kept: 25, 20, 15
    older = client.fine_tuning.jobs.checkpoints.list(done.id, after=ckpts.data[-1].id)
    assert [c.step_number for c in older.data] == [15] and not older.has_more
    name = older.data[0].fine_tuned_model_checkpoint
    assert name.endswith(":ckpt-step-15") and client.models.retrieve(name).id == name


def test_api_key_required_when_configured_and_never_echoed(make_server, make_client):
    srv = make_server(api_key="sk-s3cret-value")
    good = make_client(srv, api_key="sk-s3cret-value")
    assert good.files.list().data == []
    with pytest.raises(openai.AuthenticationError) as exc:
        make_client(srv, api_key="sk-wrong-guess").files.list()
    assert exc.value.code == "invalid_api_key"
    assert "sk-wrong-guess" not in str(exc.value.body) and "s3cret" not in str(exc.value.body)
    with pytest.raises(openai.AuthenticationError) as exc:
        make_client(srv, default_headers={"Authorization": "Basic"}).fine_tuning.jobs.list()
    assert "didn't provide an API key" in exc.value.message


def test_active_job_limit_answers_429_without_retry(make_server, make_client):
    client = make_client(make_server(max_active_jobs=1, speed=0.05))
    train = upload(client, DATASETS / "pirate_chat.jsonl")
    first = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id)
    with pytest.raises(openai.RateLimitError) as exc:
        client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id)
    assert exc.value.code == "rate_limit_exceeded"
    assert exc.value.response.headers["x-should-retry"] == "false"
    client.fine_tuning.jobs.cancel(first.id)
    assert client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id).status == "validating_files"


def test_requests_per_minute_limit(make_server, make_client):
    client = make_client(make_server(requests_per_minute=3))
    for _ in range(3):
        client.models.list()
    with pytest.raises(openai.RateLimitError) as exc:
        client.models.list()
    assert int(exc.value.response.headers["retry-after"]) >= 1
