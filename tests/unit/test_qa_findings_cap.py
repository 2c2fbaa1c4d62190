"""QA: a file with a finding on every line keeps a bounded number of Finding objects, with exact counts."""

import json

from tunescope.checks.run import runner as checker
from tunescope.checks.run.runner import check_path, options_for_model
from tunescope.checks.report_text import render_text


def test_findings_are_capped_per_check_but_counted_exactly(tmp_path, monkeypatch):
    monkeypatch.setattr(checker, "MAX_FINDINGS_PER_CHECK", 100)
    p = tmp_path / "extra.jsonl"
    row = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    p.write_text("".join(json.dumps({**row, "id": i}) + "\n" for i in range(250)) + "\n" * 50)
    report = check_path(p, options_for_model(), use_cache=False, workers=1)
    kept = [f for f in report.findings if f.check == "extra_top_level_key"]
    assert len(kept) == 100                                    # was 250: one Finding per line, unbounded
    assert report.counts_by_check["extra_top_level_key"] == 250
    assert report.counts_by_check["blank_line"] == 50
    assert report.summary["errors"] == 300
    data = report.to_json()
    assert data["findings_omitted"] == {"extra_top_level_key": 150}
    assert data["counts_by_check"]["extra_top_level_key"] == 250
    text = render_text(report, max_findings=5)
    assert "extra_top_level_key x250" in text and "... 245 more" in text
