"""Issue 9, the TUI: search highlights its matches, says "match k of N", and keeps rapid n presses."""

from __future__ import annotations

from textual import events

from tests.functional.app_helpers import app_for, chat, ready, settle, wait_for, write_rows
from tests.unit.review.helpers import review_of
from tunescope.review.search import SearchResult

ROWS = [chat(f"needle number {i}" if i % 400 == 7 else f"hay {i}", "ok") for i in range(4000)]
MATCHES = [i for i in range(4000) if i % 400 == 7]          # 10 rows


def burst(app, *keys: str) -> None:
    for key in keys:
        app.post_message(events.Key(key, key))


async def test_rapid_n_presses_each_move_one_match_and_the_status_says_where(tmp_path):
    app = app_for(write_rows(tmp_path / "hay.jsonl", ROWS))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("slash", *"needle", "enter")
        await wait_for(pilot, lambda: screen.example_list.cursor == MATCHES[0], what="the first match")
        await wait_for(pilot, lambda: "match 1 of 10" in screen.status_bar.status.view, what="match 1 of 10")
        burst(app, "n", "n", "n")
        await wait_for(pilot, lambda: screen.example_list.cursor == MATCHES[3], what="three matches on")
        await settle(pilot)
        assert screen.example_list.cursor == MATCHES[3]
        assert "/needle match 4 of 10" in screen.status_bar.status.view
        # the match is highlighted in the row and in the viewer
        line = screen.example_list.render_line(screen.example_list.cursor - screen.example_list.scroll_offset.y)
        assert any(seg.text == "needle" and seg.style is not None and seg.style.reverse for seg in line)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.viewer.blocks, what="the viewer")
        bodies = [block.render() for block in screen.viewer.blocks]
        assert any(any("reverse" in str(span.style) for span in body.spans
                       if body.plain[span.start:span.end] == "needle") for body in bodies)


def test_n_while_a_search_runs_is_kept_for_when_it_stops(tmp_path):
    review = review_of(write_rows(tmp_path / "hay.jsonl", ROWS[:1200]))
    assert review.set_search("needle", False).search_step == 1
    run = review.runs.start("search")
    assert review.search_again(1).search_step is None            # kept, not restarted from the same cursor
    assert review.search_again(1).search_step is None
    outcome = review.search_matched(SearchResult("needle", 7), run.generation)
    assert outcome.cursor == 7 and outcome.search_step == 1       # the next one starts from the match
    run = review.runs.start("search")
    outcome = review.search_matched(SearchResult("needle", 407), run.generation)
    assert outcome.cursor == 407 and outcome.search_step == 1
    run = review.runs.start("search")
    assert review.search_matched(SearchResult("needle", 807), run.generation).search_step is None
