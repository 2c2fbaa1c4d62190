"""The fixes menu opens on the fix that removes the most findings (errors first), not on its first entry."""

from __future__ import annotations

import shutil

from tests.unit.review.helpers import chat, review_of, write_rows
from tunescope.review.fix_choice import suggested_fix
from tunescope.review.live_check import check_rows

KEY = "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z" * 2


def test_a_llamafactory_file_suggests_fixing_its_near_miss_format(tmp_path, datasets_dir):
    path = tmp_path / "lf.jsonl"
    shutil.copy(datasets_dir / "llamafactory_nearmiss_sft.jsonl", path)
    review = review_of(path)
    assert review.state.report.counts_by_check["near_miss_format"] == 500
    assert review.suggested_fix() == "rename_near_miss"
    review.apply_fix("rename_near_miss")
    live = check_rows(review.live_request(), review.options, True)
    assert review.live_checked(live, review.runs.start("live").generation)
    # the menu reads the report shown: of the edited rows now, where no near-miss is left
    assert "near_miss_format" not in live.report.counts_by_check
    assert review.suggested_fix() not in (None, "rename_near_miss")


def test_errors_outrank_warnings_and_nothing_to_fix_suggests_nothing(tmp_path):
    # three exact copies (3 warnings) against one key in a reply (1 error): the secret goes first
    rows = [chat("same"), chat("same"), chat("same"), chat("same"), chat("key?", f"use {KEY}")]
    review = review_of(write_rows(tmp_path / "d.jsonl", rows))
    counts = review.state.report.counts_by_check
    assert counts["duplicate_example"] == 3 and counts["secret_in_text"] == 1
    assert review.suggested_fix() == "redact_sensitive"
    clean = review_of(write_rows(tmp_path / "c.jsonl", [chat(f"question {i}", f"answer {i}") for i in range(12)]))
    assert suggested_fix(clean.state.report) is None and suggested_fix(None) is None


def test_findings_counted_but_not_kept_still_count(tmp_path):
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat("a"), chat("b")]))
    report = review.state.report
    from tunescope.checks.findings import Severity
    report.omitted[("over_token_limit", Severity.WARNING)] += 40
    assert suggested_fix(report) == "drop_over_limit"      # before truncate: the menu's order breaks the tie


def test_warnings_outrank_infos_and_exclusive_fixes_are_offered_once():
    from types import SimpleNamespace

    from tunescope.checks.findings import Finding, Severity
    from tunescope.editing.fixes.registry import ranked_fixes

    findings = ([Finding("surrounding_whitespace", Severity.INFO, "m", line=i) for i in range(1, 21)]
                + [Finding("email_address", Severity.WARNING, "m", line=i) for i in (3, 4)]
                + [Finding("over_token_limit", Severity.WARNING, "m", line=5)])
    ranked = ranked_fixes(SimpleNamespace(findings=findings, omitted={}))
    # 2 e-mail warnings before 20 whitespace infos; truncate excludes drop-over-limit, so it is not offered
    assert [(f.name, errors, total) for f, errors, total in ranked] == [
        ("redact_sensitive", 0, 2), ("drop_over_limit", 0, 1), ("strip_whitespace", 0, 20)]
