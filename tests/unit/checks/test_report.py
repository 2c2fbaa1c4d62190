"""CheckReport's typed sections: what they hold, and the JSON their to_dict() gives (unchanged keys and order)."""

from __future__ import annotations

import json
from dataclasses import replace

from tunescope.checks.file.rules import FileFacts
from tunescope.checks.report import CheckReport
from tunescope.checks.report_sections import DuplicateSummary, PerExample, TokenSummary
from tunescope.checks.run.runner import check_path, options_for_model
from tunescope.tokens.cost import CostEstimate, CostUnavailable

ROW = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello there."}]}


def checked(tmp_path, rows, model=None) -> CheckReport:
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return check_path(path, options_for_model(model), use_cache=False)


def test_sections_are_typed_and_their_json_keeps_its_keys(tmp_path):
    report = checked(tmp_path, [ROW, ROW, ROW])
    assert isinstance(report.tokens, TokenSummary) and isinstance(report.tokens.per_example, PerExample)
    assert isinstance(report.cost, CostEstimate) and isinstance(report.duplicates, DuplicateSummary)
    assert report.duplicates == DuplicateSummary(rows=2, groups=[[1, 2, 3]])
    out = report.to_json()
    assert list(out["tokens"]) == ["total", "trained", "billable_per_epoch", "estimated", "assumed_image_tokens",
                                   "per_example",
                                   "histogram", "upper_bound"]
    assert list(out["tokens"]["per_example"]) == ["count", "min", "p5", "p50", "p95", "max", "mean", "over_limit",
                                                  "limit"]
    assert out["tokens"]["per_example"]["count"] == 3 == report.tokens.per_example.count
    assert list(out["cost"]) == ["epochs", "epochs_auto", "billed_tokens", "usd", "price_per_1m", "price_per_hour",
                                 "price_source", "price_date", "note", "upper_bound"]
    assert out["duplicates"] == {"rows": 2, "groups": [[1, 2, 3]]} == out["stats"]["duplicates"]
    billed = report.tokens.billable_per_epoch * report.cost.epochs
    assert out["cost"]["billed_tokens"] == report.cost.billed_tokens == billed


def test_cost_rounds_usd_as_reports_show_it():
    est = CostEstimate(epochs=3, billed_tokens=1, usd=0.123456, price_per_1m=1.0, price_source="", price_date="")
    assert est.usd_reported == 0.1235 == est.to_dict()["usd"]
    assert CostUnavailable("unknown model 'x'").to_dict() == {"error": "unknown model 'x'"}


def test_a_report_without_sections_writes_empty_objects():
    report = CheckReport(file="d.jsonl", model="m", encoding="o200k_base",
                         facts=FileFacts(path="d.jsonl", size=0, lines=0), cancelled=True)
    out = report.to_json()
    assert out["tokens"] == out["cost"] == out["duplicates"] == out["stats"] == {}
    report.validation = CheckReport(file="v.jsonl", model="m", encoding="o200k_base",
                                    facts=FileFacts(path="v.jsonl", size=0, lines=0))
    assert report.to_json()["validation"]["tokens"] == {}


def test_an_unknown_model_gives_a_cost_error_not_an_estimate(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(ROW) + "\n")
    options = replace(options_for_model(), model="no-such-model")
    report = check_path(path, options, use_cache=False)
    assert isinstance(report.cost, CostUnavailable) and "no-such-model" in report.cost.error
    assert report.to_json()["cost"] == {"error": report.cost.error}
