"""Issue 9, the server: jobs whose files break the checker, suffixes, `method` siblings, error wording.

Every test goes through the real openai SDK (or raw httpx) against an embedded `tunescope serve`.
"""

from __future__ import annotations

import json
import logging

import openai
import pytest

from tests.server.conftest import httpx, upload, wait_status
from tunescope.server.jobs import service as jobs_service

GPT = "gpt-4o-mini"


def _chat(i: int) -> dict:
    return {"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": "a"}]}


def _training(tmp_path, rows, name="train.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


@pytest.mark.parametrize("role", [["user"], {"name": "user"}])
def test_a_role_that_is_a_list_or_object_fails_the_job_instead_of_looping(client, tmp_path, caplog, role):
    rows = [_chat(i) for i in range(11)] + [{"messages": [{"role": role, "content": "q"},
                                                          {"role": "assistant", "content": "a"}]}]
    f = upload(client, _training(tmp_path, rows))
    with caplog.at_level(logging.ERROR, logger="tunescope.server"):
        job = wait_status(client, client.fine_tuning.jobs.create(model=GPT, training_file=f.id).id, timeout=20)
    assert job.status == "failed" and job.error.code == "invalid_training_file"
    assert job.error.message.startswith("The job failed due to an invalid training file. Invalid file format. "
                                        "Example 12, message 1")
    assert not [r for r in caplog.records if r.exc_info], "validation logged a traceback"


def test_validation_that_raises_fails_the_job_once_with_a_clear_error(client, tmp_path, caplog, monkeypatch):
    calls = []

    def broken_checker(path, method, model, role="training"):
        calls.append(path)
        raise KeyError("checker bug")

    monkeypatch.setattr(jobs_service, "validate_file", broken_checker)
    f = upload(client, _training(tmp_path, [_chat(i) for i in range(12)]))
    with caplog.at_level(logging.ERROR, logger="tunescope.server"):
        job = wait_status(client, client.fine_tuning.jobs.create(model=GPT, training_file=f.id).id, timeout=20)
        events = client.fine_tuning.jobs.list_events(job.id, limit=50).data
    assert job.status == "failed" and job.error.code == "invalid_training_file"
    assert job.error.param == "training_file"
    assert "could not validate" in job.error.message and "tunescope serve" in job.error.message
    assert "checker bug" not in job.error.message and "KeyError" not in job.error.message
    assert events[0].level == "error" and events[0].message == job.error.message
    assert len(calls) == 1, f"validation ran {len(calls)} times"
    assert len([r for r in caplog.records if r.exc_info]) == 1  # the traceback is logged once, for the operator


def test_a_failure_around_validation_fails_the_job_once_too(server, client, tmp_path, caplog, monkeypatch):
    """Beyond the checker (the service's own reads), the trainer fails the job rather than retrying it."""
    calls = []

    def broken_check(job_id):
        calls.append(job_id)
        raise OSError("training file unreadable")

    monkeypatch.setattr(server.state.jobs, "check_files", broken_check)
    f = upload(client, _training(tmp_path, [_chat(i) for i in range(12)]))
    with caplog.at_level(logging.ERROR, logger="tunescope.server"):
        job = wait_status(client, client.fine_tuning.jobs.create(model=GPT, training_file=f.id).id, timeout=20)
    assert job.status == "failed" and job.error.code == "invalid_training_file"
    assert "could not finish validating" in job.error.message and "tunescope serve" in job.error.message
    assert calls == [job.id]


@pytest.mark.parametrize("suffix", ["my/model", "a:b", "with space", "x" * 65, "dots.not.allowed", "é"])
def test_a_suffix_outside_letters_digits_dash_underscore_is_refused(client, tmp_path, suffix):
    f = upload(client, _training(tmp_path, [_chat(i) for i in range(12)]))
    with pytest.raises(openai.BadRequestError) as err:
        client.fine_tuning.jobs.create(model=GPT, training_file=f.id, suffix=suffix)
    assert err.value.param == "suffix" and err.value.code == "invalid_value"
    assert "letters, digits, '-' and '_'" in err.value.message or "64 characters" in err.value.message


def test_a_valid_suffix_makes_a_model_that_can_be_retrieved_and_deleted(client, tmp_path):
    f = upload(client, _training(tmp_path, [_chat(i) for i in range(12)]))
    job = client.fine_tuning.jobs.create(model=GPT, training_file=f.id, suffix="My_model-2",
                                         hyperparameters={"n_epochs": 1})
    job = wait_status(client, job.id)
    assert job.status == "succeeded" and ":My_model-2:" in job.fine_tuned_model
    assert client.models.retrieve(job.fine_tuned_model).id == job.fine_tuned_model
    assert client.models.delete(job.fine_tuned_model).deleted


def test_a_model_id_with_a_slash_is_routable(server):
    """Models made before suffixes were checked (a `/` in the id) can still be retrieved and deleted
    (raw HTTP: the spec checker's path patterns, like the spec, have no `/` inside an id)."""
    name = "ft:gpt-4o-mini-2024-07-18:org:old/suffix:AbC12345"
    server.state.models.add_fine_tuned(name, 1_700_000_000, server.state.org_id, "ftjob-x")
    got = httpx.get(f"{server.base_url}/models/{name}")
    assert got.status_code == 200 and got.json()["id"] == name
    gone = httpx.delete(f"{server.base_url}/models/{name}")
    assert gone.status_code == 200 and gone.json() == {"id": name, "object": "model", "deleted": True}
    assert httpx.get(f"{server.base_url}/models/{name}").status_code == 404


def test_sibling_method_objects_are_accepted_as_the_sdk_tests_send_them(client, tmp_path):
    """openai-python's own tests send every method object beside `type`; only the named one applies."""
    f = upload(client, _training(tmp_path, [_chat(i) for i in range(12)]))
    job = client.fine_tuning.jobs.create(model=GPT, training_file=f.id, method={
        "type": "supervised",
        "supervised": {"hyperparameters": {"n_epochs": 2}},
        "dpo": {"hyperparameters": {"beta": "auto", "n_epochs": "auto"}},
        "reinforcement": {"grader": {"type": "string_check", "input": "i", "name": "n", "operation": "eq",
                                     "reference": "r"}, "hyperparameters": {"n_epochs": 1}},
    })
    assert job.method.type == "supervised" and job.method.supervised.hyperparameters.n_epochs == 2
    assert job.method.dpo is None and job.method.reinforcement is None
    with pytest.raises(openai.BadRequestError) as err:   # a sibling must still be an object
        client.fine_tuning.jobs.create(model=GPT, training_file=f.id,
                                       method={"type": "supervised", "dpo": "yes"})
    assert err.value.param == "method.dpo"
    with pytest.raises(openai.BadRequestError) as err:   # and unknown keys are still refused
        client.fine_tuning.jobs.create(model=GPT, training_file=f.id, method={"type": "supervised", "sft": {}})
    assert err.value.param == "method.sft"


@pytest.mark.parametrize("body, param, message", [
    ({"seed": "7"}, "seed", "Invalid type for 'seed': expected an integer, but got a string instead."),
    ({"seed": 1.5}, "seed", "Invalid type for 'seed': expected an integer, but got a decimal number instead."),
    ({"suffix": 5}, "suffix", "Invalid type for 'suffix': expected a string, but got an integer instead."),
    ({"metadata": ["a"]}, "metadata", "Invalid type for 'metadata': expected an object of string values, but got "
                                      "an array instead."),
    ({"hyperparameters": {"n_epochs": True}}, "hyperparameters.n_epochs",
     "Invalid type for 'hyperparameters.n_epochs': expected 'auto' or an integer, but got a boolean instead."),
    ({"seed": -1}, "seed", "Invalid 'seed': integer below minimum value. Expected a value >= 0, but got -1 instead."),
    ({"hyperparameters": {"n_epochs": 51}}, "hyperparameters.n_epochs",
     "Invalid 'hyperparameters.n_epochs': integer above maximum value. Expected a value <= 50, but got 51 instead."),
])
def test_request_errors_name_json_types_not_python_ones(server, client, tmp_path, body, param, message):
    f = upload(client, _training(tmp_path, [_chat(i) for i in range(12)]))
    r = httpx.post(f"{server.base_url}/fine_tuning/jobs", json={"model": GPT, "training_file": f.id, **body})
    assert r.status_code == 400 and r.headers["x-request-id"]
    assert r.json()["error"]["message"] == message and r.json()["error"]["param"] == param
    for python_name in (" int ", " str ", " float ", " bool ", " list ", " dict ", "NoneType"):
        assert python_name not in r.json()["error"]["message"] + " "


FORMAT_ERROR = "The job failed due to a file format error in the training file. "
INVALID_FILE = "The job failed due to an invalid training file. "


@pytest.mark.parametrize("method, line, code, message", [
    ("supervised", {**_chat(0), "weight": 1}, "invalid_file_format",
     FORMAT_ERROR + 'Invalid file format. Example 12 contains an extra "weight".'),
    ("supervised", {"messages": [{"role": "user", "content": "say <|fim_suffix|> now"},
                                 {"role": "assistant", "content": "a"}]}, "invalid_file_format",
     FORMAT_ERROR + "Invalid file format. Example 12 message contains an invalid token: <|fim_suffix|>."),
    ("supervised", {"conversations": [{"from": "human", "value": "q"}]}, "invalid_training_file",
     INVALID_FILE + "Invalid file format. Example 12 is missing key 'messages'."),
    ("supervised", '{"messages": [1,,]}', "invalid_training_file",
     INVALID_FILE + "Invalid file format. Example 12 cannot be parsed. Error: line contains invalid json: "),
])
def test_validation_failures_use_the_real_codes_and_prefixes(client, tmp_path, method, line, code, message):
    f = upload(client, _training(tmp_path, [_chat(i) for i in range(11)] + [line]))
    job = wait_status(client, client.fine_tuning.jobs.create(model=GPT, training_file=f.id).id, timeout=20)
    assert job.status == "failed" and job.error.code == code and job.error.param == "training_file"
    assert job.error.message.startswith(message), job.error.message


def test_chat_rows_sent_to_dpo_are_missing_key_input(client, tmp_path):
    f = upload(client, _training(tmp_path, [_chat(i) for i in range(12)]))
    job = client.fine_tuning.jobs.create(model=GPT, training_file=f.id, method={"type": "dpo"})
    job = wait_status(client, job.id, timeout=20)
    assert job.error.code == "invalid_training_file"
    assert job.error.message == INVALID_FILE + "Invalid file format. Example 1 is missing key 'input'."


def test_models_list_the_aliases_and_shutdown_dates_as_the_real_api_does(client, tmp_path):
    listed = list(client.models.list())
    ids = [m.id for m in listed]
    for alias, snapshot in (("gpt-4o-mini", "gpt-4o-mini-2024-07-18"), ("gpt-4.1-nano", "gpt-4.1-nano-2025-04-14"),
                            ("o4-mini", "o4-mini-2025-04-16")):
        assert alias in ids and ids.index(alias) == ids.index(snapshot) + 1
        assert client.models.retrieve(alias).id == alias
    assert len(ids) == len(set(ids))
    by_id = {m.id: m for m in listed}
    assert by_id["gpt-4.1-nano"].shutdown_date == by_id["gpt-4.1-nano-2025-04-14"].shutdown_date == "2026-10-23"
    assert all("shutdown_date" in m.model_dump() for m in listed)
    f = upload(client, _training(tmp_path, [_chat(i) for i in range(12)]))
    job = wait_status(client, client.fine_tuning.jobs.create(model="gpt-4.1-nano", training_file=f.id,
                                                             hyperparameters={"n_epochs": 1}).id)
    assert client.models.retrieve(job.fine_tuned_model).shutdown_date == "2026-10-23"  # it goes with its base
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o-mini-2099-01-01")
