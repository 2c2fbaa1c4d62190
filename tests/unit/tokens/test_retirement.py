"""OpenAI's fine-tuning wind-down in the model table, the checks and `check`'s text report (issue 9)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import write_jsonl
from tests.unit.checks.test_dataset_rules import distinct
from tunescope.checks.report_text import render_text
from tunescope.checks.run.runner import check_path, options_for_model
from tunescope.tokens.models import ModelTableError, load_models
from tunescope.tokens.retirement import deadline_line, job_cutoff, retirement, today

SHUT_2027_01_14 = ["gpt-4o-2024-08-06", "gpt-4o-2024-11-20", "gpt-4o-mini-2024-07-18", "gpt-4.1-2025-04-14",
                   "gpt-4.1-mini-2025-04-14"]


def test_the_table_records_the_shutdown_dates_with_their_sources():
    table = load_models()
    for name in SHUT_2027_01_14:
        info = table.get(name)
        assert info.retires == "2027-01-14" and info.retires_source and info.replacement, name
    for name in ("gpt-4.1-nano", "o4-mini"):
        info = table.get(name)
        assert info.retires == "2026-10-23" and info.retires_source and info.replacement, name
    assert table.get("gpt-4o-2024-11-20").vision and not table.get("gpt-4o-mini").vision
    wind = table.wind_down
    assert wind.openai_last_job_day == "2027-01-06" and wind.openai_last_job_source
    assert wind.azure_training_until.startswith("2027-04") and wind.azure_source


def test_today_is_injectable_and_a_bad_value_falls_back_to_the_clock(monkeypatch):
    monkeypatch.setenv("TUNESCOPE_TODAY", "2026-12-06")
    assert today() == date(2026, 12, 6)
    monkeypatch.setenv("TUNESCOPE_TODAY", "soon")
    assert today() == date.today()


def test_retirement_and_cutoff_seen_from_a_day():
    table = load_models()
    on = date(2026, 12, 6)
    mini = retirement(table.get("gpt-4.1-mini"), on)
    assert mini.soon and not mini.retired and mini.when() == "on 2027-01-14 (in 39 days)"
    nano = retirement(table.get("gpt-4.1-nano"), on)
    assert nano.retired and nano.when() == "on 2026-10-23 (44 days ago)"
    assert retirement(table.get("gpt-3.5-turbo-0125"), on) is None
    cutoff = job_cutoff(table.wind_down, on)
    assert not cutoff.closed and cutoff.days_left == 32 and "until 2027-01-06" in cutoff.sentence()
    assert job_cutoff(table.wind_down, date(2027, 1, 6)).days_left == 1
    late = job_cutoff(table.wind_down, date(2027, 1, 7))
    assert late.closed and "since 2027-01-06" in late.sentence() and "Azure" in late.sentence()
    assert deadline_line(table.get("gpt-4.1-mini"), table.wind_down, date(2026, 1, 1)) is None


def test_a_bad_date_in_a_user_table_names_the_field(tmp_path):
    user = tmp_path / "models.toml"
    user.write_text('[models."gpt-4o-mini-2024-07-18"]\nretires = "next year"\n')
    with pytest.raises(ModelTableError, match=r"models\.gpt-4o-mini-2024-07-18\.retires must be a date"):
        load_models(user)


def _check(tmp_path, model, rows=None):
    tmp_path.mkdir(exist_ok=True)
    return check_path(write_jsonl(tmp_path, rows or distinct(12)), options_for_model(model), use_cache=False)


def test_a_retired_model_is_an_error_saying_since_when_and_what_instead(tmp_path, monkeypatch):
    monkeypatch.setenv("TUNESCOPE_TODAY", "2026-12-06")
    report = _check(tmp_path, "o4-mini")
    (f,) = [f for f in report.findings if f.check == "model_retired"]
    assert f.severity.value == "error" and "shut down on 2026-10-23 (44 days ago)" in f.message
    assert "Azure OpenAI's o4-mini" in f.hint and "Use instead" in f.hint


def test_a_model_close_to_retirement_warns_with_the_date(tmp_path, monkeypatch):
    monkeypatch.setenv("TUNESCOPE_TODAY", "2026-12-06")
    report = _check(tmp_path, "gpt-4o-mini")
    (f,) = [f for f in report.findings if f.check == "model_retiring"]
    assert f.severity.value == "warning" and "2027-01-14 (in 39 days)" in f.message
    assert "until 2027-01-06" in f.message
    text = render_text(report)
    assert "deadline: gpt-4o-mini-2024-07-18 shuts down 2027-01-14 (39 days)" in text
    monkeypatch.setenv("TUNESCOPE_TODAY", "2026-06-01")
    calm = _check(tmp_path / "calm", "gpt-4o-mini")
    assert not [f for f in calm.findings if f.check.startswith("model_reti")] and "deadline" not in render_text(calm)


def test_images_for_a_model_without_vision_are_flagged_at_the_first_image_line(tmp_path):
    image = {"messages": [{"role": "user", "content": [{"type": "image_url",
                                                        "image_url": {"url": "https://x.org/c.png"}}]},
                          {"role": "assistant", "content": "a cat"}]}
    rows = distinct(5) + [image] + distinct(6)
    (f,) = [f for f in _check(tmp_path, "gpt-4.1-mini", rows).findings if f.check == "model_no_vision"]
    assert f.line == 6 and "but gpt-4.1-mini-2025-04-14 cannot be fine-tuned on images" in f.message
    assert "--model gpt-4.1-2025-04-14" in f.hint
    tmp = tmp_path / "vision"
    assert not [f for f in _check(tmp, "gpt-4.1", rows).findings if f.check == "model_no_vision"]
