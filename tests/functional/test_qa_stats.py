"""QA: the limit line of the token histogram."""

from __future__ import annotations

import re

import pytest

from tests.functional.app_helpers import app_for, ready, sample_copy, settle
from tunescope.tui.widgets.dataset.stats_pane import TokenHistogram


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_limit_line_has_space_around_its_words(tmp_path, size):
    """It read '┄┄ limit 65,536 ▼ over┄┄': the dashes ran into the last word."""
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        screen.show_pane("stats")
        await settle(pilot)
        marker = next(line for line in str(screen.query_one(TokenHistogram).render()).splitlines()
                      if "limit" in line)
        assert re.fullmatch(r"┄+ limit [\d,]+ (▼ over|\(every example is below\)) ┄+", marker), marker
