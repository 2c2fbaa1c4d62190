"""File-level findings are registered like every other check (the TUI's filter menu and titles read it)."""

from __future__ import annotations

import json

import pytest

from tunescope.checks import CHECKS
from tunescope.checks.file.rules import inspect_file
from tunescope.dataset.index import open_index

# Folded from test_qa_catalogue.py: QA: file-level findings are registered like every other check (the TUI's filter menu and titles read it).


ROW = json.dumps({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]})


@pytest.mark.regression("qa_catalogue")
def test_every_file_level_finding_is_catalogued_with_its_severity(tmp_path):
    inputs = {
        "empty.jsonl": b"",
        "bom.jsonl": b"\xef\xbb\xbf" + (ROW + "\r\n").encode() * 3 + ROW.encode(),
        "mixed.jsonl": (ROW + "\r\n" + ROW + "\n" + ROW + "\n").encode(),
        "d.json": (ROW + "\n").encode() * 2,
        "bin.jsonl": bytes(range(256)) * 64,
        "pretty.jsonl": json.dumps([json.loads(ROW)] * 3, indent=2).encode(),
    }
    seen = set()
    for name, data in inputs.items():
        p = tmp_path / name
        p.write_bytes(data)
        for f in inspect_file(open_index(p)).findings:
            seen.add(f.check)
            assert f.check in CHECKS, f"{f.check} is not a registered check"
            assert f.severity is CHECKS[f.check].severity, f.check
    assert {"file_empty", "utf8_bom", "crlf_line_endings", "mixed_line_endings", "no_final_newline",
            "file_extension", "binary_file", "not_jsonl"} <= seen


@pytest.mark.regression("qa_catalogue")
def test_a_small_binary_file_with_few_nul_bytes_is_binary(tmp_path):
    import random
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(3000))   # ~12 NULs: under the NUL threshold
    assert 0 < data.count(0) <= 16
    p = tmp_path / "random.jsonl"
    p.write_bytes(data)
    facts = inspect_file(open_index(p))
    assert facts.layout == "binary" and [f.check for f in facts.findings] == ["binary_file"]


@pytest.mark.regression("qa_catalogue")
def test_text_with_a_stray_nul_is_not_binary(tmp_path):
    p = tmp_path / "nul.jsonl"
    p.write_bytes((ROW + "\n").encode() * 20 + b'{"a": "x\x00y"}\n')
    assert inspect_file(open_index(p)).layout == "jsonl"
