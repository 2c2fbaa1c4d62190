"""SVG snapshots of the Compare screen at 80x24 and 120x40: a simulated fine-tune of pirate_chat.jsonl
against its base model on the real local server.

Deterministic: the server's random ids come from a seeded generator (job id and model name), the
simulated answers are a pure function of the training file, and nothing on screen shows a time.
"""

from __future__ import annotations

import random
import threading

import pytest

from tunescope.config import Settings
from tunescope.server import ids
from tunescope.server.embedded import start_embedded
from tunescope.tui.app import make_app
from tunescope.tui.widgets.jobs import format as jobs_format

from tests.eval.conftest import BASE, fine_tune
from tests.functional.app_helpers import ready, wait_for
from tests.functional.jobs_helpers import copy_dataset, local_profile


@pytest.fixture
def seeded_ids(monkeypatch):
    rng = random.Random(20261206)
    lock = threading.Lock()

    def base62(n: int) -> str:
        with lock:
            return "".join(rng.choice(ids.ALPHABET) for _ in range(n))

    monkeypatch.setattr(ids, "base62", base62)


def scene(job_id: str):
    async def run_before(pilot) -> None:
        app = pilot.app
        await ready(pilot)
        await pilot.press("C")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CompareScreen", 10, "the Compare screen")
        screen = app.screen
        screen.query_one("#compare-models").value = f"{BASE}, {job_id}"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.report is not None and not screen.running, 60, "the evaluation")
        await pilot.press("down", "down")
        app.clear_notifications()
        await pilot.pause(0.2)
    return run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_compare_base_and_fine_tune(snap_compare, seeded_ids, tmp_path, datasets_dir, size):
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    with start_embedded(tmp_path / "server", speed=0.002, queue_delay=0.05) as srv:
        job_id, _ = fine_tune(srv, path)
    app = make_app(path, backend=local_profile(tmp_path), settings=Settings(theme="textual-dark"))
    assert snap_compare(app, terminal_size=size, run_before=scene(job_id))


def overlay_scene(job_id: str):
    async def run_before(pilot) -> None:
        app = pilot.app
        await ready(pilot)
        await pilot.press("J")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "JobsScreen", 10, "the jobs screen")
        jobs = app.screen
        await wait_for(pilot, lambda: jobs.job is not None and jobs.job.id == job_id and len(jobs.checkpoints) == 2
                       and jobs.event_log.lines and "Loading" not in jobs.event_log.lines[0], 30, "the job")
        await pilot.press("e")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CompareScreen", 10, "the Compare screen")
        screen = app.screen
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.report is not None and not screen.running, 60, "the evaluation")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is jobs and jobs.chart.scores, 10, "the overlay")
        jobs.poller.pause()
        await pilot.pause(0.3)
        app.clear_notifications()
        await pilot.pause()
    return run_before


def test_eval_score_per_checkpoint_on_the_loss_chart(snap_compare, seeded_ids, monkeypatch, tmp_path, datasets_dir):
    monkeypatch.setattr(jobs_format, "clock", lambda ts, seconds=False: ("12:00:00" if seconds else "12:00")
                        if ts else "")
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    with start_embedded(tmp_path / "server", speed=0.002, queue_delay=0.05) as srv:
        job_id, _ = fine_tune(srv, path)
    app = make_app(path, backend=local_profile(tmp_path), settings=Settings(theme="textual-dark"))
    app.jobs_backend.poll_interval = 0.2
    assert snap_compare(app, terminal_size=(120, 40), run_before=overlay_scene(job_id))
