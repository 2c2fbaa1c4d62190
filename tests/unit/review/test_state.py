"""review.state: rows over an EditSession, per-row results, the overlay of edited rows; review.runs."""

from __future__ import annotations

import json

from tunescope.checks.findings import Finding, Severity
from tunescope.checks.model import ExampleSummary, ExampleTokens, RecordAnalysis, RecordKind
from tunescope.dataset.index import open_index
from tunescope.editing.session import EditSession
from tunescope.review.runs import Runs
from tunescope.review.state import ERROR, OK, PENDING, WARNING, DatasetState, digest


def line(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


def summary(line_no: int, severity: Severity | None, tokens: int = 10, check: str = "x") -> ExampleSummary:
    findings = [Finding(check, severity, "m", line=line_no)] if severity else []
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
    assert state.status(0) == PENDING
    assert state.unanalysed(range(4)) == [(digest(session.get(0)), session.get(0), 1)]   # drawing asks nothing
    state.overlay[digest(session.get(0))] = summary(1, Severity.WARNING)
    assert state.status(0) == WARNING and state.counts() == (1, 2) and state.unanalysed(range(4)) == []
    assert state.next_with_status(0, 1) == 3
    session.undo()
    session.undo()
    assert state.row_count() == 5 and state.counts() == (2, 1) and state.status(0) == OK


def test_viewer_findings_say_each_finding_once(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(line({"messages": []}) + b"\n")
    state = DatasetState(open_index(path))
    state.results.add(summary(1, Severity.ERROR, check="a"))
    fresh = summary(1, Severity.ERROR, check="a")
    fresh.analysis.findings.append(Finding("b", Severity.WARNING, "m", line=1))
    assert [f.check for f in state.viewer_findings(0, fresh)] == ["a", "b"]
    assert [f.check for f in state.viewer_findings(0, None)] == ["a"]


def test_runs_keep_one_current_run_of_each_kind():
    runs = Runs()
    check = runs.start("check")
    old, new = runs.start("search"), runs.start("search")
    assert old.cancel.is_set() and runs.is_current("search", new.generation)
    assert not runs.is_current("search", old.generation) and runs.is_current("check", check.generation)
    assert runs.stop("search") and not runs.stop("search") and not runs.running("search")
    runs.stop_all()
    assert check.cancel.is_set() and not runs.is_current("view", 0)
