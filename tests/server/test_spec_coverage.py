"""Every endpoint answers in the documented shape: one client touches all of them while the
response hook validates each body against openapi-finetuning.yaml (real-world mode)."""

from __future__ import annotations

import openai
import orjson
import pytest

from tests.conftest import DATASETS
from tests.server.conftest import upload, wait_status
from tests.server.spec_check import SpecChecker

NOT_SERVED = {"runGrader", "validateGrader"}  # alpha grader endpoints: answered with the 404 error shape


def test_every_endpoint_validates_against_the_spec(make_server, make_client):
    client = make_client(make_server(speed=0.03))
    train = upload(client, DATASETS / "pirate_chat.jsonl")
    client.files.list(purpose="fine-tune", limit=5, order="asc")
    client.files.retrieve(train.id)
    client.files.content(train.id).read()
    up = client.uploads.create(filename="u.jsonl", purpose="fine-tune", bytes=4, mime_type="application/jsonl")
    part = client.uploads.parts.create(up.id, data=b"{}\n\n")
    client.uploads.complete(up.id, part_ids=[part.id])
    client.uploads.cancel(client.uploads.create(filename="v.jsonl", purpose="fine-tune", bytes=1,
                                                mime_type="application/jsonl").id)
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id, validation_file=train.id,
                                         integrations=[{"type": "wandb", "wandb": {"project": "p", "tags": ["t"]}}],
                                         method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2}}})
    assert job.integrations[0].wandb.project == "p"
    wait_status(client, job.id, ("running",))
    assert client.fine_tuning.jobs.pause(job.id).status == "paused"
    assert client.fine_tuning.jobs.resume(job.id).status == "queued"
    done = wait_status(client, job.id)
    client.fine_tuning.jobs.list(limit=3, metadata={"x": "y"})
    client.fine_tuning.jobs.list_events(job.id, limit=100)
    ckpt = client.fine_tuning.jobs.checkpoints.list(job.id).data[-1].fine_tuned_model_checkpoint
    other = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id)
    client.fine_tuning.jobs.cancel(other.id)
    for call in (lambda: client.fine_tuning.checkpoints.permissions.create(ckpt, project_ids=["proj_x"]),
                 lambda: client.fine_tuning.checkpoints.permissions.list(ckpt),
                 lambda: client.fine_tuning.checkpoints.permissions.delete("cp_x", fine_tuned_model_checkpoint=ckpt)):
        with pytest.raises(openai.BadRequestError):
            call()
    with pytest.raises(openai.NotFoundError):
        client.fine_tuning.alpha.graders.validate(grader={"type": "string_check", "name": "g", "input": "a",
                                                          "reference": "b", "operation": "eq"})
    client.models.list()
    client.models.retrieve(done.fine_tuned_model)
    client.models.delete(done.fine_tuned_model)
    client.files.delete(train.id)

    all_ops = {op[2] for op in SpecChecker().ops}
    assert all_ops - NOT_SERVED <= set(client.spec.seen), sorted(all_ops - NOT_SERVED - set(client.spec.seen))
    assert not client.spec.failures


def test_the_checker_bites_on_spec_violations():
    """The response hook must reject what the spec forbids, else the suite above proves nothing."""
    real, strict = SpecChecker(), SpecChecker(strict=True)
    job = {"object": "fine_tuning.job", "id": "ftjob-x", "model": "m", "created_at": 1, "finished_at": None,
           "fine_tuned_model": None, "organization_id": "org-x", "result_files": [], "status": "paused",
           "validation_file": None, "training_file": "file-x", "hyperparameters": {"n_epochs": "auto"},
           "trained_tokens": None, "error": {}, "seed": 1}
    args = ("GET", "/v1/fine_tuning/jobs/ftjob-x", 200, "application/json")
    assert real.check(*args, orjson.dumps(job)) == []
    problems = strict.check(*args, orjson.dumps(job))
    assert any("status" in p for p in problems) and any("error" in p for p in problems)
    broken = {**job, "status": "running", "created_at": "yesterday"}
    assert real.check(*args, orjson.dumps(broken))
    assert real.check("GET", "/v1/files/file-x", 404, "application/json", b'{"error": {"message": "x"}}')
    assert real.check("GET", "/v1/models", 200, "text/plain", b'{"object": "list", "data": []}')
