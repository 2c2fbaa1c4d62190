"""EditSession: overlay rows, example-level edits, undo/redo (real files on disk)."""

from __future__ import annotations

import json

import orjson
import pytest

from tests.factories import write_jsonl
from tunescope.dataset.index import open_index
from tunescope.editing.session import EditError, EditSession, JsonEditError

CHAT = {"messages": [{"role": "system", "content": "  Be brief. "},
                     {"role": "user", "content": "Hi\n"},
                     {"role": "assistant", "content": " Hello!"},
                     {"role": "user", "content": "Bye"},
                     {"role": "assistant", "content": "Bye."}]}


def rows(session):
    return [session.get(i) for i in range(len(session))]


def saved_bytes(session, tmp_path, name="out.jsonl"):
    out = tmp_path / name
    session.save(out, switch=False)
    return out.read_bytes()


def test_untouched_large_file_is_one_segment(tmp_path):
    lines = [b'{"i":%d}' % i for i in range(1_000_000)]
    s = EditSession(open_index(write_jsonl(tmp_path, lines)))
    assert len(s) == 1_000_000 and len(s.segments) == 1
    assert s.get(0) == lines[0] and s.get(123_456) == lines[123_456] and s.get(999_999) == lines[-1]
    s.replace(100_000, b'{"i":"x"}')
    s.delete(5)
    assert len(s.segments) <= 5
    assert s.get(99_999) == b'{"i":"x"}' and s.origin(99_999) == 100_000
    assert s.get(5) == lines[6] and s.origin(5) == 6
    assert list(s.iter_rows(999_990)) == lines[999_991:]


def test_replace_origin_modified_version_dirty(tmp_path):
    lines = [b'{"a":%d}' % i for i in range(5)]
    s = EditSession.open(write_jsonl(tmp_path, lines))
    assert not s.dirty and s.version == 0 and not s.can_undo
    s.replace(2, b'{"a":"two"}')
    assert s.get(2) == b'{"a":"two"}' and s.origin(2) == 2 and s.is_modified(2)
    assert not s.is_modified(1) and not s.is_modified(3)
    assert s.dirty and s.version == 1 and s.can_undo
    s.replace(2, lines[2])  # editing back to the original is not a modification
    assert not s.is_modified(2) and s.version == 2


def test_delete_insert_shift_rows_and_origins(tmp_path):
    lines = [b'{"a":%d}' % i for i in range(5)]
    s = EditSession.open(write_jsonl(tmp_path, lines))
    s.delete(0)
    assert rows(s) == lines[1:] and [s.origin(i) for i in range(4)] == [1, 2, 3, 4]
    assert s.insert_after(1, b'{"new":1}') == 2
    assert rows(s) == [lines[1], lines[2], b'{"new":1}', lines[3], lines[4]]
    assert s.origin(2) is None and s.is_modified(2)
    s.insert_after(-1, b'{"top":1}')
    s.insert_after(len(s) - 1, b'{"end":1}')
    assert s.get(0) == b'{"top":1}' and s.get(len(s) - 1) == b'{"end":1}'
    assert s.row_of(3) == 4 and s.row_of(0) is None
    with pytest.raises(EditError):
        s.replace(0, b'{"a":1}\n{"b":2}')
    with pytest.raises(IndexError):
        s.delete(99)


def test_replace_text_pretty_json_is_stored_compact_in_key_order(tmp_path):
    s = EditSession.open(write_jsonl(tmp_path, [b'{"a":1}', b'{"b":2}']))
    text = json.dumps({"z": 1, "a": {"y": "é", "b": [1, 2]}}, indent=2, ensure_ascii=False)
    data = s.replace_text(0, text)
    assert data == '{"z":1,"a":{"y":"é","b":[1,2]}}'.encode()
    assert s.get(0) == data and s.get(1) == b'{"b":2}'


def test_replace_text_invalid_json_reports_parser_position_and_changes_nothing(tmp_path):
    s = EditSession.open(write_jsonl(tmp_path, [b'{"a":1}']))
    bad = '{\n  "messages": [\n    {"role" "user"}\n  ]\n}'
    with pytest.raises(JsonEditError) as info:
        s.replace_text(0, bad)
    try:
        orjson.loads(bad)
    except orjson.JSONDecodeError as exc:
        expected = (exc.msg, exc.lineno, exc.colno)
    assert (info.value.message, info.value.line, info.value.column) == expected
    assert info.value.line == 3
    assert s.version == 0 and not s.dirty and s.get(0) == b'{"a":1}'


