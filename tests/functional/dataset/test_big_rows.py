"""Issue 9, the TUI: nothing that grows with the data runs on the UI thread (a 20 MB line froze `e` for 40 s)."""

from __future__ import annotations

from textual.widgets import Static

from tests.functional.app_helpers import app_for, chat, notifications, ready, settle, wait_for, write_rows
from tunescope.review.commands import EDITOR_MAX_BYTES


def big_example(chars: int) -> dict:
    return chat("word " * (chars // 5), "ok")


async def test_e_on_a_huge_row_explains_instead_of_freezing(tmp_path):
    path = write_rows(tmp_path / "big.jsonl", [chat("small", "ok"), big_example(2 * EDITOR_MAX_BYTES)])
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("j", "e")
        await settle(pilot)
        assert app.screen is screen                                    # no editor on a 400 kB line
        told = [n for n in notifications(app) if "Too big for the built-in editor" in n]
        assert told and "E edits it in $VISUAL/$EDITOR" in told[0]
        await pilot.press("k", "e")                                    # a small row still opens
        await wait_for(pilot, lambda: type(app.screen).__name__ == "JsonEditorScreen", what="the editor")


async def test_viewer_makes_raw_json_only_when_shown_and_clips_big_rows(tmp_path):
    path = write_rows(tmp_path / "big.jsonl", [big_example(3_000_000)])
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.viewer.blocks, what="the viewer")
        raw = screen.viewer.query_one(".raw-json", Static)
        assert str(raw.render()) == ""                                 # not made while unseen
        await pilot.press("p")
        await settle(pilot)
        text = str(raw.render())
        assert text.startswith('{"messages"') and len(text) < 300_000


async def test_deletes_faster_than_the_viewer_never_crash(tmp_path):
    """In tmux, three quick `d` on the last rows crashed the app: the viewer asked for an analysis of a
    row the later deletes had removed (IndexError in for_viewer)."""
    from textual import events

    path = write_rows(tmp_path / "d.jsonl", [chat(f"q{i}", "ok") for i in range(10)])
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press(*["j"] * 7)
        for _ in range(3):
            app.post_message(events.Key("d", "d"))
        await settle(pilot)
        await pilot.pause(0.3)
        assert app.is_running and len(screen.state.session) == 7
