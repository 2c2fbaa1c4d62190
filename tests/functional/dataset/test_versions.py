"""`V` on the dataset screen: the open file compared with another version of it, in the app."""

from __future__ import annotations

import json

import pytest

from tests.conftest import DATASETS
from tests.functional.app_helpers import app_for, notifications, ready, shown, wait_for
from tunescope.tui.dialogs.version_path import OtherVersionScreen
from tunescope.tui.screens.dataset import DatasetScreen
from tunescope.tui.screens.version_diff import VersionDiffScreen


def _two_versions(tmp_path):
    """old: pirate_chat.jsonl; new (opened): line 5 answers otherwise, line 8 gone, a new example at the end."""
    rows = [json.loads(line) for line in (DATASETS / "pirate_chat.jsonl").read_text().splitlines()]
    old = tmp_path / "old.jsonl"
    old.write_text("".join(json.dumps(r) + "\n" for r in rows))
    new_rows = [r for i, r in enumerate(rows, 1) if i != 8]
    new_rows[4] = {**new_rows[4], "messages": new_rows[4]["messages"][:-1]
                   + [{"role": "assistant", "content": "Changed, matey."}]}
    fresh = json.loads(json.dumps(rows[0]))
    fresh["messages"][1]["content"] = "A brand new question?"
    new = tmp_path / "new.jsonl"
    new.write_text("".join(json.dumps(r) + "\n" for r in new_rows + [fresh]))
    return old, new


@pytest.mark.slow
async def test_v_compares_with_another_version_and_enter_shows_the_changed_line(tmp_path):
    old, new = _two_versions(tmp_path)
    app = app_for(str(new))
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await ready(pilot)
        await pilot.press("V")
        dialog = await shown(pilot, OtherVersionScreen, 10, "the version prompt")
        dialog.query_one("#version-input").value = str(new)           # the open file itself: refused
        await pilot.press("enter")
        await wait_for(pilot, lambda: "the open file itself" in str(dialog.query_one(".prompt-error").render()), 5,
                       "the refusal")
        dialog.query_one("#version-input").value = str(old)
        await pilot.press("enter")
        screen = await shown(pilot, VersionDiffScreen, 60, "the diff")
        summary = str(screen.query_one("#versions-summary").render())
        assert "8 unchanged, 1 changed answer, 0 rewritten, 1 removed, 1 added" in summary
        kinds = [(r.kind, r.old_line, r.new_line) for r in screen.rows]
        assert kinds == [("changed_answers", 5, 5), ("removed", 8, None), ("added", None, 10)]
        await pilot.press("down")                                     # the removed one: only in the old file
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("only in the other version" in n for n in notifications(app)), 5,
                       "the notice")
        assert isinstance(app.screen, VersionDiffScreen)
        await pilot.press("down", "enter")                            # the added one: shown in the open file
        await wait_for(pilot, lambda: isinstance(app.screen, DatasetScreen), 10, "the dataset")
        await wait_for(pilot, lambda: app.dataset_screen.viewer.line == 10, 10, "line 10 in the viewer")
