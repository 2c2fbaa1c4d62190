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


async def first_lines(screen, n: int = 3) -> str:
    return " ".join(row_text(screen, y).strip() for y in range(n))


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
