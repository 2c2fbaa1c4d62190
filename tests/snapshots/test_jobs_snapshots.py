"""SVG snapshots of the jobs screen at 80x24 and 120x40 with a finished job on the real local server.

Deterministic by construction: the server's random ids come from a seeded
generator, the job has a fixed seed (the simulated loss curve is a pure
function of it), and the one wall-clock formatter of the jobs widgets is
pinned. Update with `pytest tests/snapshots --snapshot-update` and look at
the report before committing.
"""

from __future__ import annotations

import random
import threading

import pytest

from tunescope.config import Settings
from tunescope.jobs.client import JobsClient
from tunescope.jobs.errors import JobsError
from tunescope.server import ids
from tunescope.tui.app import make_app
from tunescope.tui.widgets.jobs import format as jobs_format

from tests.functional.app_helpers import ready, wait_for
from tests.functional.jobs_helpers import chat_file, copy_dataset, in_thread, local_profile


@pytest.fixture
def deterministic(monkeypatch):
    rng = random.Random(20240601)
    lock = threading.Lock()

    def base62(n: int) -> str:
        with lock:
            return "".join(rng.choice(ids.ALPHABET) for _ in range(n))

    monkeypatch.setattr(ids, "base62", base62)
    monkeypatch.setattr(jobs_format, "clock", lambda ts, seconds=False: ("12:00:00" if seconds else "12:00")
                        if ts else "")


def scene(model: str, suffix: str, force: bool = False, status: str = "succeeded"):
    async def run_before(pilot) -> None:
        app = pilot.app
        dataset = await ready(pilot)
        jobs = await in_thread(app.jobs_backend.jobs)
        upload = await in_thread(jobs.upload, dataset.path, force=force)
        job = await in_thread(jobs.create, model, upload, suffix=suffix, seed=42)
        await pilot.press("J")
        screen = app.screen
        await wait_for(pilot, lambda: screen.job is not None and screen.job.id == job.id
                       and screen.job.status == status, 60, f"the job {status} on screen")
        await wait_for(pilot, lambda: screen.event_log.lines and "Loading" not in screen.event_log.lines[0]
                       and (status != "succeeded" or screen.checkpoints), 20, "the detail panes")
        screen.poller.pause()
        await pilot.pause(0.3)
        app.clear_notifications()
        await pilot.pause()
    return run_before


def app_for(path, tmp_path):
    app = make_app(path, backend=local_profile(tmp_path), settings=Settings(theme="textual-dark"))
    app.jobs_backend.poll_interval = 0.2
    return app


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_finished_job(snap_compare, deterministic, tmp_path, datasets_dir, size):
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    assert snap_compare(app_for(path, tmp_path), terminal_size=size,
                        run_before=scene("gpt-4o-mini-2024-07-18", "pirate"))


def test_failed_job(snap_compare, deterministic, tmp_path):
    path = chat_file(tmp_path / "roles.jsonl", n=12, broken_line=7)
    assert snap_compare(app_for(path, tmp_path), terminal_size=(80, 24),
                        run_before=scene("gpt-4o-mini-2024-07-18", "roles", force=True, status="failed"))


def offline_models(self):
    raise JobsError("offline", kind="connection")


def test_start_dialog_with_openai_s_deadlines(snap_compare, tmp_path, datasets_dir, monkeypatch):
    """Issue 9: on OpenAI five weeks before the cutoff, the dialog names the model's shutdown and the cutoff."""
    from tunescope.tui.dialogs.start_job import StartJobScreen

    monkeypatch.setenv("TUNESCOPE_TODAY", "2026-12-06")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-snapshot-0000000000000000")
    monkeypatch.setattr(JobsClient, "models", offline_models)     # never reach api.openai.com from a test
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    app = make_app(path, backend="openai", settings=Settings(theme="textual-dark"))

    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.pause(0.3)
        pilot.app.clear_notifications()                 # the check's toasts would show behind the dialog
        await pilot.pause()
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, StartJobScreen), 10, "the start dialog")
        await pilot.app.workers.wait_for_complete()     # /v1/models fails offline: the table's dates show
        await pilot.pause(0.3)
        pilot.app.clear_notifications()
        await pilot.pause()
    assert snap_compare(app, terminal_size=(100, 32), run_before=run_before)


def test_backend_picker(snap_compare, tmp_path, datasets_dir):
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")

    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("J")
        await pilot.pause(0.5)
        pilot.app.clear_notifications()
        await pilot.press("b")
        await pilot.pause(0.3)
        pilot.app.clear_notifications()
        await pilot.pause(0.3)
    assert snap_compare(app_for(path, tmp_path), terminal_size=(80, 24), run_before=run_before)
