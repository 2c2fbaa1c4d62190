"""review: the Duplicates filter keeps rows with checks tagged "duplicates", read from the check registry."""

from __future__ import annotations

from tests.unit.review.helpers import chat, review_of, write_rows
from tunescope.checks.findings import Finding, Severity
from tunescope.review.filters import FilterSpec, row_predicate


def test_duplicates_filter_shows_repeated_examples_not_repeated_tool_call_ids(tmp_path):
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat("a"), chat("b"), chat("c")]))
    state = review.state
    state.results.findings[0] = [Finding("duplicate_tool_call_id", Severity.WARNING, "m", line=1)]
    state.results.findings[1] = [Finding("duplicate_example", Severity.WARNING, "m", line=2)]
    state.results.status[0] = state.results.status[1] = 3
    keep = row_predicate(state, FilterSpec("duplicates"))
    assert [row for row in range(state.row_count()) if keep(row)] == [1]
