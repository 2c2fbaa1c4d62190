"""review.search: what a search looks at, smart case, regex, wrapping, and stopping."""

from __future__ import annotations

import json
import threading

import pytest

from tests.unit.review.helpers import chat, review_of, write_rows
from tunescope.review.outcome import Outcome
from tunescope.review.search import SearchResult, SearchSpec, find_next, row_matches


def line(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


@pytest.mark.parametrize("pattern, regex, expected", [
    ("paris", False, True), ("PARIS", False, False), ("Paris", False, True), ("capital", False, False),
    (r"Par.s", True, True), ("é", False, True), ('say "hi"', False, True), ("role", False, False),
])
def test_search_matches_message_text_only(pattern, regex, expected):
    data = line({"messages": [{"role": "user", "content": 'Café: say "hi"'},
                              {"role": "assistant", "content": "Paris"}], "meta": {"capital": 1}})
    spec = SearchSpec(pattern, regex)
    assert row_matches(data, spec.matcher(), spec.prefilter()) is expected


def test_search_prefilter_never_misses_escaped_text():
    data = json.dumps({"messages": [{"role": "user", "content": "naïve path/to"}]}).encode()   # \u00ef, ascii
    for pattern in ("naïve", "path/to"):
        spec = SearchSpec(pattern)
        assert row_matches(data, spec.matcher(), spec.prefilter())


def test_find_next_wraps_goes_back_and_stops(tmp_path):
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat("apple"), chat("pear"), chat("apple pie")]),
                       check=False)
    state, cancel = review.state, threading.Event()
    assert find_next(state, SearchSpec("apple"), 0, 1, cancel) == SearchResult("apple", 2)
    assert find_next(state, SearchSpec("apple"), 2, 1, cancel) == SearchResult("apple", 0, wrapped=True)
    assert find_next(state, SearchSpec("apple"), 2, -1, cancel) == SearchResult("apple", 0)
    assert find_next(state, SearchSpec("kiwi"), 0, 1, cancel) == SearchResult("kiwi", None)
    cancel.set()
    assert find_next(state, SearchSpec("kiwi"), 0, 1, cancel) is None


def test_the_session_runs_one_search_at_a_time(tmp_path):
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat("a")]), check=False)
    assert review.search_again(1).notice.text.startswith("no search yet")
    assert review.set_search("(", True).notice.text.startswith("invalid regular expression")
    assert review.set_search("a", False).search_step == 1 and review.search_again(-1).search_step == -1
    first = review.runs.start("search")
    second = review.runs.start("search")
    assert first.cancel.is_set() and second.running
    assert review.search_matched(SearchResult("a", 0), first.generation) == Outcome()     # stale
    found = review.search_matched(SearchResult("a", 0, wrapped=True), second.generation)
    assert found.cursor == 0 and found.notice.text == "search wrapped around" and not second.running
    assert review.stop_search() is None
    review.runs.start("search")
    assert review.stop_search().notice.text == "search stopped"
