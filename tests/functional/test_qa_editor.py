"""QA: the in-app editor checks the text the user typed, even when keys arrive in a burst."""

from __future__ import annotations

import json

from textual import events

from tests.functional.app_helpers import app_for, ready, sample_copy, settle, wait_for


def burst(app, *keys: str) -> None:
    """Keys arriving faster than the app handles them (paste-like typing, SSH lag)."""
    for key in keys:
        character = key if len(key) == 1 else None
        app.post_message(events.Key(key, character))


async def open_editor(pilot):
    await pilot.press("e")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "JsonEditorScreen", what="editor")
    return pilot.app.screen


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
