"""QA: the status bar at 80 columns with a long file name."""

from __future__ import annotations

from tests.functional.app_helpers import app_for, chat, ready, wait_for, write_rows
from tunescope.tui.widgets.dataset.status_bar import Status, StatusBar


def test_a_long_file_name_is_shortened_before_the_filter_or_counts_go():
    s = Status(file="debian_admin_extra_keys.jsonl", errors=640, view="filter: check extra_top_level_key (640)",
               model="gpt-4.1-mini-2025-04-14")
    line = StatusBar.render_status(s, 78)
    assert "filter: check extra_top_level_key (640)" in line and "✗ 640" in line
    assert "debian_" in line and "keys.jsonl" in line and "…" in line
    assert "debian_admin_extra_keys.jsonl" in StatusBar.render_status(s, 200)


async def test_filter_shows_in_the_80_column_status_bar(tmp_path):
    """With a long file name, choosing a filter at 80 columns left no trace that one was active."""
    path = write_rows(tmp_path / "customer_support_conversations_2024_q3_cleaned_v2_final.jsonl",
                      [chat("hi", "hello"), {"messages": [{"role": "user", "content": "x"}]}, chat("a", "b")])
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        screen.set_filter(("errors", None))
        await wait_for(pilot, lambda: screen.state.view is not None, what="filter")
        await pilot.pause(0.05)
        shown = str(screen.status_bar.render())
        assert "filter: errors" in shown and "✗" in shown
