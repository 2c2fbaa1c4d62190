"""Checking the edited rows as a whole: findings on the original lines, file-level counts, undo."""

from __future__ import annotations

import orjson

from tests.unit.review.helpers import chat, review_of, write_rows
from tunescope.review.live_check import check_rows

BROKEN = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": 5}]}


def test_findings_move_to_original_lines_and_inserted_rows_are_named(tmp_path):
    path = write_rows(tmp_path / "d.jsonl", [chat(f"q{i}") for i in range(11)] + [BROKEN, chat("last")])
    review = review_of(path)
    assert review.state.counts()[0] == 1
    review.session.delete(0)                                  # the broken row is now row 11, still line 12
    live = check_rows(review.live_request(), review.options, True)
    errors = [f for f in live.report.findings if f.severity.value == "error"]
    assert errors and {f.line for f in errors} == {12}
    assert live.report.examples == 12 and live.report.file == str(path)
    review.session.insert_after(0, orjson.dumps(BROKEN))      # a new row has no original line
    live = check_rows(review.live_request(), review.options, True)
    new = [f for f in live.report.findings if f.severity.value == "error" and f.line is None]
    assert new and all(f.message.startswith("new row 2: ") for f in new)
    assert live.file_findings == [f for f in live.file_findings if f.line is None]


def test_counts_include_file_level_findings_of_the_edited_rows(tmp_path):
    path = write_rows(tmp_path / "d.jsonl", [chat(f"q{i}") for i in range(12)])
    review = review_of(path)
    before = review.state.counts()
    assert before == review.state.file_counts()               # no row has a finding; the file may
    for _ in range(4):                                        # fewer than 10 examples: an error about the file
        review.session.delete(0)
    live = check_rows(review.live_request(), review.options, True)
    new = {f.check for f in live.file_findings} - {f.check for f in review.state.file_findings}
    assert new
    run = review.runs.start("live")
    assert review.live_checked(live, run.generation)
    assert review.state.counts()[0] > before[0]


def test_no_request_without_edits(tmp_path):
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat("q")]))
    assert review.live_request() is None and review.state.shown_report is review.state.report


def test_an_edit_stops_saying_match_k_of_n(tmp_path):
    from array import array

    review = review_of(write_rows(tmp_path / "d.jsonl", [chat("needle"), chat("hay"), chat("needle")]))
    review.set_search("needle", False)
    run = review.runs.start("count")
    assert review.matches_counted(array("q", [0, 2]), run.generation, 0).status_view == "/needle match 1 of 2"
    assert review.delete(1).status_view == ""
