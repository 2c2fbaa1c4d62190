"""The jobs side of the TUI after issue 9: choosing the backend (and seeing a simulation for what it is),
OpenAI's wind-down in the start dialog, the model list, and the smaller jobs-screen keys."""

from __future__ import annotations

import pytest

from tests.functional.app_helpers import notifications, ready, shown, wait_for
from tests.functional.jobs_helpers import (chat_file, copy_dataset, in_thread, job_status, jobs_app, jobs_screen,
                                           local_profile, start_from_dataset)
from tunescope.jobs.client import JobsClient
from tunescope.jobs.errors import JobsError
from tunescope.jobs.profiles import BackendProfile, save_backend
from tunescope.server.embedded import start_embedded
from tunescope.tui.dialogs.jobs.backend_picker import BackendPickerScreen
from tunescope.tui.dialogs.confirm import ConfirmScreen
from tunescope.tui.dialogs.start_job import StartJobScreen
from tunescope.tui.jobs_connection import JobsBackend, backend_choices
from tunescope.tui.screens.dataset import DatasetScreen
from tunescope.tui.screens.jobs import JobsScreen
from textual.widgets import Select

KEY = "sk-test-abcdefghijklmnop-WXYZ"


def offline_models(self):
    raise JobsError("offline", kind="connection")


def test_default_backend_is_openai_when_a_key_is_set_and_local_otherwise(monkeypatch):
    assert JobsBackend().profile().kind == "local"
    assert "SIMULATED" in JobsBackend().describe()
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    backend = JobsBackend()
    assert backend.profile().kind == "openai" and not backend.is_local
    assert "SIMULATED" not in backend.describe() and KEY not in backend.describe()


def test_backend_choices_say_billed_or_simulated_and_what_is_missing(monkeypatch):
    save_backend(BackendProfile(name="corp", kind="compatible", base_url="http://127.0.0.1:9/v1"))
    choices = {c.name: c for c in backend_choices(environ={})}
    assert list(choices)[:1] == ["corp"] and set(choices) >= {"openai", "azure", "compatible", "local"}
    assert "SIMULATED" in choices["local"].label and not choices["local"].missing
    assert "OPENAI_API_KEY" in choices["openai"].missing and "needs a key" in choices["openai"].label
    assert "AZURE_OPENAI_ENDPOINT" in choices["azure"].missing
    assert not backend_choices(environ={"OPENAI_API_KEY": KEY})[1].missing   # openai, once the key is set


async def open_dialog(pilot) -> StartJobScreen:
    await ready(pilot)
    await pilot.press("T")
    return await shown(pilot, StartJobScreen, 10, "the start dialog")


