"""QA: what the example list shows for small counts, empty views and unchecked rows."""

from __future__ import annotations

from tests.functional.app_helpers import app_for, chat, ready, sample_copy, settle, wait_for, write_rows


def row_text(screen, y: int) -> str:
    return screen.example_list.render_line(y).text


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
