import json

import pytest

from tunescope.checks.file.rules import inspect_file
from tunescope.dataset.filefacts import ARRAY, BINARY, EMPTY, JSONL, PRETTY, iter_documents
from tunescope.dataset.index import open_index


def facts_for(tmp_path, data: bytes, name="d.jsonl"):
    p = tmp_path / name
    p.write_bytes(data)
    return inspect_file(open_index(p))


def checks(facts):
    return [f.check for f in facts.findings]


def test_empty_file_is_an_error(tmp_path):
    f = facts_for(tmp_path, b"")
    assert f.layout == EMPTY and checks(f) == ["file_empty"]
    assert f.findings[0].severity.value == "error"


def test_clean_jsonl_has_no_findings(tmp_path):
    f = facts_for(tmp_path, b'{"a": 1}\n{"a": 2}\n')
    assert f.layout == JSONL and f.findings == [] and f.line_endings == "LF"


def test_bom_crlf_and_no_final_newline(tmp_path):
    f = facts_for(tmp_path, b'\xef\xbb\xbf{"a": 1}\r\n{"a": 2}')
    assert {"utf8_bom", "no_final_newline"} <= set(checks(f))
    assert f.bom and not f.final_newline


def test_all_crlf_is_info(tmp_path):
    f = facts_for(tmp_path, b'{"a": 1}\r\n{"a": 2}\r\n')
    assert f.line_endings == "CRLF" and "crlf_line_endings" in checks(f)


def test_mixed_line_endings_warn(tmp_path):
    f = facts_for(tmp_path, b'{"a": 1}\r\n{"a": 2}\n{"a": 3}\n')
    assert f.line_endings == "mixed" and "mixed_line_endings" in checks(f)


def test_wrong_extension_warns(tmp_path):
    f = facts_for(tmp_path, b'{"a": 1}\n', name="d.json")
    assert "file_extension" in checks(f)


def test_binary_garbage(tmp_path):
    f = facts_for(tmp_path, bytes(range(256)) * 64)
    assert f.layout == BINARY and "binary_file" in checks(f)


def test_pretty_printed_objects_detected_with_count(tmp_path):
    objs = [{"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": "a"}]} for i in range(7)]
    data = "\n".join(json.dumps(o, indent=2) for o in objs).encode()
    f = facts_for(tmp_path, data)
    assert f.layout == PRETTY and f.documents == 7
    assert "not_jsonl" in checks(f)
    assert "7 objects" in f.findings[-1].message and "--to-jsonl" in f.findings[-1].hint


def test_json_array_detected(tmp_path):
    data = json.dumps([{"prompt": "p", "completion": "c"}] * 4, indent=1).encode()
    f = facts_for(tmp_path, data)
    assert f.layout == ARRAY and f.documents == 4


def test_single_line_json_array_is_array(tmp_path):
    f = facts_for(tmp_path, json.dumps([{"a": 1}, {"a": 2}]).encode() + b"\n" + b"\n")
    assert f.layout == ARRAY


def test_real_pretty_printed_dataset(datasets_dir):
    ix = open_index(datasets_dir / "medical_pretty_printed_crlf.jsonl")
    f = inspect_file(ix)
    assert f.layout == PRETTY and f.documents == 25 and f.line_endings == "CRLF"
    starts = [line for line, _ in iter_documents(ix)]
    assert starts[0] == 1 and starts == sorted(starts) and len(set(starts)) == 25
    # each start line really opens an object
    assert all(ix.line(s - 1).strip().startswith(b"{") for s in starts)
