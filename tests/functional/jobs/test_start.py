"""Starting a job from the dataset screen: confirmations, saving first, failures; the backend's lifetime."""

from __future__ import annotations

import socket

import openai
import pytest

from tests.functional.app_helpers import notifications, ready, shown, wait_for
from tests.functional.jobs_helpers import (chat_file, copy_dataset, in_thread, job_status, jobs_app, jobs_screen,
                                           local_profile)
from tunescope.config import Settings
from tunescope.jobs.profiles import BackendProfile
from tunescope.server.embedded import start_embedded
from tunescope.tui.app import make_app
from tunescope.tui.dialogs.confirm import ConfirmScreen
from tunescope.tui.dialogs.start_job import StartJobScreen
from tunescope.tui.screens.jobs import JobsScreen


@pytest.fixture
def other_server(tmp_path):
    """A local server reached as a plain OpenAI-compatible endpoint, i.e. like a billed provider."""
    server = start_embedded(tmp_path / "other", speed=0.01, queue_delay=0.05)
    yield server
    server.stop()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def open_dialog(pilot) -> StartJobScreen:
    await ready(pilot)
    await pilot.press("T")
    return await shown(pilot, StartJobScreen, 10, "the start dialog")


@pytest.mark.slow
async def test_billed_backend_asks_with_the_cost_before_uploading(tmp_path, datasets_dir, other_server):
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    profile = BackendProfile(name="work", kind="compatible", base_url=other_server.base_url)
    app = jobs_app(path, profile)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        dialog = await open_dialog(pilot)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the cost confirmation")
        question = app.screen.question
        assert "billed" in question and "about $" in question and "10 examples" in question
        await pilot.press("n")                                           # declined: nothing is sent
        await wait_for(pilot, lambda: app.screen is dialog, 5, "back in the dialog")
        client = openai.OpenAI(base_url=other_server.base_url, api_key="x", max_retries=0)
        try:
            assert (await in_thread(client.files.list)).data == []
            assert (await in_thread(client.fine_tuning.jobs.list)).data == []
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the cost confirmation")
            await pilot.press("y")
            screen = await jobs_screen(pilot)
            job = await job_status(pilot, screen, "succeeded", timeout=60)
            remote = await in_thread(client.fine_tuning.jobs.retrieve, job.id)
            assert remote.status == "succeeded" and remote.model == job.model
        finally:
            client.close()


@pytest.mark.slow
async def test_errors_need_a_forced_upload(tmp_path, datasets_dir):
    path = copy_dataset(tmp_path, "cookbook_toy_chat.jsonl")
    app = jobs_app(path, local_profile(tmp_path))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        dialog = await open_dialog(pilot)
        report = app.dataset_screen.state.report
        whole_file = [f for f in report.findings if f.line is None and f.severity.value == "error"]
        assert "too_few_examples" in {f.check for f in whole_file}       # 5 examples: an error for the file
        assert dialog.errors() == app.dataset_screen.state.counts()[0] + len(whole_file) >= 1
        assert f"✗ {dialog.errors():,} error" in str(dialog.query_one("#start-file").render())
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the force confirmation")
        assert "error" in app.screen.question and app.screen.danger
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is dialog, 5, "back in the dialog")
        await pilot.pause(0.3)
        assert not dialog.running
        assert (await in_thread(app.jobs_backend.jobs().list)).items == []   # nothing uploaded or started


@pytest.mark.slow
async def test_unsaved_edits_are_saved_first(tmp_path):
    path = chat_file(tmp_path / "twelve.jsonl", n=12)
    app = jobs_app(path, local_profile(tmp_path))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        dataset = await ready(pilot)
        await pilot.press("d")                                           # delete line 1: unsaved edit
        assert dataset.state.session.dirty
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the save offer")
        assert "unsaved" in app.screen.question
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, StartJobScreen), 10, "the dialog after saving")
        assert not dataset.state.session.dirty
        assert len(path.read_bytes().splitlines()) == 11                # the job would train on the saved file
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is dataset, 5, "the dataset screen")


@pytest.mark.slow
async def test_unreachable_backend_when_starting(tmp_path, datasets_dir):
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    profile = BackendProfile(name="gone", kind="compatible", base_url=f"http://127.0.0.1:{closed_port()}/v1",
                             timeout=2.0)
    app = jobs_app(path, profile)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        dialog = await open_dialog(pilot)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the cost confirmation")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is dialog and not dialog.running
                       and "cannot connect" in str(dialog.query_one("#start-status").render()), 30, "the failure")
        assert not dialog.query_one("#start").disabled                 # the user can fix and retry
        await wait_for(pilot, lambda: any("cannot connect" in text for text in notifications(app)), 5,
                       "the notification")                             # notify() posts a message: let it land


@pytest.mark.slow
async def test_quitting_closes_the_local_server(tmp_path):
    path = chat_file(tmp_path / "twelve.jsonl", n=12)
    profile = local_profile(tmp_path)
    app = jobs_app(path, profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("J")
        screen = await jobs_screen(pilot)
        await wait_for(pilot, lambda: screen.listed, 20, "the first listing")
        server = app.jobs_backend.connection().server
        port = server.port
        await pilot.press("escape", "q")                                 # back to the dataset, then quit
    assert app.jobs_backend.closed
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    again = start_embedded(profile.local_data_dir, speed=0.01)          # the data dir's lock was released
    again.stop()


@pytest.mark.slow
async def test_jobs_keys_can_be_remapped(tmp_path):
    path = chat_file(tmp_path / "twelve.jsonl", n=12)
    app = make_app(path, backend=local_profile(tmp_path, speed=0.3),
                   settings=Settings(keymap={"jobs.cancel": "x", "dataset.jobs": "ctrl+j"}))
    app.jobs_backend.poll_interval = 0.2
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        jobs = await in_thread(app.jobs_backend.jobs)
        upload = await in_thread(jobs.upload, str(path))
        job = await in_thread(jobs.create, "gpt-4o-mini-2024-07-18", upload)
        await pilot.press("ctrl+j")
        screen = await jobs_screen(pilot)
        await job_status(pilot, screen, ("validating_files", "queued", "running"), job_id=job.id)
        await wait_for(pilot, lambda: screen.job is not None and not screen.job.done, 10, "the job selected")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the remapped cancel")
        await pilot.press("y")
        await job_status(pilot, screen, "cancelled", job_id=job.id)
        assert isinstance(app.screen, JobsScreen)


@pytest.mark.slow
async def test_unknown_backend_name_is_one_clear_message(tmp_path):
    path = chat_file(tmp_path / "twelve.jsonl", n=12)
    app = jobs_app(path, "nope")                                       # as from `tunescope FILE --backend nope`
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        await pilot.press("J")
        screen = await jobs_screen(pilot)
        await wait_for(pilot, lambda: any("unknown backend 'nope'" in t for t in notifications(app)), 10, "the toast")
        await pilot.pause(1.0)                                         # a config error is not retried in a loop
        assert sum("unknown backend" in t for t in notifications(app)) == 1
        assert screen.poller.rounds == 0 and "R retries" in str(screen.query_one("#jobs-title").render())
        await pilot.press("R")                                         # asked again: told again
        await wait_for(pilot, lambda: sum("unknown backend" in t for t in notifications(app)) == 2, 10, "again")
