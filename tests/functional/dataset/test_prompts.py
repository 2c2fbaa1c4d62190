"""ConfirmScreen and the small prompts: keys in, dismiss values out, errors keep the input."""

from __future__ import annotations

import pytest
from textual.widgets import Button, Checkbox, Input, Static

from tests.functional.panes_screen_host import NOTHING, ScreenHost
from tunescope.tui.dialogs.confirm import ConfirmScreen
from tunescope.tui.dialogs.filter import FilterScreen
from tunescope.tui.dialogs.goto import GotoLineScreen
from tunescope.tui.dialogs.message import MessageScreen
from tunescope.tui.dialogs.save_as import SaveAsScreen
from tunescope.tui.dialogs.search import SearchScreen


def error_text(app) -> str:
    return str(app.screen.query_one(".prompt-error", Static).render())


@pytest.mark.slow
async def test_confirm_keys_and_safe_focus_for_danger():
    for keys, danger, expected in [(("y",), False, True), (("n",), False, False), (("escape",), True, False),
                                   (("enter",), True, False), (("enter",), False, True),
                                   (("left", "enter"), True, True)]:
        app = ScreenHost(lambda d=danger: ConfirmScreen("Discard 3 unsaved edits?", danger=d))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            focused = app.screen.focused
            assert isinstance(focused, Button) and focused.id == ("no" if danger else "yes")
            await pilot.press(*keys)
            await pilot.pause()
            assert app.results == [expected], (keys, danger)


async def test_goto_line_validates_and_keeps_input():
    app = ScreenHost(lambda: GotoLineScreen(1200, current=7))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "1–1,200" in str(app.screen.query_one(".prompt-help", Static).render())
        await pilot.press("5", "0", "0", "0", "enter")
        await pilot.pause()
        assert app.result is NOTHING
        assert "out of range" in error_text(app) and "1–1,200" in error_text(app)
        assert app.screen.query_one(Input).value == "5000"
        await pilot.press("backspace", "backspace", "backspace", "backspace", "9", "9", "enter")
        await pilot.pause()
        assert app.results == [99]


async def test_goto_line_escape_cancels():
    app = ScreenHost(lambda: GotoLineScreen(10))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3", "escape")
        await pilot.pause()
        assert app.results == [None]


async def test_search_refuses_invalid_regex_and_keeps_pattern():
    app = ScreenHost(lambda: SearchScreen())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        assert app.screen.query_one(Checkbox).value is True
        await pilot.press(*"tool(", "enter")
        await pilot.pause()
        assert app.result is NOTHING
        assert "Invalid regular expression" in error_text(app)
        assert app.screen.query_one(Input).value == "tool("
        await pilot.press("backspace", *"_call", "enter")
        await pilot.pause()
        assert app.results == [("tool_call", True)]


async def test_search_plain_text_is_not_compiled():
    app = ScreenHost(lambda: SearchScreen("weight", regex=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("end", "(", "enter")
        await pilot.pause()
        assert app.results == [("weight(", False)]


async def test_filter_returns_the_chosen_key():
    options = [("errors", "Errors (3)"), ("warnings", "Warnings (9)"), ("over_limit", "Over token limit (1)"),
               ("check:json.invalid", "json.invalid (3)"), ("role:tool", "Has tool messages (5)")]
    app = ScreenHost(lambda: FilterScreen(options, current="warnings"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("j", "j", "enter")
        await pilot.pause()
        assert app.results == ["check:json.invalid"]


async def test_save_as_refuses_a_directory_and_confirms_overwrite(tmp_path):
    existing = tmp_path / "train.jsonl"
    existing.write_text("{}\n")
    app = ScreenHost(lambda: SaveAsScreen(str(tmp_path)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.result is NOTHING
        assert "is a folder" in error_text(app)
        app.screen.query_one(Input).value = str(tmp_path / "missing" / "x.jsonl")
        await pilot.press("enter")
        await pilot.pause()
        assert "does not exist" in error_text(app)
        app.screen.query_one(Input).value = str(existing)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.result is NOTHING and "kept" in error_text(app)
        await pilot.press("enter", "y")
        await pilot.pause()
        assert app.results == [str(existing)]


async def test_save_as_new_file(tmp_path):
    app = ScreenHost(lambda: SaveAsScreen(str(tmp_path / "fixed.jsonl")))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [str(tmp_path / "fixed.jsonl")]


async def test_message_screen_shows_text_and_closes():
    app = ScreenHost(lambda: MessageScreen("Save refused", "train.jsonl changed on disk since it was opened."))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "changed on disk" in str(app.screen.query_one("#message-text", Static).render())
        await pilot.press("q")
        await pilot.pause()
        assert app.results == [None]
