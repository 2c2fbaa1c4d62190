"""End to end: a real third-party file copied to tmp, edited, undone, saved, reopened; bytes checked."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import DATASETS
from tests.functional.app_helpers import app_for, ready, wait_for
from tunescope.editing.json_style import dumps_like

pytestmark = pytest.mark.slow   # subprocesses, SIGKILL or big files: skipped by the fast loop (-m "not slow")


@pytest.mark.parametrize("name", ["pirate_chat.jsonl", "azure_prompt_completion_crlf.jsonl",
                                  "foundry_stock_toolcall_valid.jsonl"])
async def test_edit_undo_save_reload_keeps_every_other_byte(tmp_path, name):
    source = DATASETS / name
    if not source.exists():
        pytest.skip("shared datasets not present")
    path = tmp_path / name
    shutil.copyfile(source, path)
    original = source.read_bytes()
    eol = b"\r\n" if b"\r\n" in original else b"\n"
    lines = original.split(eol)
    final_newline = original.endswith(eol)
    if final_newline:
        lines = lines[:-1]

    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        # 1. edit line 3 in the in-app editor
        await pilot.press("j", "j", "e")
        editor = app.screen
        obj = json.loads(editor.text_area.text)
        obj["tunescope_test"] = "édité ✓"
        editor.text_area.load_text(json.dumps(obj, indent=4, ensure_ascii=False))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, what="editor closed")
        # 2. delete line 5, then undo the delete
        await pilot.press("j", "j", "d")
        assert len(screen.state.session) == len(lines) - 1
        await pilot.press("u")
        assert len(screen.state.session) == len(lines)
        # 3. delete line 2 for good
        await pilot.press("g", "j", "d")
        # 4. save
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not screen.state.session.dirty and screen.status_bar.status.phase != "saving",
                       what="saved")

    expected_rows = [lines[0], dumps_like(obj, lines[2])] + lines[3:]     # the edited line keeps its JSON style
    expected = eol.join(expected_rows) + (eol if final_newline else b"")
    on_disk = path.read_bytes()
    assert on_disk == expected
    assert json.loads(on_disk.split(eol)[1])["tunescope_test"] == "édité ✓"

    # 5. reopen: the app sees the saved file
    again = app_for(path)
    async with again.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.example_list.count == len(expected_rows)
        await pilot.press("j")
        await wait_for(pilot, lambda: screen.viewer.line == 2, what="viewer on line 2")
        assert json.loads(screen.viewer.data)["tunescope_test"] == "édité ✓"
        assert not screen.state.session.dirty
