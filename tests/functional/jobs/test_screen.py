"""The jobs half of the TUI against the real embedded local server (real HTTP, real SDK).

Each test starts the app on a copy of a real dataset with a per-test server
data dir at 0.01 s per simulated step, drives it with keys, and checks what
the screens show against what the server says.
"""

from __future__ import annotations

import socket

import pytest

from tests.functional.app_helpers import notifications, ready, shown, wait_for
from tests.functional.jobs_helpers import (copy_dataset, in_thread, job_status, jobs_app, jobs_screen, local_profile,
                                           start_from_dataset)
from tunescope.tui.dialogs.confirm import ConfirmScreen
from tunescope.tui.dialogs.start_job import StartJobScreen
from tunescope.tui.screens.dataset import DatasetScreen
from tunescope.tui.screens.jobs import JobsScreen


@pytest.mark.slow
async def test_start_from_dataset_and_watch_it_succeed(tmp_path, datasets_dir):
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    app = jobs_app(path, local_profile(tmp_path))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        await pilot.press("T")
        dialog = await shown(pilot, StartJobScreen, 10, "the start dialog")
        assert "10 examples" in str(dialog.query_one("#start-file").render())
        estimate = dialog.estimate_text()
        assert "billable per epoch" in estimate and "free" in estimate   # local: no money involved
        await pilot.press("ctrl+s")                                      # local backend: no confirmation
        screen = await jobs_screen(pilot)
        job = await job_status(pilot, screen, "succeeded")
        await wait_for(pilot, lambda: screen.job is not None and screen.job.status == "succeeded"
                       and screen.checkpoints, 20, "the final round of the detail panes")

        server = app.jobs_backend.jobs()
        truth = await in_thread(server.get, job.id)
        assert truth.status == "succeeded" and truth.fine_tuned_model == job.fine_tuned_model
        assert app.jobs_backend.started[job.id].training == str(path)
        # the chart has one train point per step the server reported
        total = screen.chart.total_steps
        assert total and len(screen.chart.train) == total
        assert [s for s, _ in screen.chart.train] == list(range(1, total + 1))
        # the event log shows the server's own texts, oldest first, newest at the bottom
        events = await in_thread(server.events, job.id)
        lines = list(screen.event_log.lines)
        assert lines[-1].endswith(events[-1].message) and "successfully completed" in lines[-1]
        assert any(f"Created fine-tuning job: {job.id}" in line for line in lines)
        assert any(line.endswith("Fine-tuning job started") for line in lines)
        # checkpoints: what the server has, lowest step first, the last one being the model itself
        kept = await in_thread(server.checkpoints, job.id)
        assert [c.step for c in screen.checkpoints] == [c.step for c in kept] and len(kept) >= 1
        assert screen.checkpoints[-1].step == total
        table = str(screen.checkpoints_table.render())
        assert f"{kept[0].step:>4}" in table and "ckpt-step" in table
        summary = str(screen.summary.render())
        assert job.fine_tuned_model in summary and f"step {total}/{total}" in summary


@pytest.mark.slow
async def test_cancel_asks_first_and_cancels(tmp_path, datasets_dir):
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    app = jobs_app(path, local_profile(tmp_path, speed=0.3))    # 100 steps: half a minute, time enough
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await start_from_dataset(pilot)
        job = await job_status(pilot, screen, "running", timeout=30)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the cancel confirmation")
        await pilot.press("n")                                       # "keep running" changes nothing
        await wait_for(pilot, lambda: app.screen is screen, 5, "back on the jobs screen")
        await pilot.pause(0.6)
        assert (await in_thread(app.jobs_backend.jobs().get, job.id)).status == "running"
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the cancel confirmation")
        await pilot.press("y")
        await job_status(pilot, screen, "cancelled", timeout=20)
        assert (await in_thread(app.jobs_backend.jobs().get, job.id)).status == "cancelled"
        await wait_for(pilot, lambda: any(line.endswith("Fine-tuning job cancelled")
                                          for line in screen.event_log.lines), 10, "the cancel event")
        assert screen.check_action("cancel_job", ()) is None         # nothing left to cancel: dimmed


