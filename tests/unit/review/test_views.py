"""review: filters, sort and the views built from them; jumping to a row a view hides."""

from __future__ import annotations

import threading

from tests.unit.review.helpers import chat, review_of, write_rows
from tunescope.checks.findings import Finding, Severity
from tunescope.checks import by_tag
from tunescope.review.filters import FilterSpec, filter_from_key, filter_options, row_predicate
from tunescope.review.live_check import check_rows
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


def _near_file(tmp_path):
    """Lines 1-3 are originals; 5 nearly copies 2, 7 nearly copies 3, 9 copies 5 exactly."""
    long = {1: "How do I reset my router to factory settings and keep my wifi password?",
            2: "What is the best way to clean a cast iron pan after cooking eggs in it?",
            3: "Can I return a pair of shoes that I have already worn outside twice?"}
    reply = "Here is a careful answer that covers the usual steps one by one, in order."
    rows = [chat(long[1], reply), chat(long[2], reply), chat(long[3], reply),
            chat("Tell me about topic four today please, in detail", "Topic four is broad; here is a start."),
            chat(long[2] + " please", reply),
            chat("Something else entirely about gardening and seasons", "Plant early and water often."),
            chat(long[3] + " please", reply),
            chat("Unrelated eighth question on the history of maps", "Maps began as sketches on clay."),
            chat(long[2] + " please", reply)]
    return write_rows(tmp_path / "near.jsonl", rows)


def test_the_duplicates_filters_show_each_group_with_the_row_it_copies(tmp_path):
    review = review_of(_near_file(tmp_path))
    state, cancel = review.state, threading.Event()
    assert state.report.stats["near_duplicates"]["groups"] == [[2, 5, 9], [3, 7]]
    assert state.report.stats["duplicates"]["groups"] == [[5, 9]]
    near = build_view(state, FilterSpec("near_duplicates"), "line", cancel)
    # the flagged copies are 5, 7 and 9: each group comes with its first row (2 and 3), the one kept
    assert [r + 1 for r in near.rows] == [2, 5, 9, 3, 7]
    assert near.description == "filter: near-duplicates (5 in 2 groups)"
    dupes = build_view(state, FilterSpec("duplicates"), "line", cancel)
    assert [r + 1 for r in dupes.rows] == [2, 5, 9, 3, 7]       # the exact pair is one group with its near one
    assert list(build_view(state, FilterSpec("errors"), "line", cancel).rows) == []


def test_groups_follow_edits_through_the_live_report(tmp_path):
    review = review_of(_near_file(tmp_path))
    state = review.state
    review.session.delete(0)                   # line 1 goes: every line after it is one row up
    review.session.delete(5)                   # ...and line 7, the copy of line 3: its group is one row
    live = check_rows(review.live_request(), review.options, True)
    run = review.runs.start("live")
    assert review.live_checked(live, run.generation)
    view = build_view(state, FilterSpec("near_duplicates"), "line", threading.Event())
    assert [state.origin(r) + 1 for r in view.rows] == [2, 5, 9]      # rows 0, 3, 6 hold lines 2, 5, 9
    assert list(view.rows) == [0, 3, 6] and view.description == "filter: near-duplicates (3 in 1 group)"
