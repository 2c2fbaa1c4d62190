"""Failures, cancel, pause/resume, listing, filters and request errors of fine-tuning jobs."""

from __future__ import annotations

import re
import time

import openai
import pytest

from tests.conftest import DATASETS
from tests.server.conftest import EventFollower, upload, wait_status

ONE_EPOCH = {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 1}}}


def test_pretty_printed_file_fails_with_invalid_training_file(client):
    bad = upload(client, DATASETS / "medical_pretty_printed_crlf.jsonl")
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=bad.id)
    follower = EventFollower(client, job.id)
    done = follower.until_done()
    assert done.status == "failed"
    assert done.error.code == "invalid_training_file" and done.error.param == "training_file"
    assert done.error.message.startswith("The job failed due to an invalid training file. Invalid file format. Example 1")
    assert "pretty-printed" in done.error.message
    assert done.fine_tuned_model is None and done.trained_tokens is None
    last = follower.events[-1]
    assert last.level == "error" and last.message == done.error.message
    assert not any(m.startswith(("Fine-tuning job started", "Step ")) for m in follower.messages)


def test_five_examples_fail_with_invalid_n_examples(client):
    toy = upload(client, DATASETS / "cookbook_toy_chat.jsonl")
    done = wait_status(client, client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=toy.id).id)
    assert done.status == "failed"
    assert done.error.code == "invalid_n_examples"
    assert done.error.message == "Training file has 5 example(s), but must have at least 10 examples"


def test_message_without_role_is_located_by_example_and_message(client, tmp_path):
    lines = [b'{"messages": [{"role": "user", "content": "q%d"}, {"role": "assistant", "content": "a"}]}' % i
             for i in range(12)]
    lines[6] = b'{"messages": [{"role": "user", "content": "q"}, {"content": "no role"}]}'
    path = tmp_path / "bad_role.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    done = wait_status(client, client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=upload(client, path).id).id)
    assert done.status == "failed" and done.error.code == "invalid_training_file"
    assert re.search(r"Invalid file format\. Example 7, message 2 ", done.error.message), done.error.message


def test_preference_data_on_a_supervised_job_fails(client):
    dpo = upload(client, DATASETS / "foundry_dpo_orca_valid.jsonl")
    done = wait_status(client, client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=dpo.id).id)
    assert done.status == "failed" and done.error.code == "invalid_training_file"
    assert "expected either prompt/completion pairs or chat messages" in done.error.message


def test_cancel_running_job_stops_it(make_server, make_client):
    client = make_client(make_server(speed=0.05, queue_delay=0.05))
    train = upload(client, DATASETS / "pirate_chat.jsonl")
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id)
    running = wait_status(client, job.id, ("running",))
    assert running.estimated_finish and running.estimated_finish > running.created_at
    cancelled = client.fine_tuning.jobs.cancel(job.id)
    assert cancelled.status == "cancelled" and cancelled.estimated_finish is None
    follower = EventFollower(client, job.id)
    follower.poll()
    count = len(follower.events)
    time.sleep(0.3)
    assert follower.poll() == [] and len(follower.events) == count
    assert client.fine_tuning.jobs.retrieve(job.id).status == "cancelled"
    with pytest.raises(openai.BadRequestError) as exc:
        client.fine_tuning.jobs.cancel(job.id)
    assert exc.value.status_code == 400 and "cancelled" in exc.value.message


def test_pause_and_resume_continue_without_gaps_or_repeats(make_server, make_client):
    client = make_client(make_server(speed=0.02, queue_delay=0.05))
    train = upload(client, DATASETS / "pirate_chat.jsonl")
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id, method=ONE_EPOCH)
    follower = EventFollower(client, job.id)
    wait_status(client, job.id, ("running",))
    time.sleep(0.06)
    paused = client.fine_tuning.jobs.pause(job.id)
    assert paused.status == "paused"
    follower.poll()
    steps_before = sum(m.startswith("Step ") for m in follower.messages)
    time.sleep(0.25)
    follower.poll()
    assert sum(m.startswith("Step ") for m in follower.messages) == steps_before < 10
    with pytest.raises(openai.BadRequestError):
        client.fine_tuning.jobs.pause(job.id)
    resumed = client.fine_tuning.jobs.resume(job.id)
    assert resumed.status == "queued"
    done = follower.until_done()
    assert done.status == "succeeded"
    steps = [int(m.split()[1].split("/")[0]) for m in follower.messages if m.startswith("Step ")]
    assert steps == list(range(1, 11))
    with pytest.raises(openai.BadRequestError):
        client.fine_tuning.jobs.resume(job.id)