@pytest.mark.slow
async def test_pause_and_resume_without_confirmation(tmp_path, datasets_dir):
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    app = jobs_app(path, local_profile(tmp_path, speed=0.2))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await start_from_dataset(pilot)
        job = await job_status(pilot, screen, "running", timeout=30)
        await wait_for(pilot, lambda: len(screen.chart.train) >= 2, 20, "a few steps")
        await pilot.press("p")
        assert isinstance(app.screen, JobsScreen)                     # reversible: no dialog
        await job_status(pilot, screen, "paused", timeout=20)
        await wait_for(pilot, lambda: any("Fine-tuning job paused at step" in line
                                          for line in screen.event_log.lines), 10, "the pause event")
        steps_paused = len(screen.chart.train)
        await pilot.pause(1.0)
        assert len(screen.chart.train) <= steps_paused + 1            # no training while paused
        assert screen.check_action("resume_job", ()) is True and screen.check_action("pause_job", ()) is None
        await pilot.press("r")
        assert isinstance(app.screen, JobsScreen)
        await wait_for(pilot, lambda: len(screen.chart.train) > steps_paused + 2, 30, "training to go on")
        assert (await in_thread(app.jobs_backend.jobs().get, job.id)).status in ("queued", "running")
        assert any(line.endswith("Fine-tuning job resumed") for line in screen.event_log.lines)


@pytest.mark.slow
async def test_failed_job_error_and_open_line_in_dataset(tmp_path):
    from tests.functional.jobs_helpers import chat_file

    path = chat_file(tmp_path / "roles.jsonl", n=12, broken_line=7)
    app = jobs_app(path, local_profile(tmp_path))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await start_from_dataset(pilot, confirm_force=True)   # the dataset has an error: forced
        job = await job_status(pilot, screen, "failed", timeout=30)
        assert job.failure.line == 7 and job.failure.message_index == 1
        await wait_for(pilot, lambda: screen.job is not None and screen.job.failure is not None, 10, "the detail")
        summary = str(screen.summary.render())
        assert "training file, line 7, message 2" in summary and job.failure.message in summary
        assert screen.check_action("open_failure", ()) is True
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, DatasetScreen), 5, "the dataset screen")
        dataset = app.screen
        row = dataset.current_row()
        assert dataset.state.origin(row) == 6                           # line 7, 0-based
        viewer = dataset.viewer
        await wait_for(pilot, lambda: viewer.selected_block is not None and viewer.selected_block.message_index == 1,
                       5, "the failing message selected in the viewer")
        assert viewer.data == path.read_bytes().splitlines()[6]
        await wait_for(pilot, lambda: any("line 7, message 2" in text for text in notifications(app)), 5, "the toast")


@pytest.mark.slow
async def test_too_few_examples_error_does_not_point_at_a_line(tmp_path, datasets_dir):
    path = copy_dataset(tmp_path, "cookbook_toy_chat.jsonl")          # 5 examples
    app = jobs_app(path, local_profile(tmp_path))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await start_from_dataset(pilot, confirm_force=True)
        job = await job_status(pilot, screen, "failed", timeout=30)
        assert job.failure.code == "invalid_n_examples" and job.failure.line is None
        await wait_for(pilot, lambda: screen.job is not None and screen.job.failure is not None, 10, "the detail")
        assert "Training file has 5 example(s)" in str(screen.summary.render())
        await pilot.press("o")
        await pilot.pause(0.2)
        assert app.screen is screen                                     # nowhere to jump to
        await wait_for(pilot, lambda: any("does not point at a line" in text for text in notifications(app)), 5,
                       "the toast")


