"""`tunescope check`'s bulk-fix block: the flags, the counts and one command line that applies them."""

from __future__ import annotations

import shlex
from types import SimpleNamespace

from tunescope.checks.findings import Finding, Severity
from tunescope.commands.check_fixes import fixes_text


def report(file: str, *findings: Finding, model: str = "gpt-4.1-mini-2025-04-14"):
    return SimpleNamespace(file=file, model=model, findings=list(findings), omitted={})


def command_of(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("tunescope fix"))
    return shlex.split(" ".join(line.rstrip("\\").strip() for line in lines[start:]))


def test_a_json_array_is_fixed_into_a_jsonl_file_and_nothing_to_fix_prints_nothing():
    text = fixes_text(report("/data/train set.json", Finding("not_jsonl", Severity.ERROR, "an array")))
    assert "  --to-jsonl  Convert to JSONL (1 finding, 1 error)" in text
    assert command_of(text) == ["tunescope", "fix", "/data/train set.json", "--to-jsonl",
                                "-o", "/data/train set.fixed.jsonl"]
    assert fixes_text(report("/data/t.jsonl", Finding("few_examples", Severity.WARNING, "few"))) == ""


def test_the_command_fits_80_columns_and_names_the_model_when_a_fix_needs_it():
    findings = [Finding("over_token_limit", Severity.WARNING, "long", line=3),
                Finding("duplicate_example", Severity.WARNING, "copy", line=4),
                Finding("surrounding_whitespace", Severity.INFO, "pad", line=5),
                Finding("invalid_json", Severity.ERROR, "bad", line=6)]
    text = fixes_text(report("/data/train.jsonl", *findings, model="ft:gpt-4.1-mini:acme::x1"))
    assert all(len(line) <= 80 for line in text.splitlines()), text
    words = command_of(text)
    assert words[3:5] == ["--drop-invalid", "--dedupe"]                     # errors first, then warnings
    assert words[words.index("--model") + 1] == "ft:gpt-4.1-mini:acme::x1" and words[-2:] == [
        "-o", "/data/train.fixed.jsonl"]
