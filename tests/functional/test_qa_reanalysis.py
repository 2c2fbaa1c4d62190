"""QA: an edited row is judged like the checker judged it (same file context)."""

from __future__ import annotations

import json

from tests.functional.app_helpers import app_for, ready, sample_copy, settle, wait_for
from tunescope.review.state import ERROR


async def test_editing_a_row_without_assistant_keeps_its_error(tmp_path):
    """In a chat file, a row with only system/user messages is an error; after any edit of
    it (even re-indenting) the error and the ✗ count used to vanish."""
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        state = screen.state
        row = state.row_for_line(13)
        assert [f.check for f in state.findings(row)] == ["missing_assistant_message"]
        errors_before, _ = state.counts()
        text = json.dumps(json.loads(state.data(row)), indent=4)          # same example, other bytes
        assert screen.apply_text(row, text)
        await wait_for(pilot, lambda: state.summary_for(row) is not None, what="re-analysis of the edit")
        await settle(pilot)
        assert state.modified(row) and state.status(row) == ERROR
        assert "missing_assistant_message" in [f.check for f in state.findings(row)]
        assert state.counts()[0] == errors_before
