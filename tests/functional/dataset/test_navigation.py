"""Moving around: rows from the index, checker glyphs, arrows/j/k, pages, g/G, :, tab, enter, ]/[."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets._footer import FooterKey

from tests.functional.app_helpers import (SAMPLE_LINES, app_for, chat, notifications, ready, sample_copy, settle,
                                          wait_for, write_rows)
from tunescope.review.state import ERROR, OK, WARNING
from tunescope.tui.widgets.dataset.example_list import ExampleList
from tunescope.tui.widgets.fitted_footer import fit_keys


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
        assert state.status(7) == ERROR           # line 8: an image, and gpt-4.1-mini has no vision (issue 9)
        # rows with a warning, plus the warnings about the whole file (issue 9: they count too)
        assert (status.errors, status.warnings) == (3, state.results.status.count(WARNING)
                                                    + state.file_counts()[1])
        assert state.file_counts()[1] >= 1
        assert status.format == "chat" and status.lines == 31 and not status.dirty
        # the rendered rows carry the glyphs and the roles summary
        text = "".join(seg.text for seg in screen.example_list.render_line(12))
        assert "✗" in text and "S U" in text and "13" in text
        tools_row = "".join(seg.text for seg in screen.example_list.render_line(3))
        assert "A* T A" in tools_row


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
async def test_brackets_jump_between_examples_with_errors(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        lst = screen.example_list
        await pilot.press("right_square_bracket")
        assert lst.cursor == 7                         # line 8: an image gpt-4.1-mini cannot train on (issue 9)
        await pilot.press("right_square_bracket")
        assert lst.cursor == 12
        await pilot.press("right_square_bracket")
        assert lst.cursor == 15
        await pilot.press("right_square_bracket")      # no more: stays, says so
        assert lst.cursor == 15
        await pilot.press("left_square_bracket")
        assert lst.cursor == 12


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


# Folded from test_qa_footer.py: QA: the footer shows whole keys at any width (at 80 columns "q Quit" was cut to "q Qu").


def footer_keys(screen) -> tuple[list[FooterKey], FooterKey | None]:
    keys = list(screen.query(FooterKey))
    palette = next((k for k in keys if k.has_class("-command-palette")), None)
    return [k for k in keys if k is not palette], palette


@pytest.mark.regression("qa_footer")
@pytest.mark.parametrize("width", [80, 60, 44])
async def test_footer_keys_are_whole_and_help_and_quit_stay(tmp_path, width):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(width, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("enter")             # the viewer adds its own key (p Raw JSON)
        await settle(pilot)
        keys, palette = footer_keys(screen)
        actions = [k.action for k in keys]
        assert "help" in actions and "quit_app" in actions
        right_edge = palette.region.x if palette is not None else width
        for key in keys:
            assert key.region.right <= right_edge, f"{key.description!r} is cut at {width} columns"


@pytest.mark.regression("qa_footer")
async def test_footer_refits_when_the_terminal_grows(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(60, 24)) as pilot:
        screen = await ready(pilot)
        narrow = [k.action for k in footer_keys(screen)[0]]
        await pilot.resize_terminal(160, 24)
        await settle(pilot)
        await pilot.pause(0.1)
        wide = [k.action for k in footer_keys(screen)[0]]
        assert len(wide) > len(narrow) and set(narrow) <= set(wide)


@pytest.mark.regression("qa_footer")
def test_fit_drops_whole_keys_least_important_first():
    items = [("toggle_raw", "p", "Raw JSON"), ("search", "/", "Search"), ("edit", "e", "Edit"),
             ("save", "^s", "Save"), ("help", "?", "Help"), ("quit_app", "q", "Quit"),
             ("command_palette", "^p", "palette")]
    compact, shown = fit_keys(items, 200)
    assert not compact and len(shown) == len(items)
    compact, shown = fit_keys(items, 40)
    assert compact and {"help", "quit_app"} <= set(shown) and "search" not in shown
    assert "command_palette" not in shown


# Folded from test_qa_keys.py: QA: every key answers, even when what it does is not possible right now.


async def press_and_read(pilot, key: str) -> str:
    app = pilot.app
    app.clear_notifications()
    await pilot.press(key)
    await settle(pilot)
    return " ".join(notifications(app))


@pytest.mark.slow
@pytest.mark.regression("qa_keys")
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


@pytest.mark.regression("qa_keys")
async def test_filter_menu_reads_as_english(tmp_path):
    app = app_for(write_rows(tmp_path / "one.jsonl", [chat("hi", "hello")]))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        labels = dict(screen.review.filter_options())
        assert labels["role:assistant"] == "Has an assistant message"
        assert labels["role:user"] == "Has a user message"


@pytest.mark.slow
@pytest.mark.regression("qa_keys")
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


# Folded from test_qa_list.py: QA: what the example list shows for small counts, empty views and unchecked rows.


def row_text(screen, y: int) -> str:
    return screen.example_list.render_line(y).text


@pytest.mark.regression("qa_list")
async def test_small_token_counts_still_draw_a_bar(tmp_path):
    """Against a 65k limit a 70-token example used to draw nothing, like an unchecked row."""
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        view = screen.state.row_view(0)
        assert view.tokens > 0 and round(view.tokens / screen.state.token_limit * 40) == 0  # under 1/8 cell
        text = row_text(screen, 0)
        bar_start = text.index(f"{view.tokens:,}") + len(f"{view.tokens:,}") + 1
        assert text[bar_start] == "▏"


async def first_lines(screen, n: int = 3) -> str:
    return " ".join(row_text(screen, y).strip() for y in range(n))


@pytest.mark.slow
@pytest.mark.regression("qa_list")
async def test_an_empty_list_says_why(tmp_path):
    """Deleting every row, a filter matching nothing, an empty or missing file: the 80-column
    list used to be blank (the explanation went to the hidden viewer or a passing toast)."""
    small = write_rows(tmp_path / "two.jsonl", [chat("a", "b"), chat("c", "d")])
    app = app_for(small)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("d", "d")
        await settle(pilot)
        assert screen.example_list.count == 0
        assert "every line was deleted" in await first_lines(screen)
        await pilot.press("u")
        await settle(pilot)
        screen.set_filter(("errors", None))
        await wait_for(pilot, lambda: screen.state.view is not None, what="filter")
        assert "No example matches this filter" in await first_lines(screen)

    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    app = app_for(empty)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        assert "This file is empty" in await first_lines(screen)

    app = app_for(tmp_path / "missing.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.dataset_screen is not None, what="screen")
        await settle(pilot)
        assert "does not exist" in await first_lines(app.dataset_screen)


@pytest.mark.regression("qa_list")
async def test_lines_the_checker_never_reaches_are_not_shown_as_pending(tmp_path):
    """A binary (or pretty-printed) file is only checked as a whole: its other lines kept a
    'still checking' dot and ellipsis long after the check had finished."""
    path = tmp_path / "blob.jsonl"
    path.write_bytes(b"\x7fELF\x00\x01\x02\n\x00\x00garbage\n\x01\x02\x03 more\n")
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await settle(pilot)
        assert screen.state.results.finished
        for y in (1, 2):
            text = row_text(screen, y)
            assert text.split()[1] == "–" and "…" not in text.split("(not JSON)")[0]


# Folded from test_qa_panes.py: QA: moving between panes with keys typed faster than the screen refreshes.


@pytest.mark.slow
@pytest.mark.regression("qa_panes")
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_tab_typed_quickly_still_walks_every_pane(tmp_path, size):
    """Three tabs arriving in one burst (type-ahead, SSH) used to stop at the viewer."""
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        for _ in range(3):
            app.post_message(events.Key("tab", None))
        await settle(pilot)
        await pilot.pause(0.1)
        assert screen.panes.current() == "stats"
        assert screen.query_one("#stats") in screen.focused.ancestors_with_self
        for _ in range(2):
            app.post_message(events.Key("shift+tab", None))
        await settle(pilot)
        await pilot.pause(0.1)
        assert screen.panes.current() == "viewer"
