"""QA: a JSON array / pretty-printed file with one syntax error is reported once, where the error is."""

import json
import os
import subprocess
import sys

from tests.factories import write_file
from tunescope.checks.file.rules import inspect_file
from tunescope.checks.run.runner import check_path, options_for_model
from tunescope.dataset.filefacts import ARRAY, JSONL, PRETTY, iter_documents
from tunescope.dataset.index import open_index

ROWS = [{"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}]}
        for i in range(12)]


def test_array_with_a_trailing_comma_is_one_finding_at_the_error(tmp_path):
    text = json.dumps(ROWS, indent=2).replace('"a3"\n', '"a3",\n')
    bad_line = text[:text.index('"a3",')].count("\n") + 2     # the "}" after the comma
    report = check_path(write_file(tmp_path, text), options_for_model(), use_cache=False)
    checks = [f.check for f in report.findings]
    assert "invalid_json" not in checks                      # was one per physical line (146 of them)
    assert checks.count("not_jsonl") == 1
    f = next(f for f in report.findings if f.check == "not_jsonl")
    assert f.line == bad_line and "a JSON array" in f.message and "--to-jsonl" in f.hint


def test_broken_pretty_printed_objects_are_reported_as_a_document(tmp_path):
    text = "\n".join(json.dumps(r, indent=2) for r in ROWS).replace('"q5"', '"q5" "x"')
    facts = inspect_file(open_index(write_file(tmp_path, text)))
    assert facts.layout == PRETTY
    assert [f.check for f in facts.findings].count("not_jsonl") == 1


def test_jsonl_whose_lines_are_all_broken_stays_jsonl(tmp_path):
    text = "".join(json.dumps(r).replace("}]}", "}],}") + "\n" for r in ROWS)   # trailing commas
    facts = inspect_file(open_index(write_file(tmp_path, text)))
    assert facts.layout == JSONL and not [f for f in facts.findings if f.check == "not_jsonl"]


def test_array_items_get_their_own_line_numbers(tmp_path):
    text = json.dumps(ROWS, indent=2)
    starts = [line for line, _ in iter_documents(open_index(write_file(tmp_path, text)))]
    lines = text.splitlines()
    assert len(starts) == 12 and len(set(starts)) == 12           # were all 1
    assert all(lines[s - 1].strip() == "{" for s in starts)


def test_array_on_a_single_line_is_an_array(tmp_path):
    p = write_file(tmp_path, json.dumps(ROWS))                          # no newline at all: one line
    facts = inspect_file(open_index(p))
    assert facts.layout == ARRAY and facts.documents == 12
    r = subprocess.run([sys.executable, "-m", "tunescope", "fix", str(p), "--dedupe", "-o", str(tmp_path / "o")],
                       capture_output=True, text=True, timeout=60, env=dict(os.environ))
    assert r.returncode == 2 and "a JSON array (12 objects)" in r.stderr and "--to-jsonl" in r.stderr
