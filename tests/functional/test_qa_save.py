"""QA: saving after another program changed the file, and what the list shows after a save."""

from __future__ import annotations

import json
import os

from textual.widgets import Static

from tests.functional.app_helpers import (SAMPLE_LINES, app_for, chat, ready, sample_copy, settle, wait_for,
                                          write_rows)


async def test_save_as_dialog_says_why_it_is_asked(tmp_path):
    path = sample_copy(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("d")
        replacement = write_rows(tmp_path / "other.jsonl", [chat("changed", "elsewhere")])
        os.replace(replacement, path)                      # replaced: the old lines still read as they were
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SaveAsScreen", what="save-as offered")
        reason = str(app.screen.query_one("#saveas-reason", Static).render())
        assert "changed on disk" in reason and str(path) in reason


async def test_no_futile_save_as_when_the_file_was_modified_in_place(tmp_path):
    """Appending to the open file made every save (also save-as) fail; offering save-as was a dead end."""
    path = sample_copy(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("d")
        with open(path, "ab") as fh:                       # modified in place, under our descriptor
            fh.write(b'{"messages": []}\n')
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MessageScreen", what="the explanation")
        text = str(app.screen.query_one("#message-text", Static).render())
        assert "modified on disk" in text and "another file cannot work" in text
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.state.session.dirty        # edits kept
        assert path.read_bytes().endswith(b'{"messages": []}\n')          # the other program's write kept
        assert not any(p.name.endswith(".edited.jsonl") for p in tmp_path.iterdir())


async def test_rows_show_the_saved_file_not_the_one_before(tmp_path):
    """After a save, line 1 kept the roles and preview read from the file before the save."""
    path = sample_copy(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.state.row_view(0).roles == "S U A"
        await pilot.press("enter", "j", "j", "w")          # weight 0 on the assistant reply of line 1
        await settle(pilot)
        assert screen.state.session.dirty
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not screen.state.session.dirty and screen.state.report is not None
                       and screen.state.results.checked > 0, what="save and re-check")
        assert json.loads(path.read_bytes().splitlines()[0])["messages"][2]["weight"] == 0
        view = screen.state.row_view(0)
        assert not view.modified and view.roles == "S U A0"


async def test_counts_stay_right_after_undoing_past_a_save(tmp_path):
    """Undo after ctrl+s brings back the rows of the file as it was before the save; the
    status bar then said ✗ 0 ▲ 0 because those rows were counted nowhere."""
    path = sample_copy(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        before = screen.state.counts()
        assert before[0] > 0 and before[1] > 0
        await pilot.press("G", "d", "ctrl+s")              # delete the last (clean) line and save
        await wait_for(pilot, lambda: not screen.state.session.dirty and screen.state.results.finished,
                       what="save and re-check")
        assert screen.state.counts() == before
        await pilot.press("u")                              # undo past the save
        await settle(pilot)
        assert screen.state.session.dirty and len(screen.state.session) == len(SAMPLE_LINES)
        assert screen.state.counts() == before
        assert screen.status_bar.status.errors == before[0]
