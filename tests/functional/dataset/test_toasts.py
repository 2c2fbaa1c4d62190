"""Modal dialogs are never covered by toasts."""

from __future__ import annotations

import pytest
from textual.widgets._toast import ToastHolder

from tests.functional.app_helpers import app_for, chat, notifications, ready, sample_copy, settle, wait_for, write_rows

# Folded from test_qa_modals.py: QA: modal dialogs are never covered by toasts.


def visible_toasts(screen) -> int:
    return sum(1 for holder in screen.query(ToastHolder) if holder.display)


@pytest.mark.slow
@pytest.mark.regression("qa_modals")
@pytest.mark.parametrize("key,screen_name", [("x", "FixesMenu"), ("f", "FilterScreen"), ("slash", "SearchScreen"),
                                             ("colon", "GotoLineScreen"), ("q", "QuitScreen")])
async def test_toasts_wait_behind_dialogs_and_come_back(tmp_path, key, screen_name):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await ready(pilot)
        if key == "q":
            await pilot.press("d")                       # unsaved edits: q asks first
        app.notify("a long toast that used to be drawn over the dialog", timeout=30)
        await settle(pilot)
        assert visible_toasts(screen) >= 1
        await pilot.press(key)
        await settle(pilot)
        await pilot.pause(0.1)
        assert type(app.screen).__name__ == screen_name
        assert visible_toasts(app.screen) == 0
        await pilot.press("escape")
        await settle(pilot)
        await pilot.pause(0.1)
        assert app.screen is screen and visible_toasts(screen) >= 1


# Folded from test_qa_toasts.py: QA: toasts that pile up or repeat.


@pytest.mark.slow
@pytest.mark.regression("qa_toasts")
async def test_quick_edits_keep_one_toast_for_the_latest(tmp_path):
    """Six deletes in a row stacked six toasts, covering the whole 80x24 list."""
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        app.clear_notifications()
        await pilot.press(*"dddddd")
        await settle(pilot)
        edits = [n for n in notifications(app) if "delete row" in n]
        assert len(edits) == 1 and "u to undo" in edits[0]
        await pilot.press("u")
        await settle(pilot)
        assert [n for n in notifications(app) if "delete row" in n or "undid" in n] == [
            n for n in notifications(app) if "undid" in n]


@pytest.mark.slow
@pytest.mark.regression("qa_toasts")
async def test_about_this_file_is_said_once_not_after_every_save(tmp_path):
    path = write_rows(tmp_path / "few.jsonl", [chat(f"q{i}", f"a{i}") for i in range(5)])
    app = app_for(path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await ready(pilot)
        await settle(pilot)
        assert sum("About this file" in n for n in notifications(app)) == 1
        for _ in range(2):
            await pilot.press("d", "ctrl+s")
            await wait_for(pilot, lambda: not screen.state.session.dirty and screen.state.results.finished,
                           what="save and re-check")
            await settle(pilot)
        assert sum("About this file" in n for n in notifications(app)) == 1