@pytest.mark.slow
async def test_unreachable_backend_is_a_notification_not_a_traceback(tmp_path):
    from tunescope.jobs.profiles import BackendProfile
    from tests.functional.app_helpers import sample_copy

    with socket.socket() as sock:                                      # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    profile = BackendProfile(name="compatible", kind="compatible", base_url=f"http://127.0.0.1:{port}/v1",
                             timeout=2.0)
    app = jobs_app(sample_copy(tmp_path), profile)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        await pilot.press("J")
        screen = await jobs_screen(pilot)
        await wait_for(pilot, lambda: screen.problem is not None, 30, "the connection problem")
        assert "cannot connect" in screen.problem
        await wait_for(pilot, lambda: any("cannot connect" in m for m in notifications(app)), 5, "the toast")
        assert not any("Traceback" in m for m in notifications(app))
        assert "⚠" in str(screen.query_one("#jobs-title").render())
        await pilot.press("q")                                         # back to the dataset, app alive
        await wait_for(pilot, lambda: isinstance(app.screen, DatasetScreen), 5, "the dataset screen")
    assert app.return_code in (None, 0)


@pytest.mark.slow
async def test_switching_jobs_shows_each_jobs_events_exactly_once(tmp_path):
    from tests.functional.jobs_helpers import chat_file

    path = chat_file(tmp_path / "twelve.jsonl", n=12)
    app = jobs_app(path, local_profile(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        jobs = await in_thread(app.jobs_backend.jobs)
        upload = await in_thread(jobs.upload, str(path))
        first = await in_thread(jobs.create, "gpt-4o-mini-2024-07-18", upload, suffix="first")
        second = await in_thread(jobs.create, "gpt-4o-mini-2024-07-18", upload, suffix="second",
                                 hyperparameters={"n_epochs": 2})
        await pilot.press("J")
        screen = await jobs_screen(pilot)
        for job in (first, second):
            await job_status(pilot, screen, "succeeded", job_id=job.id)
        assert [j.id for j in screen.jobs_list.jobs] == [second.id, first.id]     # newest first
        await pilot.press("j", "k", "j")                                # quick switches: stale rounds dropped
        for job, key in ((first, None), (second, "k"), (first, "j")):
            if key:
                await pilot.press(key)
            expected = [e.message for e in await in_thread(jobs.events, job.id)]
            await wait_for(pilot, lambda: screen.job is not None and screen.job.id == job.id
                           and len(screen.event_log.lines) == len(expected), 20, f"the events of {job.id}")
            await pilot.pause(0.5)                                      # a few more rounds: still no duplicates
            shown = [line.split(" ", 1)[1] for line in screen.event_log.lines]
            assert shown == expected
            steps = [m.step for m in screen.metrics.values()]
            assert steps == sorted(set(steps)) and len(steps) == screen.chart.total_steps


@pytest.mark.slow
async def test_arrow_keys_move_the_job_cursor_and_scroll_the_events(tmp_path):
    from tests.functional.jobs_helpers import chat_file

    path = chat_file(tmp_path / "twelve.jsonl", n=12)
    app = jobs_app(path, local_profile(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        jobs = await in_thread(app.jobs_backend.jobs)
        upload = await in_thread(jobs.upload, str(path))
        created = [await in_thread(jobs.create, "gpt-4o-mini-2024-07-18", upload, hyperparameters={"n_epochs": 1})
                   for _ in range(7)]                                # more than the list shows: it scrolls
        newer, older = created[-1], created[-2]
        await pilot.press("J")
        screen = await jobs_screen(pilot)
        await wait_for(pilot, lambda: len(screen.jobs_list.jobs) == 7, 20, "seven jobs listed")
        assert screen.jobs_list.selected_id == newer.id
        await pilot.press("down")
        assert screen.jobs_list.selected_id == older.id
        await pilot.press("up")
        assert screen.jobs_list.selected_id == newer.id
        await pilot.press(*["down"] * 6)
        assert screen.jobs_list.selected_id == created[0].id and screen.jobs_list.scroll_offset.y > 0
        await pilot.press(*["up"] * 6)
        await wait_for(pilot, lambda: len(screen.event_log.lines) > 10, 20, "the events")
        await pilot.press("enter")                                      # focus the events: j/k scroll them
        assert screen.focused is screen.event_log
        bottom = screen.event_log.scroll_y
        await pilot.press("k", "k", "up")
        assert screen.event_log.scroll_y == bottom - 3 and screen.jobs_list.selected_id == newer.id
        await pilot.press("escape")                                     # back to the list, then to the dataset
        assert screen.focused is screen.jobs_list
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, type(screen)), 5, "the dataset screen")


@pytest.mark.slow
async def test_validation_file_and_epochs_from_the_dialog(tmp_path, datasets_dir):
    from textual.widgets import Input

    from tests.functional.jobs_helpers import chat_file

    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    validation = chat_file(tmp_path / "valid.jsonl", n=12)
    app = jobs_app(path, local_profile(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("T")
        dialog = await shown(pilot, StartJobScreen, 10, "the start dialog")
        dialog.query_one("#start-epochs", Input).focus()
        await pilot.press("2")
        assert "× 2 epochs" in dialog.estimate_text()                    # the estimate follows the epochs typed
        dialog.query_one("#start-validation", Input).value = str(validation)
        await pilot.press("ctrl+s")
        screen = await jobs_screen(pilot)
        job = await job_status(pilot, screen, "succeeded")
        await wait_for(pilot, lambda: screen.job is not None and screen.job.done and screen.checkpoints, 20, "detail")
        assert job.hyperparameters.get("n_epochs") == 2 and job.validation_file
        assert app.jobs_backend.started[job.id].validation == str(validation)
        assert screen.chart.valid and "valid" in str(screen.chart.border_title)
        kept = await in_thread(app.jobs_backend.jobs().checkpoints, job.id)
        best = min(kept, key=lambda c: c.metrics.full_valid_loss if c.metrics.full_valid_loss is not None
                   else c.metrics.valid_loss)
        table = str(screen.checkpoints_table.render())
        assert f"★{best.step:>4}" in table                                # the lowest validation loss is starred


@pytest.mark.slow
async def test_archive_keeps_every_job_in_the_folder_asked_for(tmp_path, datasets_dir):
    import json

    from tunescope.jobs.archive import MANIFEST
    from tunescope.tui.dialogs.jobs.archive_folder import ArchiveFolderScreen

    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    app = jobs_app(path, local_profile(tmp_path))
    folder = tmp_path / "kept"
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await start_from_dataset(pilot)
        job = await job_status(pilot, screen, "succeeded")
        (tmp_path / "busy").mkdir()
        (tmp_path / "busy" / "notes.txt").write_text("mine")
        await pilot.press("A")
        dialog = await shown(pilot, ArchiveFolderScreen, 10, "the archive folder prompt")
        dialog.query_one("#archive-input").value = str(tmp_path / "busy")     # someone else's folder: refused
        await pilot.press("enter")
        await wait_for(pilot, lambda: "holds other files" in str(dialog.query_one(".prompt-error").render()), 5,
                       "the refusal")
        dialog.query_one("#archive-input").value = str(folder)
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("Jobs archived" in n for n in notifications(app)), 30, "the archive")
        said = next(n for n in notifications(app) if "Jobs archived" in n)
        assert f"1 job(s) kept in {folder}" in said and "Not kept" not in said
        assert "archiving" not in str(screen.query_one("#jobs-title").render())
        assert not any("wind-down" in n for n in notifications(app))      # the local server has none
    manifest = json.loads((folder / MANIFEST).read_text())
    assert [j["id"] for j in manifest["jobs"]] == [job.id] and manifest["problems"] == 0
    assert (folder / "jobs" / job.id / "results.csv").read_text().startswith("step,")
    kept = [f for f in (folder / "files").rglob("*.jsonl")]
    assert [f.read_bytes() for f in kept] == [path.read_bytes()]