@pytest.mark.slow
async def test_the_model_list_reaches_o4_mini_shows_shutdowns_and_has_no_blank(tmp_path, datasets_dir, monkeypatch):
    monkeypatch.setenv("TUNESCOPE_TODAY", "2026-12-06")
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    app = jobs_app(path, local_profile(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot)
        select = dialog.query_one("#start-model", Select)
        assert "gpt-4.1-mini-2025-04-14 and its fine-tunes shut down on 2027-01-14 (in 39 days)" in \
            dialog.deadline_text()
        select.focus()
        await pilot.press("enter")
        overlay = select.query_one("SelectOverlay")
        await wait_for(pilot, lambda: overlay.display and overlay.size.height > 0, 5, "the model list")
        prompts = [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]
        assert all(p.strip() and p.strip() != "Model" for p in prompts)           # no blank entry
        assert "o4-mini-2025-04-16  (shut down 2026-10-23)" in prompts
        assert "gpt-4o-2024-11-20  (shuts down 2027-01-14)" in prompts
        assert overlay.styles.border_top[0] not in ("", "none", "hidden")         # framed: nothing bleeds in
        last = len(prompts) - 1
        while overlay.highlighted != last:
            await pilot.press("down")
        top = overlay.scroll_offset.y
        assert top <= last < top + overlay.scrollable_content_region.height      # scrolled into view
        await pilot.press("enter")
        await wait_for(pilot, lambda: select.value == "o4-mini-2025-04-16", 5, "o4-mini chosen")
        assert "✗ o4-mini-2025-04-16 was shut down on 2026-10-23" in dialog.deadline_text()
        assert dialog.query_one("#start-method", Select).value == "reinforcement"     # o4-mini's only method


@pytest.mark.slow
async def test_openai_after_the_cutoff_refuses_in_plain_words_in_the_dialog(tmp_path, datasets_dir, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("TUNESCOPE_TODAY", "2027-01-07")
    monkeypatch.setattr(JobsClient, "models", offline_models)     # never reach api.openai.com from a test
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    app = jobs_app(path, None)                                   # nothing named: OpenAI, since a key is set
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        dialog = await open_dialog(pilot)
        assert dialog.query_one("#start-backend", Select).value == "openai"
        assert "✗ OpenAI has accepted no new fine-tuning jobs since 2027-01-06" in dialog.deadline_text()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the cost confirmation")
        await pilot.press("y")
        await wait_for(pilot, lambda: "since 2027-01-06" in str(dialog.query_one("#start-status").render()), 20,
                       "the refusal")
        status = str(dialog.query_one("#start-status").render())
        assert "nothing was uploaded" in status and "Traceback" not in status and KEY not in status


@pytest.mark.slow
async def test_switching_the_backend_on_the_jobs_screen(tmp_path, datasets_dir):
    other = start_embedded(tmp_path / "other", speed=0.01, queue_delay=0.05)
    try:
        save_backend(BackendProfile(name="corp", kind="compatible", base_url=other.base_url))
        path = copy_dataset(tmp_path, "pirate_chat.jsonl")
        app = jobs_app(path, local_profile(tmp_path))
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await ready(pilot)
            await pilot.press("J")
            screen = await jobs_screen(pilot)
            title = lambda s: str(s.query_one("#jobs-title").render())  # noqa: E731
            assert "SIMULATED" in title(screen)
            await pilot.press("b")
            await wait_for(pilot, lambda: isinstance(app.screen, BackendPickerScreen), 5, "the backend picker")
            picker = app.screen
            assert picker.choices[0].name == "corp"
            picker.query_one("OptionList").highlighted = 0
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, JobsScreen) and app.screen is not screen, 10,
                           "a jobs screen on the new backend")
            assert app.jobs_backend.profile().name == "corp"
            await wait_for(pilot, lambda: "corp · compatible" in title(app.screen) and "SIMULATED" not in
                           title(app.screen), 10, "the new title")
    finally:
        other.stop()


@pytest.mark.slow
async def test_cancel_on_the_local_server_does_not_talk_about_billing_and_y_copies_the_model(tmp_path, datasets_dir):
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    app = jobs_app(path, local_profile(tmp_path, speed=0.2))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await start_from_dataset(pilot)
        await job_status(pilot, screen, "running", timeout=30)
        assert screen.check_action("copy_model", ()) is None          # no model yet
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the cancel question")
        question = app.screen.question
        assert "billed" not in question and "simulation on the local server" in question
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen, 5, "back")
        job = await job_status(pilot, screen, "succeeded", timeout=90)
        await wait_for(pilot, lambda: screen.job is not None and screen.job.fine_tuned_model, 10, "the model")
        await pilot.press("y")
        assert app.clipboard == job.fine_tuned_model
        assert any(job.fine_tuned_model in text for text in notifications(app))


