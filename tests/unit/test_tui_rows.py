"""The pure parts of the TUI: row descriptions, search matching, row state over an EditSession, status line."""

from __future__ import annotations

import json

import pytest

from tunescope.checks.model import ExampleSummary, RecordAnalysis, RecordKind, ExampleTokens
from tunescope.editing.session import EditSession
from tunescope.checks.findings import Finding, Severity
from tunescope.dataset.index import open_index
from tunescope.review.state import ERROR, OK, PENDING, WARNING, DatasetState, digest
from tunescope.tui.widgets.dataset.status_bar import Status, StatusBar
from tunescope.review.search import SearchSpec, row_matches


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


def summary(line_no: int, severity: Severity | None, tokens: int = 10) -> ExampleSummary:
    findings = [Finding("x", severity, "m", line=line_no)] if severity else []
    return ExampleSummary(line_no - 1, line_no, RecordAnalysis(RecordKind.CHAT, findings=findings),
                          ExampleTokens(tokens, tokens))


def test_state_follows_edits_deletes_and_undo(tmp_path):
    path = tmp_path / "d.jsonl"
    rows = [line({"messages": [{"role": "user", "content": f"q{i}"}]}) for i in range(5)]
    path.write_bytes(b"\n".join(rows) + b"\n")
    index = open_index(path)
    state = DatasetState(index, token_limit=100)
    for i, sev in enumerate([None, Severity.ERROR, Severity.WARNING, None, Severity.ERROR]):
        state.results.add(summary(i + 1, sev))
    assert [state.status(r) for r in range(5)] == [OK, ERROR, WARNING, OK, ERROR]
    assert state.counts() == (2, 1)
    session = EditSession(index)
    state.attach_session(session)
    session.delete(1)
    assert state.row_count() == 4 and state.origin(1) == 2 and state.counts() == (1, 1)
    assert state.row_for_line(3) == 1 and state.row_for_line(2) is None
    session.replace(0, rows[0].replace(b"q0", b"edited"))
    assert state.status(0) == PENDING and state.unanalysed(range(5)) == [(digest(session.get(0)), session.get(0), 1)]
    state.overlay[digest(session.get(0))] = summary(1, Severity.WARNING)
    assert state.status(0) == WARNING and state.counts() == (1, 2)
    assert state.next_with_status(0, 1) == 3
    session.undo()
    session.undo()
    assert state.row_count() == 5 and state.counts() == (2, 1) and state.status(0) == OK


def test_status_line_drops_details_before_the_essentials():
    s = Status(file="data.jsonl", format="chat", lines=1234, errors=5, warnings=7, dirty=True,
               model="gpt-4.1-mini-2025-04-14", estimated=True, phase="checking", done=1, total=2)
    wide = StatusBar.render_status(s, 200)
    assert "1,234 lines" in wide and "gpt-4.1-mini" in wide and "50%" in wide
    narrow = StatusBar.render_status(s, 60)
    assert "data.jsonl" in narrow and "unsaved" in narrow and "✗ 5" in narrow and "~est" in narrow
    assert "1,234 lines" not in narrow
