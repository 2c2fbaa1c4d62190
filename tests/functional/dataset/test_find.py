"""Find and filter: / with n/N (plain and regex), f filters, s sort, findings pane selection."""

from __future__ import annotations

import pytest

from tests.functional.app_helpers import app_for, chat, notifications, ready, sample_copy, wait_for, write_rows
from tunescope.review.state import ERROR


async def search(pilot, text: str, regex: bool = False) -> None:
    await pilot.press("slash")
    assert type(pilot.app.screen).__name__ == "SearchScreen"
    if regex:
        await pilot.press("ctrl+r")
    await pilot.press(*text, "enter")


@pytest.mark.slow
async def test_search_finds_text_in_messages_and_n_N_step_through(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        lst = screen.example_list
        await search(pilot, "canada")                     # lines 2 and 18 (the duplicate)
        await wait_for(pilot, lambda: lst.cursor == 1, what="first match")
        await pilot.press("n")
        await wait_for(pilot, lambda: lst.cursor == 17, what="second match")
        await pilot.press("n")                            # wraps around to the first
        await wait_for(pilot, lambda: lst.cursor == 1, what="wrapped match")
        assert any("wrapped" in n for n in notifications(app))
        await pilot.press("N")
        await wait_for(pilot, lambda: lst.cursor == 17, what="previous match")


@pytest.mark.slow
async def test_search_looks_inside_tool_call_arguments_and_unicode(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await search(pilot, "SO-1043")                    # only inside tool-call arguments of line 10
        await wait_for(pilot, lambda: screen.example_list.cursor == 9, what="tool-call match")
        await search(pilot, "montaña")
        await wait_for(pilot, lambda: screen.example_list.cursor == 8, what="unicode match")


@pytest.mark.slow
async def test_search_does_not_match_json_keys_only_message_text(tmp_path):
    path = write_rows(tmp_path / "keys.jsonl", [chat("hello", "world"), chat("the word role here", "ok")])
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await search(pilot, "role")                       # every line has the key "role"; only line 2 says it
        await wait_for(pilot, lambda: screen.example_list.cursor == 1, what="text match")
        await pilot.press("n")                            # no other match: wraps onto itself
        await pilot.pause(0.2)
        await wait_for(pilot, lambda: screen.example_list.cursor == 1, what="single match")


@pytest.mark.slow
async def test_regex_search_and_no_match_message(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await search(pilot, r"SO-10\d2", regex=True)
        await wait_for(pilot, lambda: screen.example_list.cursor == 9, what="regex match")
        await search(pilot, "zebra crossing")
        await wait_for(pilot, lambda: any("no example matches" in n for n in notifications(app)),
                       what="no-match notice")
        assert screen.example_list.cursor == 9


async def pick_filter(pilot, key: str) -> None:
    await pilot.press("f")
    screen = pilot.app.screen
    assert type(screen).__name__ == "FilterScreen"
    keys = [k for k, _ in screen.options]
    option_list = screen.query_one("OptionList")
    option_list.highlighted = keys.index(key)
    await pilot.press("enter")


@pytest.mark.slow
async def test_filter_errors_warnings_over_limit_duplicates_and_clear(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        state = screen.state

        async def shown() -> list[int]:
            await wait_for(pilot, lambda: not screen.status_bar.status.view.endswith("…"), what="view")
            return [state.row_at(d) for d in range(state.display_count())]

        await pick_filter(pilot, "errors")
        assert await shown() == [7, 12, 15]       # line 8: an image gpt-4.1-mini cannot train on (issue 9)
        assert screen.example_list.count == 3
        assert "filter: errors (3)" in screen.status_bar.status.view
        await pick_filter(pilot, "over_limit")
        assert await shown() == [21]
        await pick_filter(pilot, "duplicates")
        assert await shown() == [1, 17]           # line 18 copies line 2: shown under it
        assert "filter: duplicates (2 in 1 group)" in screen.status_bar.status.view
        await pick_filter(pilot, "warnings")
        rows = await shown()
        assert 17 in rows and 21 in rows and all(state.status(r) != ERROR for r in rows)
        await pick_filter(pilot, "role:tool")
        assert await shown() == [3, 9]
        await pick_filter(pilot, "check:missing_assistant_message")
        assert await shown() == [12]
        await pick_filter(pilot, "all")
        await wait_for(pilot, lambda: state.view is None, what="filter cleared")
        assert screen.example_list.count == 31


@pytest.mark.slow
async def test_escape_clears_the_filter(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pick_filter(pilot, "errors")
        await wait_for(pilot, lambda: screen.example_list.count == 3, what="filtered")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.example_list.count == 31, what="unfiltered")
        assert screen.review.filter is None


@pytest.mark.slow
async def test_s_sorts_by_tokens_then_back_to_file_order(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        state = screen.state
        await pilot.press("s")
        await wait_for(pilot, lambda: state.view is not None, what="sorted view")
        tokens = [state.tokens(state.row_at(d)) for d in range(state.display_count())]
        assert tokens == sorted(tokens, reverse=True)
        assert state.row_at(0) == 21                      # the over-long example first
        assert "sorted by tokens" in screen.status_bar.status.view
        await pilot.press("s")
        await wait_for(pilot, lambda: state.view is None, what="file order")
        assert state.row_at(5) == 5


async def test_findings_pane_group_filters_and_finding_jumps(tmp_path):
    from tunescope.tui.widgets.dataset.findings_pane import FindingsPane

    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        pane = screen.query_one(FindingsPane)
        pane.post_message(FindingsPane.GroupSelected("invalid_json"))
        await wait_for(pilot, lambda: screen.example_list.count == 1, what="group filter")
        assert screen.state.row_at(0) == 15
        pane.post_message(FindingsPane.FindingSelected(22, None))
        await wait_for(pilot, lambda: screen.state.view is None and screen.example_list.cursor == 21,
                       what="jump to line 22 (filter cleared)")


@pytest.mark.slow
async def test_choosing_another_model_in_the_stats_pane_rechecks_with_its_limit(tmp_path):
    from tunescope.tui.widgets.dataset.stats_pane import StatsPane

    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.options.model == "gpt-4.1-mini-2025-04-14"
        screen.query_one(StatsPane).post_message(StatsPane.ModelChanged("gpt-3.5-turbo-0125"))
        await wait_for(pilot, lambda: app.dataset_screen is not screen and app.dataset_screen.state is not None,
                       what="a new screen for the model")
        new = await ready(pilot)
        assert new.options.model == "gpt-3.5-turbo-0125" and new.options.encoding == "cl100k_base"
        assert new.state.token_limit == new.model_info.token_limit != screen.state.token_limit
        assert "gpt-3.5-turbo-0125" in new.status_bar.status.model
