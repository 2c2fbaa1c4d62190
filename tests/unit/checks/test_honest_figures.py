"""Figures that must not reassure or mislead (issue 9): estimated counts, image guesses, cost.

An estimate is an upper bound and says so; image-token guesses make a count inexact; cost is
"n/a" with the reason where a per-token figure would mislead, and the DPO assumption is stated.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.unit.checks.test_dataset_rules import PREF, distinct, rft_row
from tunescope.checks.example.analyze import OVER_TOKEN_LIMIT
from tunescope.checks.report_text import render_text
from tunescope.checks.run.runner import check_path, options_for_model
from tunescope.tokens import encodings
from tunescope.tokens.cost import DPO_BILLING


def _check(tmp_path, rows, model=None, allow_estimate=False, method=None):
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    options = options_for_model(model)
    if method:
        options = replace(options, method=method)
    return check_path(path, options, use_cache=False, allow_estimate=allow_estimate, workers=1)


@pytest.fixture
def no_encodings(tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "empty-cache"))
    encodings.clear_loaded()
    yield
    encodings.clear_loaded()


def test_estimated_counts_are_upper_bounds_and_say_so(tmp_path, no_encodings):
    digits = "".join(str(i % 10) for i in range(3000))      # 1,000 real tokens; the old estimate said 750
    rows = distinct(11) + [{"messages": [{"role": "user", "content": digits},
                                         {"role": "assistant", "content": "ok"}]}]
    report = _check(tmp_path, rows, allow_estimate=True)
    assert report.exact_tokens is False and report.tokens.estimated
    out = report.to_json()
    assert out["tokens"]["upper_bound"] is True and out["cost"]["upper_bound"] is True
    assert report.tokens.per_example.max >= 1000 + 3
    text = render_text(report)
    assert "upper bounds" in text and "est. at most $" in text and "fits" not in text


def test_over_limit_by_estimate_says_it_may_be(tmp_path, no_encodings):
    options = options_for_model()
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"messages": [{"role": "user", "content": "word " * 300},
                                             {"role": "assistant", "content": "ok"}]}) + "\n")
    report = check_path(path, replace(options, token_limit=100), use_cache=False, allow_estimate=True, workers=1)
    found = [f for f in report.findings if f.check == OVER_TOKEN_LIMIT.id]
    assert found and "may be over" in found[0].message and "upper-bound estimate" in found[0].message


def _image_rows(image_url: dict) -> list:
    image = {"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                         {"type": "image_url", "image_url": image_url}]}
    return distinct(11) + [{"messages": [image, {"role": "assistant", "content": "A cat."}]}]


def test_assumed_image_sizes_are_not_exact(tmp_path):
    report = _check(tmp_path, _image_rows({"url": "https://x.org/cat.png"}))   # size unknown: 1024x1024 assumed
    assert report.exact_tokens is False
    assert report.to_json()["exact_tokens"] is False and report.tokens.assumed_image_tokens == 765
    assert "guesses for images of unknown size" in render_text(report)
    assert _check(tmp_path, distinct(12)).exact_tokens is True
    low = _check(tmp_path, _image_rows({"url": "https://x.org/cat.png", "detail": "low"}))   # 85, no size needed
    assert low.exact_tokens is True and low.tokens.assumed_image_tokens == 0


def test_rft_data_is_not_priced_per_token_on_a_model_that_cannot_train_it(tmp_path):
    report = _check(tmp_path, [rft_row(i, reference_answer=f"c{i}") for i in range(12)],
                    model="gpt-4.1-mini-2025-04-14")
    cost = report.to_json()["cost"]
    assert cost["usd"] is None and cost["billed_tokens"] is None and "cannot train reinforcement" in cost["note"]
    assert "est. $" not in render_text(report) and "cost n/a" in render_text(report)


def test_rft_on_o4_mini_gets_the_hourly_price_without_the_epoch_heuristic(tmp_path):
    report = _check(tmp_path, [rft_row(i, reference_answer=f"c{i}") for i in range(12)], model="o4-mini-2025-04-16")
    cost = report.to_json()["cost"]
    assert cost["epochs"] is None and cost["billed_tokens"] is None and cost["price_per_hour"] == 100.0
    text = render_text(report)
    assert "epochs" not in text and "billed per hour" in text


def test_dpo_on_o4_mini_is_not_priced(tmp_path):
    report = _check(tmp_path, [PREF(i) for i in range(12)], model="o4-mini-2025-04-16")
    assert report.cost.epochs is None and "cannot train dpo" in report.cost.note


def test_a_file_with_no_trainable_rows_is_na_not_zero_dollars(tmp_path):
    rows = [{"messages": [{"role": "user", "content": f"q{i}"},
                          {"role": "assistant", "content": f"a{i}", "weight": 0}]} for i in range(12)]
    report = _check(tmp_path, rows)
    assert report.cost.usd is None and "no trainable" in report.cost.note
    text = render_text(report)
    assert "$0.00" not in text and "cost n/a: no trainable examples" in text


def test_dpo_figures_state_the_billing_assumption(tmp_path):
    report = _check(tmp_path, [PREF(i) for i in range(12)], model="gpt-4.1-mini-2025-04-14")
    assert report.cost.usd is not None and report.to_json()["cost"]["note"] == DPO_BILLING
    assert "DPO billing is not documented" in render_text(report)
    assert _check(tmp_path, distinct(12)).cost.note == ""


def test_jobs_create_summary_gives_the_note_not_a_heuristic(tmp_path):
    from types import SimpleNamespace as NS

    from tunescope.commands.jobs.create import _summary
    profile = NS(describe=lambda: "local")
    rft_report = _check(tmp_path, [rft_row(i, reference_answer=f"c{i}") for i in range(12)], model="o4-mini-2025-04-16")
    args = NS(reports={"training": rft_report}, epochs=None, model="o4-mini", method="reinforcement", file="d.jsonl",
              validation=None)
    text = _summary(args, profile)
    assert "Cost:     n/a: reinforcement fine-tuning is billed per hour" in text and "epochs" not in text
    args.reports = {"training": _check(tmp_path, [PREF(i) for i in range(12)])}
    args.method = "dpo"
    text = _summary(args, profile)
    assert "Cost:     about $" in text and "DPO billing is not documented" in text
