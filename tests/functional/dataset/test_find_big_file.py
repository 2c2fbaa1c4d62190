"""A long search on a big file says it is running, can be stopped, and never acts late."""

from __future__ import annotations

import time

import pytest

from tests.functional.app_helpers import app_for, notifications, settle, wait_for

pytestmark = pytest.mark.slow   # subprocesses, SIGKILL or big files: skipped by the fast loop (-m "not slow")

# Folded from test_qa_search.py: QA: a long search on a big file says it is running, can be stopped, and never acts late.


ROWS = 200_000


def big_file(tmp_path):
    path = tmp_path / "big.jsonl"
    row = b'{"messages":[{"role":"user","content":"question %d"},{"role":"assistant","content":"answer"}]}'
    path.write_bytes(b"\n".join(row % i for i in range(ROWS)) + b"\n")
    return path


async def search(pilot, pattern: str) -> None:
    """Search as the user does: /, the pattern, regex on, enter."""
    await pilot.press("slash")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "SearchScreen", what="search prompt")
    pilot.app.screen.query_one("#search-input").value = pattern
    pilot.app.screen.query_one("#search-regex").value = True
    await pilot.press("enter")


async def indexed(pilot):
    app = pilot.app
    await wait_for(pilot, lambda: app.dataset_screen is not None and app.dataset_screen.state is not None
                   and app.dataset_screen.state.session is not None, timeout=60, what="the index")
    return app.dataset_screen


@pytest.mark.regression("qa_search")
async def test_escape_stops_a_running_search_and_it_never_reports_late(tmp_path):
    app = app_for(big_file(tmp_path))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await indexed(pilot)
        await search(pilot, "nowhere to be found")
        assert "searching" in screen.status_bar.status.view
        await pilot.press("escape")
        assert "search stopped" in " ".join(notifications(app))
        assert "searching" not in screen.status_bar.status.view
        await pilot.pause(1.0)
        await settle(pilot)
        assert not any("no example matches" in n for n in notifications(app))


@pytest.mark.regression("qa_search")
async def test_a_new_search_replaces_the_running_one(tmp_path):
    """The replaced search kept scanning and later jumped the cursor or said 'no match'."""
    app = app_for(big_file(tmp_path))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await indexed(pilot)
        started = time.monotonic()
        await search(pilot, "nowhere to be found")
        await search(pilot, "question 7$")
        await wait_for(pilot, lambda: screen.example_list.cursor == 7, what="the second search's match")
        await pilot.pause(max(0.0, 2.0 - (time.monotonic() - started)))
        await settle(pilot)
        assert screen.example_list.cursor == 7
        assert not any("nowhere" in n for n in notifications(app))
        assert "searching" not in screen.status_bar.status.view
