"""The Compare screen with Pilot on the real local server: run, filters, stop, fix a line, from a job."""

from __future__ import annotations

from tests.eval.conftest import BASE, fine_tune
from tests.functional.app_helpers import app_for, ready, shown, wait_for
from tests.functional.jobs_helpers import copy_dataset, local_profile
from tests.factories import write_lines
from tunescope.server.embedded import start_embedded
from tunescope.tui.screens.compare import CompareScreen
from tunescope.tui.screens.dataset import DatasetScreen
from tunescope.tui.screens.jobs import JobsScreen

FAST = {"speed": 0.002, "queue_delay": 0.05}


def _tuned(tmp_path, path):
    with start_embedded(tmp_path / "server", **FAST) as srv:
        return fine_tune(srv, path)


async def _compare(pilot) -> CompareScreen:
    return await shown(pilot, CompareScreen, 10, "the Compare screen")


async def _finished(pilot, screen: CompareScreen, timeout: float = 60.0) -> dict:
    await wait_for(pilot, lambda: screen.report is not None and not screen.running, timeout, "the evaluation")
    return screen.report


async def test_compare_base_and_fine_tune_then_filter_and_fix_a_line(tmp_path):
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    job_id, _ = _tuned(tmp_path, path)
    app = app_for(path, backend=local_profile(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("C")
        screen = await _compare(pilot)
        screen.query_one("#compare-models").value = f"{BASE}, {job_id}"
        await pilot.press("ctrl+r")
        report = await _finished(pilot, screen)
        assert [m["pass_rate"] for m in report["models"]] == [0.0, 1.0]
        assert screen.table.row_count == 10
        summary = str(screen.query_one("#compare-summary").render())
        assert f"100% pass (95% CI 72%-100%) · score 1.00 · n=10 · {job_id}" in summary and "flips: 10 better, 0 worse" in summary
        await pilot.press("down", "down")
        assert screen.table.current_line == 3
        detail = str(screen.detail.query_one("#compare-detail-text").render())
        assert "line 3" in detail and "✗ fail" in detail and "✓ pass" in detail
        await pilot.press("f")                    # failures: the base model fails every example
        assert screen.filter == "failures" and screen.table.row_count == 10
        await pilot.press("f")
        assert screen.filter == "flips" and screen.table.row_count == 10
        await pilot.press("f")
        assert screen.filter == "all"
        await pilot.press("o")                    # fix it: the dataset editor on that line
        await wait_for(pilot, lambda: isinstance(app.screen, DatasetScreen), 10, "the dataset screen")
        await wait_for(pilot, lambda: app.dataset_screen.viewer.line == 3, 10, "line 3 in the viewer")
        await pilot.press("C")                    # back to the same comparison, without a new run
        again = await _compare(pilot)
        assert again.report is report and again.table.row_count == 10


async def test_a_long_run_shows_progress_and_stops(tmp_path):
    rows = [{"messages": [{"role": "user", "content": f"What is {i} + {i}?"},
                          {"role": "assistant", "content": f"{2 * i}."}]} for i in range(400)]
    path = write_lines(tmp_path / "sums.jsonl", rows)
    app = app_for(path, backend=local_profile(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("C")
        screen = await _compare(pilot)
        screen.query_one("#compare-models").value = f"{BASE}, gpt-4.1-mini"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.status.startswith("answering"), 30, "progress")
        await pilot.press("s")
        report = await _finished(pilot, screen)
        assert report["run"]["stopped"]
        answered = sum(len(e["answers"]) for e in report["examples"])
        assert 0 < answered < 800


async def test_a_finished_job_opens_compare_with_its_base_model(tmp_path):
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    job_id, _ = _tuned(tmp_path, path)
    app = app_for(path, backend=local_profile(tmp_path))
    app.jobs_backend.poll_interval = 0.2
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("J")
        await wait_for(pilot, lambda: isinstance(app.screen, JobsScreen), 10, "the jobs screen")
        jobs = app.screen
        await wait_for(pilot, lambda: jobs.job is not None and jobs.job.id == job_id, 30, "the job selected")
        await wait_for(pilot, lambda: len(jobs.checkpoints) == 2, 30, "the job's checkpoints")
        await pilot.press("e")
        screen = await _compare(pilot)
        first, last = (c.step for c in jobs.checkpoints)
        assert screen.models == (BASE, f"{job_id}:ckpt-{first}", f"{job_id}:ckpt-{last}")
        await pilot.press("ctrl+r")
        report = await _finished(pilot, screen)
        assert [m["pass_rate"] for m in report["models"]] == [0.0, 0.5, 1.0]
        summary = str(screen.query_one("#compare-summary").render())
        assert f"per checkpoint: step {first} 50% · step {last} 100% (best: step {last})" in summary
        await pilot.press("escape")               # back on the job: its loss chart shows the score per checkpoint
        await wait_for(pilot, lambda: app.screen is jobs, 10, "the jobs screen")
        await wait_for(pilot, lambda: jobs.chart.scores == [(first, 0.5), (last, 1.0)], 10, "the overlay")
        assert "eval pass" in str(jobs.chart.border_title)


async def test_compare_after_starting_a_job_here_offers_base_against_it(tmp_path):
    # C on the dataset used to offer only the base model, though the job had just been started from it
    from tests.functional.jobs_helpers import jobs_app, start_from_dataset

    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    app = jobs_app(path, local_profile(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await start_from_dataset(pilot)
        base, job_id = app.trained_from[str(path)]
        assert job_id.startswith("ftjob-") and base == app.dataset_screen.options.model
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DatasetScreen), 10, "the dataset screen")
        await pilot.press("C")
        screen = await _compare(pilot)
        assert screen.query_one("#compare-models").value == f"{base}, {job_id}"
