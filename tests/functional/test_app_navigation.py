"""Moving around: rows from the index, checker glyphs, arrows/j/k, pages, g/G, :, tab, enter, ]/[."""

from __future__ import annotations

from tunescope.review.state import ERROR, OK, WARNING
from tunescope.tui.widgets.dataset.example_list import ExampleList

from tests.functional.app_helpers import SAMPLE_LINES, app_for, ready, sample_copy, wait_for


async def test_sample_opens_with_every_row_and_checker_results():
    app = app_for(None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        state = screen.state
        assert screen.example_list.count == len(SAMPLE_LINES) == 31
        # the deliberate problems of the sample show up as statuses
        assert state.status(12) == ERROR          # line 13: no assistant message
        assert state.status(15) == ERROR          # line 16: invalid JSON
        assert state.status(17) == WARNING        # line 18: duplicate of line 2
        assert state.status(21) == WARNING        # line 22: over the token limit
        assert state.status(0) == OK
        assert state.tokens(21) > state.token_limit
        status = screen.status_bar.status
        assert (status.errors, status.warnings) == (2, state.results.status.count(WARNING))
        assert status.format == "chat" and status.lines == 31 and not status.dirty
        # the rendered rows carry the glyphs and the roles summary
        text = "".join(seg.text for seg in screen.example_list.render_line(12))
        assert "✗" in text and "S U" in text and "13" in text
        tools_row = "".join(seg.text for seg in screen.example_list.render_line(3))
        assert "A* T A" in tools_row


async def test_arrows_and_jk_move_the_cursor_and_the_viewer_follows(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        lst = screen.example_list
        await pilot.press("down", "j", "j")
        assert lst.cursor == 3
        await pilot.press("up", "k")
        assert lst.cursor == 1
        await wait_for(pilot, lambda: screen.viewer.line == 2, what="viewer on line 2")
        assert screen.viewer.data == SAMPLE_LINES[1]
        await pilot.press("k", "k", "up")
        assert lst.cursor == 0


async def test_page_keys_move_by_a_page(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        lst = screen.example_list
        page = lst.page_height
        assert page > 5
        await pilot.press("pagedown")
        assert lst.cursor == page
        assert lst.scroll_offset.y > 0
        await pilot.press("pageup")
        assert lst.cursor == 0 and lst.scroll_offset.y == 0


async def test_g_and_G_jump_to_the_ends_without_animation(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        lst = screen.example_list
        await pilot.press("G")
        assert lst.cursor == 30
        # the last row is on screen right away: no scroll animation pending
        assert lst.scroll_offset.y == lst.max_scroll_y > 0
        assert not app.animator.is_being_animated(lst, "scroll_y")
        await pilot.press("g")
        assert lst.cursor == 0 and lst.scroll_offset.y == 0
        await pilot.press("end")
        assert lst.cursor == 30
        await pilot.press("home")
        assert lst.cursor == 0


async def test_colon_goes_to_a_line(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("colon")
        assert type(app.screen).__name__ == "GotoLineScreen"
        await pilot.press("2", "2", "enter")
        assert app.screen is screen
        assert screen.example_list.cursor == 21
        top = screen.example_list.scroll_offset.y
        assert top <= 21 < top + screen.example_list.size.height


async def test_brackets_jump_between_examples_with_errors(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        lst = screen.example_list
        await pilot.press("right_square_bracket")
        assert lst.cursor == 12
        await pilot.press("right_square_bracket")
        assert lst.cursor == 15
        await pilot.press("right_square_bracket")      # no more: stays, says so
        assert lst.cursor == 15
        await pilot.press("left_square_bracket")
        assert lst.cursor == 12


async def test_tab_cycles_panes_and_enter_opens_the_viewer_wide(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.has_class("-wide")
        assert screen.panes.current() == "list"
        await pilot.press("tab")
        await pilot.pause()
        assert screen.panes.current() == "viewer"
        await pilot.press("tab")
        await pilot.pause()
        assert screen.panes.current() == "findings"
        await pilot.press("tab")
        await pilot.pause()
        assert screen.panes.current() == "stats"
        await pilot.press("tab")
        await pilot.pause()
        assert screen.panes.current() == "list"
        await pilot.press("shift+tab")
        await pilot.pause()
        assert screen.panes.current() == "stats"
        await pilot.press("shift+tab", "shift+tab", "shift+tab")
        await pilot.pause()
        assert screen.panes.current() == "list"
        await pilot.press("j", "enter")
        await pilot.pause()
        assert screen.panes.current() == "viewer"
        # both panes stay visible side by side at 120 columns
        assert screen.example_list.display and screen.viewer.region.width > 0


async def test_narrow_screen_shows_one_pane_and_the_viewer_on_demand(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        assert screen.has_class("-narrow")
        assert screen.query_one("#side").region.width == 0
        assert screen.example_list.region.width == 80
        await pilot.press("j", "enter")
        await pilot.pause()
        assert screen.has_class("-side-open")
        assert screen.viewer.has_focus
        assert screen.example_list.region.width == 0
        assert screen.viewer.region.width > 70
        assert screen.viewer.line == 2
        await pilot.press("escape")
        await pilot.pause()
        assert not screen.has_class("-side-open")
        assert screen.example_list.has_focus and screen.example_list.cursor == 1


async def test_viewer_message_cursor_and_raw_toggle(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("colon", "4", "enter", "enter")      # line 4: the tool call example
        await wait_for(pilot, lambda: screen.viewer.line == 4 and screen.viewer.has_focus, what="viewer")
        viewer = screen.viewer
        titles = [str(b.border_title) for b in viewer.selectable_blocks()]
        assert titles[0].startswith("system") and titles[2].startswith("assistant")
        tools = next(b for b in viewer.blocks if "tools (1 definition" in str(b.border_title))
        assert 'get_trail_weather(trail: string, units?: "metric"|"imperial")' in str(tools.render())
        call_block = viewer.selectable_blocks()[2]
        assert "get_trail_weather" in str(call_block.render()) and '"trail": "Angels Landing"' in str(
            call_block.render())
        await pilot.press("j", "j")
        assert viewer.selected_message_index == 2 and viewer.selected_block.has_class("-selected")
        await pilot.press("k")
        assert viewer.selected_message_index == 1
        await pilot.press("p")
        assert viewer.raw and viewer.has_class("-raw")
        raw = viewer.query_one(".raw-json")
        assert raw.display and '"tool_call_id": "call_w1"' in str(raw.render())
        await pilot.press("p")
        assert not viewer.raw


async def test_list_renders_only_rows_on_screen():
    """The list never asks for rows that are not visible (virtual list)."""
    app = app_for(None)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        asked = []
        real = screen.state.row_view

        def spy(row):
            asked.append(row)
            return real(row)
        screen.state.row_view = spy
        screen.example_list.refresh()
        await pilot.pause()
        assert asked and max(asked) < screen.example_list.size.height
        assert isinstance(screen.example_list, ExampleList)


async def test_viewer_puts_findings_under_their_message_with_the_hint(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("colon", "2", "0", "enter")     # line 20: whitespace around message 2's text
        await wait_for(pilot, lambda: screen.viewer.line == 20 and screen.viewer.blocks, what="viewer")
        flagged = [b for b in screen.viewer.blocks if b.has_class("-has-findings")]
        assert [b.message_index for b in flagged] == [1]
        text = str(flagged[0].render())
        assert "surrounding_whitespace" in text and "hint:" in text
        await pilot.press("colon", "1", "3", "enter")     # line 13: example-level finding in the header
        await wait_for(pilot, lambda: screen.viewer.line == 13, what="viewer on line 13")
        header = str(screen.viewer.blocks[0].render())
        assert "missing_assistant_message" in header and "hint:" in header
