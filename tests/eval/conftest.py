"""Evaluation tests: a local server (`tunescope serve` embedded on 127.0.0.1) with a simulated
fine-tune of a real dataset, and the real openai SDK between them."""

from __future__ import annotations

import openai
import pytest

from tests.conftest import DATASETS
from tests.server.conftest import make_server, server, upload, wait_status  # noqa: F401 - fixtures
from tunescope.eval.backend import ChatBackend
from tunescope.eval.cache import AnswerCache
from tunescope.jobs.client import JobsClient
from tunescope.jobs.connection import Connection
from tunescope.jobs.profiles import BackendProfile

PIRATE = DATASETS / "pirate_chat.jsonl"
BASE = "gpt-4o-mini-2024-07-18"


def fine_tune(srv, path=PIRATE, model=BASE) -> tuple[str, str]:
    """(job id, fine-tuned model) of a simulated job on `path` (fixed seed: the same loss curve), run to the end."""
    with openai.OpenAI(base_url=srv.base_url, api_key="sk-local-test", max_retries=0) as client:
        file = upload(client, path)
        job = client.fine_tuning.jobs.create(model=model, training_file=file.id, seed=42,
                                             method={"type": "supervised",
                                                     "supervised": {"hyperparameters": {"n_epochs": 2}}})
        done = wait_status(client, job.id)
        assert done.status == "succeeded", done.error
        return job.id, done.fine_tuned_model


class CountingHTTP:
    """An httpx event hook that counts chat requests the SDK sends."""

    def __init__(self) -> None:
        self.chat = 0

    def __call__(self, request) -> None:
        if request.url.path.endswith("/chat/completions"):
            self.chat += 1


def chat_backend(srv, tmp_path, cache=True, **kwargs) -> tuple[ChatBackend, CountingHTTP]:
    counter = CountingHTTP()
    http = openai.DefaultHttpxClient(event_hooks={"request": [counter]})
    client = openai.OpenAI(base_url=srv.base_url, api_key="sk-local-test", max_retries=0, http_client=http)
    profile = BackendProfile(name="compatible", kind="compatible", base_url=srv.base_url)
    conn = Connection(profile, client, JobsClient(client))
    return ChatBackend(conn, AnswerCache(tmp_path / "answers.sqlite3") if cache else None, **kwargs), counter


@pytest.fixture
def tuned(make_server, tmp_path):  # noqa: F811 - pytest fixture injection
    srv = make_server()
    job_id, model = fine_tune(srv)
    return srv, job_id, model
