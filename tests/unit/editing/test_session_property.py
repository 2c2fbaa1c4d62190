"""Property: random edits, undos, redos and saves never lose or duplicate an untouched line.

A plain list of rows is the model; after every operation the session's rows,
and after every save the file's bytes, must match it. Undoing everything then
saving must give back the original file byte for byte.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tunescope.dataset.index import LineIndex
from tunescope.editing.session import EditSession

OPS = ("replace", "delete", "insert", "undo", "redo", "save", "fix")


def file_bytes(rows: list[bytes], eol: bytes, final: bool, bom: bool) -> bytes:
    if not rows:
        return b""
    return (b"\xef\xbb\xbf" if bom else b"") + eol.join(rows) + (eol if final else b"")


def assert_index_matches_a_scan(index):
    scanned = LineIndex(index.path).build()
    assert list(index.starts) == list(scanned.starts)
    assert (len(index), index.crlf_lines, index.has_bom, index.final_newline, index.size) == \
        (len(scanned), scanned.crlf_lines, scanned.has_bom, scanned.final_newline, scanned.size)
    scanned.close()


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n_lines=st.integers(0, 12), eol=st.sampled_from([b"\n", b"\r\n"]), final=st.booleans(),
       bom=st.booleans(), ops=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 10_000)), max_size=40))
def test_random_edit_sequences_keep_untouched_lines(n_lines, eol, final, bom, ops):
    original_rows = [b'{"line":%d,"pad":"%s"}' % (i, b"x" * (i % 5)) for i in range(n_lines)]
    if n_lines == 0:  # an empty file has no line ending, BOM or missing final newline to keep
        eol, final, bom = b"\n", True, False
    if n_lines == 1 and not final:  # one unterminated line shows no line ending: edits use LF
        eol = b"\n"
    original = file_bytes(original_rows, eol, final, bom)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "data.jsonl"
        path.write_bytes(original)
        s = EditSession.open(path)
        model = list(original_rows)
        undo: list[list[bytes]] = []
        redo: list[list[bytes]] = []
        counter = 0

        def change(new_model):
            nonlocal model
            undo.append(model)
            redo.clear()
            model = new_model

        for op, k in ops:
            counter += 1
            if op == "replace" and model:
                i = k % len(model)
                data = b'{"edit":%d}' % counter
                s.replace(i, data)
                change(model[:i] + [data] + model[i + 1:])
            elif op == "delete" and model:
                i = k % len(model)
                s.delete(i)
                change(model[:i] + model[i + 1:])
            elif op == "insert":
                i = k % (len(model) + 1) - 1
                data = b'{"new":%d}' % counter
                s.insert_after(i, data)
                change(model[:i + 1] + [data] + model[i + 1:])
            elif op == "fix":
                report = s.apply_fix("dedupe")  # rows are unique: must change nothing
                assert report.changes == []
            elif op == "undo":
                if s.undo() is not None:
                    redo.append(model)
                    model = undo.pop()
                else:
                    assert not undo
            elif op == "redo":
                if s.redo() is not None:
                    undo.append(model)
                    model = redo.pop()
                else:
                    assert not redo
            elif op == "save":
                s.save()
                redo.clear()  # a save starts a new branch
                assert not s.dirty
                assert path.read_bytes() == file_bytes(model, eol, final, bom)
                assert_index_matches_a_scan(s.index)
            assert list(s.iter_rows()) == model
            assert [s.get(i) for i in range(len(s))] == model
            untouched = [r for r in model if r in original_rows]
            assert len(untouched) == len(set(untouched))  # never duplicated
            assert untouched == sorted(untouched, key=original_rows.index)  # order kept
        while s.undo() is not None:
            pass
        assert list(s.iter_rows()) == original_rows
        s.save()
        assert path.read_bytes() == original
        s.close()
