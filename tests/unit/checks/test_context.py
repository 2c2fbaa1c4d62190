"""Quoted texts in messages are marked as cut when they are cut."""

from __future__ import annotations

import pytest

from tunescope.checks.context import one_line

# Folded from test_qa_wording.py: QA: quoted texts in messages are marked as cut when they are cut.


@pytest.mark.regression("qa_wording")
def test_one_line_marks_a_cut_even_when_newlines_were_collapsed():
    text = "You are an expert.\n\n    Always answer\n\n\n    the query. " + "More rules. " * 40
    shown = one_line(text, 40)
    assert shown.endswith("…") and len(shown) <= 41 and "\n" not in shown   # ended mid-sentence, unmarked
    assert one_line("short\ntext", 40) == "short text"
    assert one_line("x" * 40, 40) == "x" * 40
    assert one_line("x" * 41, 40) == "x" * 39 + "…"


@pytest.mark.regression("qa_wording")
def test_system_prompt_quote_in_real_dataset_is_marked_as_cut(datasets_dir):
    from tunescope.checks.run.runner import check_path, options_for_model
    report = check_path(datasets_dir / "llamaindex_finetuning_events.jsonl", options_for_model(), use_cache=False)
    missing = [f.message for f in report.findings if f.check == "system_prompt_missing"]
    assert missing and all(m.endswith('…".') for m in missing), missing[0]


def _invalid_json_hint(line: bytes) -> str:
    from tunescope.checks.example.analyze import analyze_line
    from tunescope.checks.model import CheckOptions
    _, an = analyze_line(line, 1, 0, CheckOptions())
    (f,) = [f for f in an.findings if f.check == "invalid_json"]
    return f.hint


@pytest.mark.regression("qa_wording")
def test_lone_surrogate_and_deep_nesting_get_specific_hints():
    hint = _invalid_json_hint(b'{"messages": [{"role": "user", "content": "x\\ud800y"}]}')
    assert "pair" in hint                     # was "Fix the JSON syntax" (the syntax is fine)
    hint = _invalid_json_hint(b'{"a": ' + b"[" * 2000 + b"]" * 2000 + b"}")
    assert "1,024" in hint
