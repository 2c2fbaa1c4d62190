import json
import os
import subprocess
import sys

import pytest

from tests.factories import write_file
from tunescope.checks.file.rules import inspect_file
from tunescope.checks.run.runner import check_path, options_for_model
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


# Folded from test_qa_broken_documents.py: QA: a JSON array / pretty-printed file with one syntax error is reported once, where the error is.


ROWS = [{"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}]}
        for i in range(12)]


@pytest.mark.regression("qa_broken_documents")
def test_array_with_a_trailing_comma_is_one_finding_at_the_error(tmp_path):
    text = json.dumps(ROWS, indent=2).replace('"a3"\n', '"a3",\n')
    bad_line = text[:text.index('"a3",')].count("\n") + 2     # the "}" after the comma
    report = check_path(write_file(tmp_path, text), options_for_model(), use_cache=False)
    checks = [f.check for f in report.findings]
    assert "invalid_json" not in checks                      # was one per physical line (146 of them)
    assert checks.count("not_jsonl") == 1
    f = next(f for f in report.findings if f.check == "not_jsonl")
    assert f.line == bad_line and "a JSON array" in f.message and "--to-jsonl" in f.hint


@pytest.mark.regression("qa_broken_documents")
def test_broken_pretty_printed_objects_are_reported_as_a_document(tmp_path):
    text = "\n".join(json.dumps(r, indent=2) for r in ROWS).replace('"q5"', '"q5" "x"')
    facts = inspect_file(open_index(write_file(tmp_path, text)))
    assert facts.layout == PRETTY
    assert [f.check for f in facts.findings].count("not_jsonl") == 1


@pytest.mark.regression("qa_broken_documents")
def test_jsonl_whose_lines_are_all_broken_stays_jsonl(tmp_path):
    text = "".join(json.dumps(r).replace("}]}", "}],}") + "\n" for r in ROWS)   # trailing commas
    facts = inspect_file(open_index(write_file(tmp_path, text)))
    assert facts.layout == JSONL and not [f for f in facts.findings if f.check == "not_jsonl"]


@pytest.mark.regression("qa_broken_documents")
def test_array_items_get_their_own_line_numbers(tmp_path):
    text = json.dumps(ROWS, indent=2)
    starts = [line for line, _ in iter_documents(open_index(write_file(tmp_path, text)))]
    lines = text.splitlines()
    assert len(starts) == 12 and len(set(starts)) == 12           # were all 1
    assert all(lines[s - 1].strip() == "{" for s in starts)


@pytest.mark.regression("qa_broken_documents")
def test_array_on_a_single_line_is_an_array(tmp_path):
    p = write_file(tmp_path, json.dumps(ROWS))                          # no newline at all: one line
    facts = inspect_file(open_index(p))
    assert facts.layout == ARRAY and facts.documents == 12
    r = subprocess.run([sys.executable, "-m", "tunescope", "fix", str(p), "--dedupe", "-o", str(tmp_path / "o")],
                       capture_output=True, text=True, timeout=60, env=dict(os.environ))
    assert r.returncode == 2 and "a JSON array (12 objects)" in r.stderr and "--to-jsonl" in r.stderr


# Folded from test_qa_documents.py: QA: pretty-printed JSON / JSON arrays with content Python's json reads but JSON forbids or orjson refuses.


def fix(*args):
    return subprocess.run([sys.executable, "-m", "tunescope", "fix", *args], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ))


def pretty(tmp_path, name, replace=("", ""), tail=""):
    text = json.dumps(ROWS, indent=2).replace(*replace)
    if tail:
        text = text[:-2] + ",\n" + tail + "\n]"
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.regression("qa_documents")
def test_check_array_with_lone_surrogate_reports_instead_of_crashing(tmp_path):
    p = pretty(tmp_path, "sur.jsonl", ('"q3"', '"q\\ud800"'))
    report = check_path(p, options_for_model(), use_cache=False)    # raised TypeError from orjson.dumps
    assert report.examples == 11
    assert [f.check for f in report.findings].count("invalid_json") == 1


@pytest.mark.regression("qa_documents")
def test_check_deeply_nested_document_does_not_crash(tmp_path):
    p = pretty(tmp_path, "deep.jsonl", tail="[" * 5000 + "]" * 5000)
    report = check_path(p, options_for_model(), use_cache=False)    # raised RecursionError
    assert report.summary["errors"] >= 1


@pytest.mark.regression("qa_documents")
def test_to_jsonl_refuses_nan_instead_of_writing_null(tmp_path):
    p = pretty(tmp_path, "nan.jsonl", ('"q3"', "NaN"))
    out = tmp_path / "out.jsonl"
    r = fix(str(p), "--to-jsonl", "-o", str(out))
    assert r.returncode == 2 and "NaN" in r.stderr and "line" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and not out.exists()


@pytest.mark.regression("qa_documents")
def test_to_jsonl_keeps_a_lone_surrogate_escape(tmp_path):
    p = pretty(tmp_path, "sur.jsonl", ('"q3"', '"q\\ud800"'))
    out = tmp_path / "out.jsonl"
    r = fix(str(p), "--to-jsonl", "-o", str(out))
    assert r.returncode == 0, r.stderr
    lines = out.read_bytes().splitlines()
    assert len(lines) == 12 and b"\\ud800" in lines[3]
    assert json.loads(lines[3])["messages"][0]["content"] == "q\ud800"


@pytest.mark.regression("qa_documents")
def test_to_jsonl_on_deep_nesting_is_one_line_error(tmp_path):
    p = pretty(tmp_path, "deep.jsonl", tail="[" * 5000 + "]" * 5000)
    r = fix(str(p), "--to-jsonl", "-o", str(tmp_path / "out.jsonl"))
    assert r.returncode == 2 and "nested too deeply" in r.stderr and "Traceback" not in r.stderr, r.stderr


@pytest.mark.regression("qa_documents")
def test_to_jsonl_keeps_the_bom_whichever_path_writes_it(tmp_path):
    p = tmp_path / "bom.jsonl"
    p.write_bytes(b"\xef\xbb\xbf" + json.dumps(ROWS, indent=2).encode())
    alone, combined = tmp_path / "alone.jsonl", tmp_path / "combined.jsonl"
    assert fix(str(p), "--to-jsonl", "-o", str(alone)).returncode == 0            # streamed file to file
    assert fix(str(p), "--to-jsonl", "--dedupe", "-o", str(combined)).returncode == 0   # through the session
    assert alone.read_bytes().startswith(b"\xef\xbb\xbf{")                     # the streamed one dropped it
    assert combined.read_bytes().startswith(b"\xef\xbb\xbf{")
    assert len(alone.read_bytes().splitlines()) == 12
