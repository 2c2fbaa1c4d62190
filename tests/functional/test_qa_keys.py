"""QA: every key answers, even when what it does is not possible right now."""

from __future__ import annotations

from tests.functional.app_helpers import app_for, chat, notifications, ready, sample_copy, settle, write_rows


async def press_and_read(pilot, key: str) -> str:
    app = pilot.app
    app.clear_notifications()
    await pilot.press(key)
    await settle(pilot)
    return " ".join(notifications(app))


async def test_greyed_out_edit_keys_say_why(tmp_path):
    """u, ctrl+r and ctrl+s on a fresh file, and e/d/w/x/y on an empty list, did nothing at all."""
    path = write_rows(tmp_path / "one.jsonl", [chat("hi", "hello")])
    app = app_for(path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await ready(pilot)
        assert "Nothing to undo" in await press_and_read(pilot, "u")
        assert "Nothing to redo" in await press_and_read(pilot, "ctrl+r")
        assert "No unsaved edits" in await press_and_read(pilot, "ctrl+s")
        await pilot.press("d")
        await settle(pilot)
        assert screen.example_list.count == 0
        for key in ("e", "d", "x", "y", "w"):
            assert "the list is empty" in await press_and_read(pilot, key), key
        assert "undid" in await press_and_read(pilot, "u")          # enabled keys still just work
        assert screen.example_list.count == 1


async def test_filter_menu_reads_as_english(tmp_path):
    app = app_for(write_rows(tmp_path / "one.jsonl", [chat("hi", "hello")]))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        labels = dict(screen.review.filter_options())
        assert labels["role:assistant"] == "Has an assistant message"
        assert labels["role:user"] == "Has a user message"


async def test_w_says_why_it_cannot_weight_this_example(tmp_path):
    """On a preference example or one without an assistant message, w told the user to
    select an assistant message, which cannot be done there."""
    dpo = {"input": {"messages": [{"role": "user", "content": "Hi"}]},
           "preferred_output": [{"role": "assistant", "content": "Hello"}],
           "non_preferred_output": [{"role": "assistant", "content": "Go away"}]}
    prompt_only = {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]}
    path = write_rows(tmp_path / "mixed.jsonl", [dpo, prompt_only, chat("hi", "hello")])
    app = app_for(path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await ready(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "no messages list" in await press_and_read(pilot, "w")
        await pilot.press("escape", "j", "enter")
        await settle(pilot)
        assert "no assistant message" in await press_and_read(pilot, "w")
        await pilot.press("escape", "j", "enter")
        await settle(pilot)
        assert "Select an assistant message first" in await press_and_read(pilot, "w")   # user selected
        assert not screen.state.session.dirty
