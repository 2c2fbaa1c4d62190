"""Issue 12, huge strings in the TUI: a file with a 30 MB line (base64 in a user message) keeps the app
responsive while that line is checked (the count runs in a worker, piece by piece), and the viewer shows
the exact count: tiktoken's own whole-string count, plus the message overhead."""

from __future__ import annotations

import base64
import random
import time

import pytest
from textual.widgets import Static

from tests.functional.app_helpers import app_for, chat, ready, wait_for, write_rows
from tunescope.tokens.count import TokenCounter
from tunescope.tokens.encodings import get_encoding

KEY_BOUND_S = 3.0          # a key press is handled within this, even with a 30 MB line being checked


async def _press_and_time(pilot, screen, key: str, row: int) -> float:
    start = time.monotonic()
    await pilot.press(key)
    await wait_for(pilot, lambda: screen.current_row() == row, timeout=30, what=f"{key} to move the cursor")
    return time.monotonic() - start


@pytest.mark.slow
async def test_a_30_mb_line_keeps_the_app_responsive_and_the_viewer_shows_its_exact_count(tmp_path):
    content = base64.b64encode(random.Random(3).randbytes(22_500_000)).decode("ascii")     # 30 MB, one string
    path = write_rows(tmp_path / "huge.jsonl", [chat("small", "ok"), chat(content, "ok"), chat("after", "ok")])
    app = app_for(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.dataset_screen is not None and app.dataset_screen.state is not None
                       and app.dataset_screen.state.row_count() == 3, what="the three rows")
        screen = app.dataset_screen
        assert screen.state.report is None                         # the 30 MB line is being checked meanwhile
        moves = [await _press_and_time(pilot, screen, "j", 1), await _press_and_time(pilot, screen, "j", 2),
                 await _press_and_time(pilot, screen, "k", 1)]
        assert max(moves) < KEY_BOUND_S, moves
        await wait_for(pilot, lambda: screen.state.report is not None, timeout=300, what="the checker's report")
        screen = await ready(pilot)
        await pilot.press("enter")                                  # the viewer, on the 30 MB row
        await wait_for(pilot, lambda: any("user" in str(b.border_title) and "tok" in str(b.border_title)
                                          for b in screen.viewer.blocks), timeout=300, what="the user's count")
        start = time.monotonic()                                    # still responsive: j moves the message cursor
        await pilot.press("j")
        await wait_for(pilot, lambda: screen.viewer.message_cursor == 1, timeout=30, what="the message cursor")
        assert time.monotonic() - start < KEY_BOUND_S
        titles = [str(b.border_title) for b in screen.viewer.blocks]
        bodies = [str(b.render()) for b in screen.viewer.blocks if isinstance(b, Static)]
    whole = len(get_encoding("o200k_base").encode_ordinary(content))          # tiktoken over the whole string
    overhead = TokenCounter("o200k_base", cache_size=0).count_message({"role": "user", "content": ""})[0]
    assert any(f"user · {whole + overhead:,} tok" in t for t in titles), (whole + overhead, titles)
    assert any("more characters" in b and len(b) < 100_000 for b in bodies)    # a bounded prefix is drawn
