"""review.reanalyse: an edited row is checked as the checker checked it in its file."""

from __future__ import annotations

import json

from tests.unit.review.helpers import chat, review_of, write_rows
from tunescope.checks.run.runner import options_for_model
from tunescope.review.reanalyse import RowChecker
from tunescope.review.state import digest

PROMPT_ONLY = {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]}


def checks_of(summary) -> list[str]:
    return [f.check for f in summary.findings]


def test_a_prompt_only_row_is_read_as_its_file_reads_it():
    checker = RowChecker(options_for_model(), allow_estimate=True)
    data = json.dumps(PROMPT_ONLY).encode()
    assert "missing_assistant_message" in checks_of(checker.check(data, 3, "chat"))
    assert "missing_assistant_message" not in checks_of(checker.check(data, 3, "reinforcement"))
    summary = checker.check(json.dumps(chat("q")).encode(), 5, "chat")
    assert summary.line == 5 and summary.tokens is not None and checks_of(summary) == []


def test_an_edited_row_of_a_chat_file_keeps_the_error_the_checker_gave_it(tmp_path):
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat(f"q{i}") for i in range(5)] + [PROMPT_ONLY]))
    state = review.state
    assert "missing_assistant_message" in [f.check for f in state.findings(5)] and state.format == "chat"
    # a real change (re-indenting alone is no change now: an edit keeps the line's JSON style)
    edited = {"messages": [PROMPT_ONLY["messages"][0], {"role": "user", "content": "Hi there"}]}
    review.edit(5, json.dumps(edited, indent=4))
    wanted = review.checker.for_rows(state, range(0, 10))
    assert [(a.key, a.line) for a in wanted] == [(("m", digest(state.data(5))), 6)]
    assert review.checker.for_rows(state, range(0, 10)) == []                 # under way: not asked twice
    for analysis in wanted:
        review.checker.checked(state, analysis.key, review.checker.check(analysis.data, analysis.line, state.format))
    assert "missing_assistant_message" in [f.check for f in state.findings(5)] and state.status(5) == 4
    assert review.checker.for_rows(state, range(0, 10)) == []                 # known now


def test_the_viewer_row_is_checked_once_for_its_tokens(tmp_path):
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat("a")]), check=False)
    state, data = review.state, review.state.data(0)
    first = review.checker.for_viewer(state, 0, data)
    assert first.key == ("v", digest(data)) and first.line == 1
    assert review.checker.for_viewer(state, 0, data) is None
    review.checker.checked(state, first.key, None)                           # it failed: may be asked again
    again = review.checker.for_viewer(state, 0, data)
    review.checker.checked(state, again.key, review.checker.check(data, 1))
    assert state.analysis_of(data) is not None and review.checker.for_viewer(state, 0, data) is None
