"""Issue 9, the TUI: a pretty-printed file shows its objects (object k on lines a–b), and the fix offered
is the conversion to JSONL, not "Drop invalid lines" on all 400 lines."""

from __future__ import annotations

from tests.functional.app_helpers import ready, settle, wait_for, app_for

NAME = "medical_pretty_printed_crlf.jsonl"        # 25 objects over 400 lines


async def test_lines_show_their_objects_and_the_viewer_the_whole_object(datasets_dir):
    app = app_for(datasets_dir / NAME)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        state = screen.state
        assert state.documents is not None and len(state.documents) == 25
        previews = [state.row_view(d).preview for d in range(state.display_count())]
        assert not any("(not JSON)" in p for p in previews)
        assert previews[0].startswith("object 1 of 25, lines 1–")
        assert previews[1].startswith("⋮ object 1 of 25")
        second = state.documents.starts[1]
        assert previews[second].startswith(f"object 2 of 25, lines {second + 1}–")
        assert state.row_view(0).roles and state.row_view(1).roles == ""
        await pilot.press(*["j"] * (second + 3), "enter")            # a line inside object 2
        await wait_for(pilot, lambda: screen.viewer.blocks, what="the viewer")
        assert screen.viewer.obj is not None and "messages" in screen.viewer.obj
        assert state.findings(second + 3) == state.findings(second)  # object 2's findings, not line 1's


async def test_fixes_menu_offers_convert_first_and_refuses_line_fixes(datasets_dir):
    app = app_for(datasets_dir / NAME)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("x")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "FixesMenu", what="the fixes menu")
        menu = app.screen
        assert menu.highlighted_name == "to_jsonl"
        names = [name for name, _, _ in screen.review.fix_entries()]
        await pilot.press(*["j"] * names.index("drop_invalid"))
        await wait_for(pilot, lambda: "Convert to JSONL first" in menu.preview_text, what="the refusal")
        await pilot.press("escape")
        outcome = screen.review.apply_fix("drop_invalid")
        assert outcome.notice is not None and not screen.state.session.dirty
