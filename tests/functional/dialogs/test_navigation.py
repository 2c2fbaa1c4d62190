"""Navigation belongs to the App: keys and request messages open screens and dialogs, never each other."""

from __future__ import annotations

from tunescope.config import Settings
from tunescope.tui.dialogs.confirm import ConfirmScreen
from tunescope.tui.dialogs.start_job import StartJobScreen
from tunescope.tui.messages import ExampleShown, ShowLineRequested
from tunescope.tui.screens.dataset import DatasetScreen
from tunescope.tui.screens.jobs import JobsScreen

from tests.functional.app_helpers import app_for, notifications, ready, settle, shown, wait_for
from tests.functional.jobs_helpers import chat_file


async def test_T_and_J_from_the_dataset_and_n_from_the_jobs_screen(tmp_path):
    """No server needed: an unknown backend name still lets every screen and dialog open."""
    app = app_for(chat_file(tmp_path / "twelve.jsonl"), backend="nope")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        dataset = await ready(pilot)
        await pilot.press("T")
        await shown(pilot, StartJobScreen, 10, "the start dialog from T")
        assert app.screen.dataset.path == dataset.path and "12 examples" in str(
            app.screen.query_one("#start-file").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is dataset, 5, "the dataset again")
        await pilot.press("J")
        await wait_for(pilot, lambda: isinstance(app.screen, JobsScreen), 10, "the jobs screen from J")
        jobs = app.screen
        await pilot.press("n")                                         # JobsScreen posts StartJobRequested
        await wait_for(pilot, lambda: isinstance(app.screen, StartJobScreen), 10, "the start dialog from n")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is jobs, 5, "the jobs screen again")
        await pilot.press("J")                                         # the app-wide J opens nothing new
        app.open_jobs()
        await pilot.pause()
        assert app.screen is jobs and sum(isinstance(s, JobsScreen) for s in app.screen_stack) == 1
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, DatasetScreen), 5, "the dataset screen")


async def test_show_line_request_selects_the_message_once_the_viewer_shows_it(tmp_path):
    app = app_for(chat_file(tmp_path / "twelve.jsonl"))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        dataset = await ready(pilot)
        app.post_message(ShowLineRequested(9, 1, title="Why the job failed", note="line 9, message 2: bad"))
        app.post_message(ExampleShown(1))                              # a late redraw of the line shown before
        await wait_for(pilot, lambda: dataset.state.origin(dataset.current_row()) == 8, 5, "line 9 under the cursor")
        await wait_for(pilot, lambda: dataset.viewer.line == 9, 5, "line 9 in the viewer")
        assert app.wanted_message == (9, 1)
        app.post_message(ExampleShown(9))                              # what the viewer posts after drawing it
        await wait_for(pilot, lambda: dataset.viewer.selected_message_index == 1, 5, "message 2 selected")
        assert any("line 9, message 2: bad" in text for text in notifications(app))
        await settle(pilot)
        await pilot.pause(0.2)                                         # the viewer's own redraws are over
        app.post_message(ExampleShown(9, cursor_reset=False))          # a redraw keeps the user's cursor
        dataset.viewer.message_cursor = 0
        await settle(pilot)
        assert dataset.viewer.selected_message_index == 0
        app.post_message(ExampleShown(3))                              # another example: the request is over
        await settle(pilot)
        assert app.wanted_message is None
        assert app.show_line(99) is False
        await wait_for(pilot, lambda: any("line 99 is not in" in text for text in notifications(app)), 5, "the toast")


async def test_a_failed_app_worker_is_reported_once(tmp_path):
    app = app_for(chat_file(tmp_path / "twelve.jsonl"))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)

        def explode() -> None:
            raise RuntimeError("disk on fire")
        app.run_worker(explode, thread=True, exit_on_error=False, description="write the report")
        await wait_for(pilot, lambda: any("Failed: write the report disk on fire" == text
                                          for text in notifications(app)), 5, "the error toast")
        assert app.is_running


async def test_dialog_keys_follow_the_user_keymap(tmp_path):
    app = app_for(chat_file(tmp_path / "twelve.jsonl"), settings=Settings(keymap={"confirm.yes": "o"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("d", "R")                  # unsaved edit: reloading asks first (quit has its own prompt now)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the reload question")
        await pilot.press("y")                                         # y is not "yes" any more
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("o")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), 5, "the reload")
        await wait_for(pilot, lambda: app.dataset_screen.state is not None and app.dataset_screen.state.session
                       is not None and not app.dataset_screen.state.session.dirty, 10, "the file reloaded")