def test_list_is_newest_first_with_after_pagination_and_metadata_filters(client):
    train = upload(client, DATASETS / "pirate_chat.jsonl")
    made = []
    for i in range(5):
        meta = {"batch": "a" if i % 2 == 0 else "b", "i": str(i)} if i < 4 else None
        made.append(client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id, metadata=meta).id)
    newest_first = list(reversed(made))
    page = client.fine_tuning.jobs.list(limit=2)
    assert [j.id for j in page.data] == newest_first[:2] and page.has_more
    page2 = client.fine_tuning.jobs.list(limit=2, after=page.data[-1].id)
    assert [j.id for j in page2.data] == newest_first[2:4]
    assert [j.id for j in client.fine_tuning.jobs.list(limit=2)] == newest_first
    assert [j.id for j in client.fine_tuning.jobs.list(metadata={"batch": "a"})] == [made[2], made[0]]
    assert [j.id for j in client.fine_tuning.jobs.list(metadata={"batch": "b", "i": "3"})] == [made[3]]
    assert [j.id for j in client.fine_tuning.jobs.list(extra_query={"metadata": "null"})] == [made[4]]


def test_events_pagination_with_after(client):
    train = upload(client, DATASETS / "pirate_chat.jsonl")
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id, method=ONE_EPOCH)
    wait_status(client, job.id)
    every = list(client.fine_tuning.jobs.list_events(job.id, limit=4))
    assert len(every) == len({e.id for e in every}) == 2 + 1 + 1 + 10 + 2
    assert every[0].message == "The job has successfully completed"
    assert every[-1].message == f"Created fine-tuning job: {job.id}"
    first = client.fine_tuning.jobs.list_events(job.id, limit=3)
    assert first.has_more and [e.id for e in first.data] == [e.id for e in every[:3]]
    rest = client.fine_tuning.jobs.list_events(job.id, after=every[2].id, limit=100)
    assert not rest.has_more and [e.id for e in rest.data] == [e.id for e in every[3:]]


@pytest.mark.parametrize("kwargs, param, fragment", [
    ({"model": "gpt-9-ultra"}, "model", "not available for fine-tuning"),
    ({"training_file": "file-doesnotexist000000000000"}, "training_file", "invalid training_file"),
    ({"suffix": "x" * 65}, "suffix", "1 to 64"),
    ({"seed": -1}, "seed", "integer below minimum value. Expected a value >= 0"),
    ({"method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 0}}}},
     "method.supervised.hyperparameters.n_epochs", "integer below minimum value. Expected a value >= 1"),
    ({"method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": 3}}}}, "method.dpo.hyperparameters.beta", "(0, 2]"),
    ({"method": {"type": "reinforcement", "reinforcement": {}}, "model": "o4-mini"}, "method.reinforcement.grader", "Missing"),
    ({"method": {"type": "dpo"}, "model": "gpt-3.5-turbo"}, "method.type", "does not support the 'dpo'"),
    ({"extra_body": {"n_epochs": 3}}, "n_epochs", "Unrecognized request argument supplied: n_epochs"),
    ({"metadata": {"k": "v" * 513}}, "metadata.k", "512"),
])
def test_invalid_create_requests_are_400s(client, kwargs, param, fragment):
    train = upload(client, DATASETS / "pirate_chat.jsonl")
    args = {"model": "gpt-4o-mini", "training_file": train.id, **kwargs}
    with pytest.raises(openai.BadRequestError) as exc:
        client.fine_tuning.jobs.create(**args)
    assert exc.value.param == param and fragment in exc.value.message
    assert exc.value.body["type"] == "invalid_request_error"
    assert client.fine_tuning.jobs.list().data == []


def test_results_file_is_not_a_training_file(client):
    train = upload(client, DATASETS / "pirate_chat.jsonl")
    done = wait_status(client, client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id,
                                                              method=ONE_EPOCH).id)
    with pytest.raises(openai.BadRequestError) as exc:
        client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=done.result_files[0])
    assert exc.value.param == "training_file" and "purpose 'fine-tune-results'" in exc.value.message


def test_unknown_ids_are_404s(client):
    for call in (lambda: client.fine_tuning.jobs.retrieve("ftjob-nope"),
                 lambda: client.fine_tuning.jobs.cancel("ftjob-nope"),
                 lambda: client.fine_tuning.jobs.pause("ftjob-nope"),
                 lambda: client.fine_tuning.jobs.list_events("ftjob-nope"),
                 lambda: client.fine_tuning.jobs.checkpoints.list("ftjob-nope")):
        with pytest.raises(openai.NotFoundError) as exc:
            call()
        assert exc.value.body["message"] == "No such fine-tuning job: ftjob-nope"
    with pytest.raises(openai.NotFoundError) as exc:
        client.get("/fine_tuning/nothing_here", cast_to=object)
    assert exc.value.body["message"] == "Invalid URL (GET /v1/fine_tuning/nothing_here)"


def test_validation_threads_do_not_leak_connections(server, client):
    train = upload(client, DATASETS / "pirate_chat.jsonl")
    for _ in range(4):
        wait_status(client, client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id, method=ONE_EPOCH).id)
    # the creating thread's, the event loop's and the trainer's connections; none per validated job
    assert len(server.state.store._all) <= 3
