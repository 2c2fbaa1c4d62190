"""The JSON editor refuses what the edit session would refuse, with the position (one parser: parse_text).

`{"x": NaN}` used to pass the dialog (stdlib json accepts NaN), then the session refused it and the editor
reopened; now the dialog itself refuses it and puts the cursor on it.
"""

from __future__ import annotations

from tests.functional.app_helpers import app_for, ready, sample_copy, settle
from tests.functional.panes_screen_host import NOTHING, ScreenHost
from tunescope.review.json_text import json_problem
from tunescope.tui.dialogs.editor import JsonEditorScreen


def test_json_problem_uses_the_session_parser():
    assert json_problem('{"x": 1}') is None
    assert json_problem('{"x": NaN}').startswith("invalid JSON at line 1, column 7")
    assert json_problem("[1, 2]") == "an example must be a JSON object, not list"


async def test_nan_is_refused_in_the_dialog_with_its_position():
    app = ScreenHost(lambda: JsonEditorScreen('{\n  "x": NaN\n}', "Edit line 3"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        editor = app.screen
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.result is NOTHING and app.screen is editor            # refused, still open
        assert editor.error.startswith("Not applied: invalid JSON") and "line 2, column 8" in editor.error
        assert editor.text_area.cursor_location == (1, 7)              # on the N
        assert editor.text_area.text == '{\n  "x": NaN\n}'             # buffer kept
        editor.text_area.load_text('{\n  "x": null\n}')
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.result == '{\n  "x": null\n}'


async def test_nan_typed_in_the_app_editor_never_reaches_the_session(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("e")
        editor = app.screen
        assert isinstance(editor, JsonEditorScreen)
        editor.text_area.load_text('{"messages": [{"role": "user", "content": "hi"}], "x": NaN}')
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is editor and "line 1, column 56" in editor.error
        assert not screen.state.session.dirty
