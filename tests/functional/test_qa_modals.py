"""QA: modal dialogs are never covered by toasts."""

from __future__ import annotations

import pytest
from textual.widgets._toast import ToastHolder

from tests.functional.app_helpers import app_for, ready, sample_copy, settle


def visible_toasts(screen) -> int:
    return sum(1 for holder in screen.query(ToastHolder) if holder.display)


@pytest.mark.parametrize("key,screen_name", [("x", "FixesMenu"), ("f", "FilterScreen"), ("slash", "SearchScreen"),
                                             ("colon", "GotoLineScreen"), ("q", "ConfirmScreen")])
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
