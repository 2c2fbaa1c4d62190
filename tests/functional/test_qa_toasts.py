"""QA: toasts that pile up or repeat."""

from __future__ import annotations

from tests.functional.app_helpers import (app_for, chat, notifications, ready, sample_copy, settle, wait_for,
                                          write_rows)


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
