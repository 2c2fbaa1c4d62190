"""review: filters, sort and the views built from them; jumping to a row a view hides."""

from __future__ import annotations

import threading

from tests.unit.review.helpers import chat, review_of, write_rows
from tunescope.checks.findings import Finding, Severity
from tunescope.checks import by_tag
from tunescope.review.filters import FilterSpec, filter_from_key, filter_options, row_predicate
from tunescope.review.views import View, build_view


def test_filter_specs_and_menu(tmp_path):
    assert filter_from_key("all") is None and filter_from_key("errors") == FilterSpec("errors")
    assert filter_from_key("check:empty_content") == ("check", "empty_content")
    assert FilterSpec("check", "x").key == "check:x" and FilterSpec("role", "tool").label == "role tool"
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat("a"), chat("a"), b"{"]))
    keys = [key for key, _ in filter_options(review.state.report)]
    assert keys[:5] == ["all", "errors", "warnings", "over_limit", "duplicates"]
    assert "check:invalid_json" in keys and keys[-1] == "role:tool"


def test_each_filter_keeps_its_rows(tmp_path):
    long = chat("word " * 20000)
    rows = [chat("a"), chat("a"), b"{", long, {"messages": [{"role": "user", "content": "q"},
                                                            {"role": "assistant", "content": "", "tool_calls": [
                                                                {"id": "c", "type": "function",
                                                                 "function": {"name": "f", "arguments": "{}"}}]},
                                                            {"role": "tool", "tool_call_id": "c", "content": "r"}]}]
    review = review_of(write_rows(tmp_path / "d.jsonl", rows))
    state = review.state

    def kept(spec):
        keep = row_predicate(state, FilterSpec(*spec))
        return [row for row in range(state.row_count()) if keep(row)]
    assert kept(("errors", None)) == [2]
    assert kept(("duplicates", None)) == [1]
    assert kept(("role", "tool")) == [4] and kept(("role", "T")) == [4]
    assert kept(("check", "invalid_json")) == [2]
    assert kept(("over_limit", None)) == ([3] if state.token_limit and state.tokens(3) > state.token_limit else [])


def test_duplicates_means_repeated_examples_not_repeated_tool_call_ids(tmp_path):
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat("a"), chat("b")]))
    state = review.state
    state.results.findings[0] = [Finding("duplicate_tool_call_id", Severity.WARNING, "m", line=1)]
    state.results.status[0] = 3
    assert "duplicate_tool_call_id" not in by_tag("duplicates") and "duplicate_example" in by_tag("duplicates")
    assert not row_predicate(state, FilterSpec("duplicates"))(0)


def test_build_view_filters_sorts_and_stops_when_cancelled(tmp_path):
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat("a"), chat("a b c d e f g"), b"{", chat("a b")]))
    state, cancel = review.state, threading.Event()
    assert build_view(state, None, "line", cancel) == View(None, "")
    by_tokens = build_view(state, None, "tokens", cancel)
    assert list(by_tokens.rows)[:1] == [1] and by_tokens.description == "sorted by tokens"
    errors = build_view(state, FilterSpec("errors"), "line", cancel)
    assert list(errors.rows) == [2] and errors.description == "filter: errors (1)"
    cancel.set()
    assert build_view(state, FilterSpec("errors"), "line", cancel) is None


def test_views_come_and_go_through_the_session(tmp_path):
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat("a"), b"{", chat("c")]))
    assert review.set_filter(("errors", None)).run_view and review.current_filter_key() == "errors"
    run = review.runs.start("view")
    view = build_view(review.state, review.filter, review.state.sort, run.cancel)
    assert review.view_built(view, run.generation - 1, None).cursor is None          # a stale view: ignored
    shown = review.view_built(view, run.generation, keep_row=1)
    assert shown.reload_list and shown.cursor == 0 and shown.status_view == "filter: errors (1)"
    jumped = review.jump(2)                                  # hidden by the filter: the filter goes
    assert jumped.reload_list and jumped.status_view == "" and jumped.cursor == 2 and review.filter is None
    assert review.state.view is None and review.clear_view().run_view is False
    assert review.toggle_sort().run_view and review.state.sort == "tokens" and review.clear_view().run_view
    empty = review.set_filter(("check", "no_such_check"))
    run = review.runs.start("view")
    none = review.view_built(build_view(review.state, review.filter, "line", run.cancel), run.generation, None)
    assert empty.run_view and "no example matches this filter" in none.notice.text