@pytest.mark.slow
async def test_o_on_a_job_trained_from_another_file_offers_to_open_it(tmp_path):
    broken = chat_file(tmp_path / "roles.jsonl", n=12, broken_line=7)
    clean = chat_file(tmp_path / "clean.jsonl", n=12)
    app = jobs_app(clean, local_profile(tmp_path))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        await pilot.press("J")
        screen = await jobs_screen(pilot)
        jobs = await in_thread(app.jobs_backend.jobs)
        upload = await in_thread(jobs.upload, broken, force=True)
        created = await in_thread(jobs.create, "gpt-4o-mini", upload)
        job = await job_status(pilot, screen, "failed", timeout=30, job_id=created.id)
        screen.select_job(job.id)
        await wait_for(pilot, lambda: screen.job is not None and screen.job.id == job.id
                       and screen.job.failure is not None and screen.files.get(job.training_file), 10,
                       "the failed job and its file name")
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, f"the offer {notifications(app)}")
        assert "roles.jsonl" in app.screen.question and "line 7" in app.screen.question
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, DatasetScreen) and app.screen.display_name ==
                       "roles.jsonl", 10, "the other file")
        dataset = app.screen
        await wait_for(pilot, lambda: dataset.state is not None and dataset.state.report is not None
                       and dataset.current_row() is not None and dataset.state.origin(dataset.current_row()) == 6,
                       20, "line 7 shown")


@pytest.mark.slow
async def test_the_dialog_asks_the_backend_for_shutdown_dates_and_prefers_them(tmp_path, datasets_dir, monkeypatch):
    monkeypatch.setenv("TUNESCOPE_TODAY", "2026-12-06")
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    app = jobs_app(path, local_profile(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot)
        await wait_for(pilot, lambda: app.jobs_backend.connected and app.jobs_backend.jobs().gate.reported, 20,
                       "the backend's /v1/models")
        assert app.jobs_backend.jobs().gate.reported["gpt-4o-mini-2024-07-18"] == "2027-01-14"
        app.jobs_backend.jobs().gate.reported["gpt-4.1-mini-2025-04-14"] = "2026-12-01"   # the backend's word
        dialog.refresh_models()
        await pilot.pause()
        assert "✗ gpt-4.1-mini-2025-04-14 was shut down on 2026-12-01" in dialog.deadline_text()


@pytest.mark.slow
async def test_one_epoch_is_singular(tmp_path, datasets_dir):
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    app = jobs_app(path, local_profile(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot)
        dialog.query_one("#start-epochs").value = "1"
        await pilot.pause()
        assert "× 1 epoch =" in dialog.estimate_text() and "1 epochs" not in dialog.estimate_text()


async def test_model_names_from_the_backend_are_shown_as_written_not_read_as_markup(tmp_path, datasets_dir):
    # a backend lists whatever ids it has: "[/]" in one made the Select's markup raise (the app died)
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    app = jobs_app(path, local_profile(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_dialog(pilot)
        odd = "team/[/]tuned-[EMAIL]"
        dialog.refresh_models([odd])
        await pilot.pause()
        select = dialog.query_one("#start-model", Select)
        assert select.value == odd
        select.expanded = True
        await pilot.pause(0.3)
        assert app.is_running and "team/[/]tuned-[EMAIL]" in app.export_screenshot()


@pytest.mark.slow
async def test_on_openai_the_jobs_screen_says_the_days_left_and_the_archive_key_once(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("TUNESCOPE_TODAY", "2026-12-06")
    path = chat_file(tmp_path / "t.jsonl")
    with start_embedded(tmp_path / "stand-in", speed=0.01) as srv:   # OpenAI's API, served here
        openai = BackendProfile(name="openai", kind="openai", options={"base_url": srv.base_url})
        app = jobs_app(path, openai)
        async with app.run_test(size=(100, 32), notifications=True) as pilot:
            await ready(pilot)
            await pilot.press("J")
            await jobs_screen(pilot)
            await wait_for(pilot, lambda: any("wind-down" in n for n in notifications(app)), 10, "the notice")
            said = [n for n in notifications(app) if "wind-down" in n]
            assert len(said) == 1 and "until 2027-01-06 (32 days left, today included)" in said[0]
            assert "A keeps every job's record" in said[0]
            await pilot.press("escape")
            await pilot.press("J")                                    # once per run, not at every visit
            await jobs_screen(pilot)
            await pilot.pause(0.3)
            assert len([n for n in notifications(app) if "wind-down" in n]) == 1
