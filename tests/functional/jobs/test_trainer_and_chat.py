"""The server says which trainer it runs; the start dialog lists a real trainer's models; the chat pane."""

from __future__ import annotations

import json

import openai
import pytest
from textual.widgets import Input, Select, Static

from tests.functional.app_helpers import wait_for
from tests.functional.jobs_helpers import (copy_dataset, in_thread, job_status, jobs_app, local_profile,
                                           start_from_dataset)
from tests.functional.jobs.test_start import open_dialog
from tunescope.jobs.client import JobsClient
from tunescope.jobs.profiles import BackendProfile
from tunescope.server.embedded import start_embedded
from tunescope.tui.jobs_connection import REAL_TRAINER, SIMULATED
from tunescope.tui.screens.chat import ChatScreen


@pytest.fixture
def trainer_server(tmp_path):
    """A server configured with a base model of its own, as `serve --trainer hf --base-model tiny=...` is."""
    server = start_embedded(tmp_path / "hf", speed=0.01, base_models={"tiny": ("supervised",)})
    yield server
    server.stop()


@pytest.fixture
def simulated_server(tmp_path):
    server = start_embedded(tmp_path / "sim", speed=0.01)
    yield server
    server.stop()


def test_the_server_says_which_trainer_it_runs(trainer_server, simulated_server):
    for server, kind in ((trainer_server, "hf"), (simulated_server, "simulated")):
        jobs = JobsClient(openai.OpenAI(base_url=server.base_url, api_key="sk-local", max_retries=0))
        assert jobs.trainer is None
        models = [m.id for m in jobs.models()]
        assert jobs.trainer == kind
        assert ("tiny" in models) is (kind == "hf")


@pytest.mark.slow
async def test_start_dialog_lists_the_real_trainers_models_first(tmp_path, datasets_dir, trainer_server):
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    app = jobs_app(path, BackendProfile(name="gpu-box", kind="compatible", base_url=trainer_server.base_url))
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_dialog(pilot)
        select = dialog.query_one("#start-model", Select)
        await wait_for(pilot, lambda: select.value == "tiny", 10, "the trainer's model chosen")
        assert dialog.model_names[0] == "tiny"
        assert REAL_TRAINER in app.jobs_backend.describe() and SIMULATED not in app.jobs_backend.describe()


@pytest.mark.slow
async def test_chat_with_the_fine_tuned_model_after_success(tmp_path, datasets_dir):
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    app = jobs_app(path, local_profile(tmp_path))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen = await start_from_dataset(pilot)
        job = await job_status(pilot, screen, "succeeded")
        await wait_for(pilot, lambda: screen.job is not None and screen.job.status == "succeeded", 20,
                       "the selected job's details")
        assert SIMULATED in app.jobs_backend.describe()
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), 10, "the chat pane")
        chat = app.screen
        assert chat.model == job.fine_tuned_model
        # a training question: the simulated responder answers a fine-tune with its nearest training reply
        rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        first = json.loads(rows[0])["messages"]
        question = next(m["content"] for m in first if m["role"] == "user")
        reply = next(m["content"] for m in first if m["role"] == "assistant")
        chat.query_one(Input).value = question
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(chat.messages) == 2, 20, "the model's answer")
        assert chat.messages[1] == {"role": "assistant", "content": reply}
        said = [str(s.render()) for s in chat.query(".chat-assistant").results(Static)]
        assert said == [f"{job.fine_tuned_model}: {reply}"]
        truth = await in_thread(app.jobs_backend.jobs().get, job.id)
        assert truth.fine_tuned_model == chat.model
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, 5, "back on the jobs screen")
