"""JsonEditorScreen: invalid JSON is refused with its position and the buffer kept."""

from __future__ import annotations

import json
import sys

import pytest
from textual import events
from textual.widgets import TextArea

from tests.functional.app_helpers import app_for, ready, sample_copy, settle, shown, wait_for
from tests.functional.panes_screen_host import NOTHING, ScreenHost
from tunescope.editing.ops import JsonEditError, parse_text
from tunescope.tui.dialogs.confirm import ConfirmScreen
from tunescope.tui.dialogs.editor import HIGHLIGHT_MAX_CHARS, JsonEditorScreen, error_position

EXAMPLE = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
PRETTY = json.dumps(EXAMPLE, indent=2)


def core_validate(text: str) -> str | None:
    """The same check the edit session applies before storing an edit."""
    try:
        parse_text(text)
    except JsonEditError as exc:
        return str(exc)
    return None


def editor_host(text: str = PRETTY) -> ScreenHost:
    return ScreenHost(lambda: JsonEditorScreen(text, "Edit line 12", core_validate))


async def test_invalid_json_is_refused_with_position_and_buffer_kept():
    app = editor_host('{\n  "a": 1,\n  "b": 2\n}')
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, JsonEditorScreen)
        await pilot.press("down", "end", "backspace")  # drop the comma after "a": 1
        broken = editor.text_area.text
        assert broken == '{\n  "a": 1\n  "b": 2\n}'
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.result is NOTHING
        assert "line 3" in editor.error and "column 3" in editor.error
        assert editor.text_area.text == broken
        assert editor.text_area.cursor_location == (2, 2)
        await pilot.press("up", "end", ",", "ctrl+s")
        await pilot.pause()
        assert json.loads(app.result) == {"a": 1, "b": 2}


async def test_escape_on_unmodified_buffer_cancels_at_once():
    app = editor_host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


async def test_escape_on_modified_buffer_asks_before_discarding():
    app = editor_host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("x", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, JsonEditorScreen)
        assert app.screen.text_area.text == "x" + PRETTY
        await pilot.press("escape", "y")
        await pilot.pause()
        assert app.results == [None]


async def test_a_crashing_validator_does_not_lose_the_edit():
    def broken_validator(text: str) -> str | None:
        raise RuntimeError("schema file missing")

    app = ScreenHost(lambda: JsonEditorScreen(PRETTY, "Edit", broken_validator))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.result is NOTHING
        assert "schema file missing" in app.screen.error


async def test_json_is_coloured_out_of_the_box():
    # tree-sitter and its JSON grammar are dependencies (pyproject.toml): a plain install colours the editor
    app = editor_host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one(TextArea).language == "json"
        assert str(app.screen.query_one("#editor-dialog").border_subtitle) == "JSON"


async def test_a_text_too_long_to_colour_quickly_is_edited_plain_and_says_why():
    big = '{"messages": [{"role": "user", "content": "' + "word " * (HIGHLIGHT_MAX_CHARS // 5) + '"}]}'
    app = ScreenHost(lambda: JsonEditorScreen(big, "Edit"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one(TextArea).language is None
        assert "no colours past 100 kB" in str(app.screen.query_one("#editor-dialog").border_subtitle)


def test_error_position_parses_core_and_stdlib_messages():
    assert error_position("Expecting ',' delimiter (line 3, column 5)") == (3, 5)
    assert error_position("Expecting ',' delimiter: line 12 column 1 (char 40)") == (12, 1)
    assert error_position("Example must be an object") is None


# Folded from test_qa_editor.py: QA: the in-app editor checks the text the user typed, even when keys arrive in a burst.


def burst(app, *keys: str) -> None:
    """Keys arriving faster than the app handles them (paste-like typing, SSH lag)."""
    for key in keys:
        character = key if len(key) == 1 else None
        app.post_message(events.Key(key, character))


async def open_editor(pilot):
    await pilot.press("e")
    return await shown(pilot, "JsonEditorScreen", 30, "editor")


@pytest.mark.slow
@pytest.mark.regression("qa_editor")
async def test_ctrl_s_right_after_typing_checks_the_typed_text(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        editor = await open_editor(pilot)
        area = editor.text_area
        text = area.text.rstrip()
        assert text.endswith("}")
        area.load_text(text[:-1])                        # the closing brace is missing...
        area.move_cursor(area.document.end)
        burst(app, "}", "ctrl+s")                         # ...and typed just before ctrl+s
        await settle(pilot)
        await pilot.pause(0.1)
        assert app.screen is screen, f"refused: {editor.error}"
        assert json.loads(screen.state.data(0)) == json.loads(text)


@pytest.mark.slow
@pytest.mark.regression("qa_editor")
async def test_escape_right_after_typing_still_asks_before_discarding(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        editor = await open_editor(pilot)
        burst(app, "x", "escape")
        await settle(pilot)
        await pilot.pause(0.1)
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is editor and "x" in editor.text_area.text


# Folded from test_qa_external_editor.py: QA: invalid JSON coming back from $EDITOR reopens the built-in editor at the problem.


@pytest.mark.regression("qa_external_editor")
async def test_invalid_json_from_the_external_editor_is_explained_in_the_editor(tmp_path, monkeypatch):
    """The reason was only in a toast drawn over the reopened editor, which showed no error
    and left the cursor at the top."""
    script = tmp_path / "editor.py"
    script.write_text("import sys\np = sys.argv[1]\ns = open(p).read()\nopen(p, 'w').write(s + '{bad\\n')\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("E")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "JsonEditorScreen", what="editor reopened")
        await pilot.pause(0.1)
        editor = app.screen
        assert editor.error.startswith("Not applied:") and "line" in editor.error
        bad_line = next(i for i, line in enumerate(editor.text_area.text.splitlines()) if line == "{bad")
        assert editor.text_area.cursor_location[0] == bad_line
        assert not screen.state.session.dirty