def test_set_and_clear_weight_only_on_assistant(tmp_path):
    s = EditSession.open(write_jsonl(tmp_path, [orjson.dumps(CHAT)]))
    s.set_weight(0, 2, zero=True)
    msgs = orjson.loads(s.get(0))["messages"]
    assert msgs[2] == {"role": "assistant", "content": " Hello!", "weight": 0}
    with pytest.raises(EditError, match="user message; weight applies only to assistant"):
        s.set_weight(0, 1, zero=True)
    s.set_weight(0, 2, zero=False)
    assert "weight" not in orjson.loads(s.get(0))["messages"][2]
    assert s.get(0) == orjson.dumps(CHAT) and not s.is_modified(0)


def test_strip_drop_move_messages(tmp_path):
    s = EditSession.open(write_jsonl(tmp_path, [orjson.dumps(CHAT), b"not json"]))
    assert s.strip_whitespace(0) is True
    contents = [m["content"] for m in orjson.loads(s.get(0))["messages"]]
    assert contents == ["Be brief.", "Hi", "Hello!", "Bye", "Bye."]
    v = s.version
    assert s.strip_whitespace(0) is False and s.version == v  # nothing to strip: no undo step
    s.drop_message(0, 0)
    assert [m["role"] for m in orjson.loads(s.get(0))["messages"]] == ["user", "assistant", "user", "assistant"]
    assert s.move_message(0, 1, 1) == 2
    assert [m["content"] for m in orjson.loads(s.get(0))["messages"]] == ["Hi", "Bye", "Hello!", "Bye."]
    with pytest.raises(EditError, match="cannot move message 0"):
        s.move_message(0, 0, -1)
    with pytest.raises(EditError, match="not valid JSON"):
        s.drop_message(1, 0)


def test_undo_redo_restore_exact_bytes(tmp_path):
    original = [b'{"a":%d}' % i for i in range(6)]
    p = write_jsonl(tmp_path, original, eol=b"\r\n", final=False)
    s = EditSession.open(p)
    snapshots = [saved_bytes(s, tmp_path)]
    assert snapshots[0] == p.read_bytes()
    ops = [lambda: s.replace(1, b'{"b":1}'), lambda: s.delete(4), lambda: s.insert_after(5 - 1, b'{"c":1}'),
           lambda: s.replace_text(0, '{"d": [1, 2]}'), lambda: s.delete(0)]
    for op in ops:
        op()
        snapshots.append(saved_bytes(s, tmp_path))
    assert len(set(snapshots)) == len(snapshots)
    for expected in reversed(snapshots[:-1]):
        assert s.undo()
        assert saved_bytes(s, tmp_path) == expected
    assert s.undo() is None and not s.can_undo and not s.dirty
    for expected in snapshots[1:]:
        assert s.redo()
        assert saved_bytes(s, tmp_path) == expected
    assert s.redo() is None
    # a new edit after undo drops the redo branch
    s.undo()
    s.replace(0, b'{"e":1}')
    assert not s.can_redo


def test_undo_descriptions(tmp_path):
    s = EditSession.open(write_jsonl(tmp_path, [orjson.dumps(CHAT)]))
    s.set_weight(0, 2, True)
    s.delete(0)
    assert s.undo() == "delete row 1"
    assert s.undo() == "set weight 0 on message 3 of row 1"
    assert s.redo() == "set weight 0 on message 3 of row 1"


def test_rows_of_the_session_recheck_with_the_one_checker(tmp_path):
    """EditSession.analyze (a second copy of check_example) is gone: the current bytes of a row go
    through the checker's own check_example."""
    from tunescope.checks.model import CheckOptions, RecordKind
    from tunescope.checks.run.worker import check_example
    from tunescope.tokens.count import TokenCounter
    s = EditSession.open(write_jsonl(tmp_path, [orjson.dumps(CHAT)]))
    options = CheckOptions()
    counter = TokenCounter("o200k_base")
    before = check_example(s.get(0), 1, 0, options, counter)
    assert before.analysis.kind == RecordKind.CHAT and before.tokens.total > 0
    s.replace(0, b'{"messages": [')
    broken = check_example(s.get(0), 1, 0, options, None)
    assert broken.analysis.kind == RecordKind.INVALID and broken.findings
    s.undo()
    s.drop_message(0, 4)
    after = check_example(s.get(0), 1, 0, options, counter)
    assert after.tokens.total < before.tokens.total
    assert after.tokens.total == counter.count_record(orjson.loads(s.get(0)), RecordKind.CHAT).total
    assert after.tokens.total == counter.count_record(orjson.loads(s.get(0)), RecordKind.CHAT).total
