"""QA: pretty-printed JSON / JSON arrays with content Python's json reads but JSON forbids or orjson refuses."""

import json
import os
import subprocess
import sys

from tunescope.checks.run.runner import check_path, options_for_model

ROWS = [{"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}]}
        for i in range(12)]


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


def test_check_array_with_lone_surrogate_reports_instead_of_crashing(tmp_path):
    p = pretty(tmp_path, "sur.jsonl", ('"q3"', '"q\\ud800"'))
    report = check_path(p, options_for_model(), use_cache=False)    # raised TypeError from orjson.dumps
    assert report.examples == 11
    assert [f.check for f in report.findings].count("invalid_json") == 1


def test_check_deeply_nested_document_does_not_crash(tmp_path):
    p = pretty(tmp_path, "deep.jsonl", tail="[" * 5000 + "]" * 5000)
    report = check_path(p, options_for_model(), use_cache=False)    # raised RecursionError
    assert report.summary["errors"] >= 1


def test_to_jsonl_refuses_nan_instead_of_writing_null(tmp_path):
    p = pretty(tmp_path, "nan.jsonl", ('"q3"', "NaN"))
    out = tmp_path / "out.jsonl"
    r = fix(str(p), "--to-jsonl", "-o", str(out))
    assert r.returncode == 2 and "NaN" in r.stderr and "line" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and not out.exists()


def test_to_jsonl_keeps_a_lone_surrogate_escape(tmp_path):
    p = pretty(tmp_path, "sur.jsonl", ('"q3"', '"q\\ud800"'))
    out = tmp_path / "out.jsonl"
    r = fix(str(p), "--to-jsonl", "-o", str(out))
    assert r.returncode == 0, r.stderr
    lines = out.read_bytes().splitlines()
    assert len(lines) == 12 and b"\\ud800" in lines[3]
    assert json.loads(lines[3])["messages"][0]["content"] == "q\ud800"


def test_to_jsonl_on_deep_nesting_is_one_line_error(tmp_path):
    p = pretty(tmp_path, "deep.jsonl", tail="[" * 5000 + "]" * 5000)
    r = fix(str(p), "--to-jsonl", "-o", str(tmp_path / "out.jsonl"))
    assert r.returncode == 2 and "nested too deeply" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_to_jsonl_keeps_the_bom_whichever_path_writes_it(tmp_path):
    p = tmp_path / "bom.jsonl"
    p.write_bytes(b"\xef\xbb\xbf" + json.dumps(ROWS, indent=2).encode())
    alone, combined = tmp_path / "alone.jsonl", tmp_path / "combined.jsonl"
    assert fix(str(p), "--to-jsonl", "-o", str(alone)).returncode == 0            # streamed file to file
    assert fix(str(p), "--to-jsonl", "--dedupe", "-o", str(combined)).returncode == 0   # through the session
    assert alone.read_bytes().startswith(b"\xef\xbb\xbf{")                     # the streamed one dropped it
    assert combined.read_bytes().startswith(b"\xef\xbb\xbf{")
    assert len(alone.read_bytes().splitlines()) == 12
