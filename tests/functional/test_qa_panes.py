"""QA: moving between panes with keys typed faster than the screen refreshes."""

from __future__ import annotations

import pytest
from textual import events

from tests.functional.app_helpers import app_for, ready, sample_copy, settle


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
