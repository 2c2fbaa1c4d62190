"""Helpers for the jobs screens' Pilot tests: the app on a real local server, waits, reads."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from tunescope.jobs.profiles import BackendProfile
from tunescope.tui.screens.jobs import JobsScreen

from tests.conftest import DATASETS
from tests.factories import write_lines
from tests.functional.app_helpers import app_for, ready, shown, wait_for

FAST_STEP = 0.01
POLL = 0.2


def local_profile(tmp_path: Path, speed: float = FAST_STEP) -> BackendProfile:
    """The embedded local server in a per-test data dir, `speed` seconds per step."""
    return BackendProfile(name="local", kind="local", local_speed=speed, local_data_dir=str(tmp_path / "server"))


def copy_dataset(tmp_path: Path, name: str) -> Path:
    """A copy of a shared dataset (the app may save edits, and the originals stay untouched)."""
    target = tmp_path / name
    shutil.copyfile(DATASETS / name, target)
    return target


def chat_file(path: Path, n: int = 12, broken_line: int | None = None) -> Path:
    """n small chat examples; `broken_line` (1-based) gets a second message without a role."""
    rows = []
    for i in range(1, n + 1):
        messages = [{"role": "user", "content": f"What is {i} + {i}?"},
                    {"role": "assistant", "content": f"{2 * i}."}]
        if i == broken_line:
            messages[1] = {"content": f"{2 * i}."}
        rows.append({"messages": messages})
    return write_lines(path, rows)


def jobs_app(path, backend, poll: float = POLL):
    app = app_for(path, backend=backend)
    app.jobs_backend.poll_interval = poll
    return app


async def jobs_screen(pilot, timeout: float = 30.0) -> JobsScreen:
    return await shown(pilot, JobsScreen, timeout, "the jobs screen")


async def job_status(pilot, screen: JobsScreen, statuses, timeout: float = 60.0, job_id: str | None = None):
    """Wait until the job (default: the selected one) shows one of `statuses` in the list; returns it."""
    statuses = (statuses,) if isinstance(statuses, str) else tuple(statuses)

    def current():
        for job in screen.jobs_list.jobs:
            if job.id == (job_id or screen.jobs_list.selected_id):
                return job
        return None

    await wait_for(pilot, lambda: current() is not None and current().status in statuses, timeout,
                   f"job status {statuses}")
    return current()


async def start_from_dataset(pilot, confirm_force: bool = False) -> JobsScreen:
    """T on the dataset screen, start in the dialog (confirming a forced upload), then the jobs screen."""
    from tunescope.tui.dialogs.confirm import ConfirmScreen
    from tunescope.tui.dialogs.start_job import StartJobScreen

    await ready(pilot)
    await pilot.press("T")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, StartJobScreen), 10, "the start dialog")
    await pilot.press("ctrl+s")
    if confirm_force:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), 10, "the force confirmation")
        await pilot.press("y")
    return await jobs_screen(pilot)


async def in_thread(func, *args, **kwargs):
    """Run a blocking SDK call (test set-up) without blocking the app's event loop."""
    return await asyncio.to_thread(func, *args, **kwargs)
