"""StatsPane: the histogram's limit marker, the cost line, file facts and model selection."""

from __future__ import annotations

import re
from dataclasses import replace
from types import SimpleNamespace as NS

import pytest
from textual import on
from textual.app import App, ComposeResult
from textual.widgets import Select, Static

from tests.functional.app_helpers import app_for, ready, sample_copy, settle
from tunescope.checks.file.rules import FileFacts
from tunescope.checks.report import CheckReport, histogram
from tunescope.checks.report_sections import DuplicateSummary, PerExample, TokenSummary
from tunescope.tokens.cost import CostEstimate
from tunescope.tui.widgets.dataset.stats_pane import StatsPane, TokenHistogram

MODELS = ["gpt-4o-mini-2024-07-18", "gpt-4.1-2025-04-14", "gpt-4.1-mini-2025-04-14"]


def synthetic_report(values: list[int], limit: int, usd: float | None = 4.2):
    values = sorted(values)
    n = len(values)
    return CheckReport(
        file="t.jsonl", model=MODELS[0],
        tokens=TokenSummary(total=sum(values), trained=sum(values) // 2, estimated=False,
                            per_example=PerExample(count=n, min=values[0], p5=values[0], p50=values[n // 2],
                                                   p95=values[-1], max=values[-1], mean=sum(values) / n,
                                                   over_limit=sum(v > limit for v in values), limit=limit),
                            histogram=histogram(values, limit)),
        cost=CostEstimate(epochs=3, epochs_auto=True, billed_tokens=3 * sum(min(v, limit) for v in values),
                          usd=usd, price_per_1m=3.0, price_source="openai.com/api/pricing", price_date="2025-06"),
        facts=FileFacts(path="t.jsonl", size=2_500_000, lines=n, bom=True, crlf_lines=n, final_newline=False),
        format="chat", encoding="o200k_base", exact_tokens=True, examples=n,
        duplicates=DuplicateSummary(rows=2, groups=[[1, 4, 9]]),
    )


class StatsHarness(App):
    def __init__(self) -> None:
        super().__init__()
        self.changed: list[str] = []

    def compose(self) -> ComposeResult:
        yield StatsPane()

    @on(StatsPane.ModelChanged)
    def _changed(self, event: StatsPane.ModelChanged) -> None:
        self.changed.append(event.name)


def text_of(app: App, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def test_limit_marker_sits_between_bins_and_cost_comes_from_report():
    values = [100] * 50 + [900] * 30 + [2500] * 3
    app = StatsHarness()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(StatsPane)
        pane.set_report(synthetic_report(values, limit=2000, usd=12.3456), NS(name=MODELS[0], token_limit=2000))
        await pilot.pause()
        lines = app.query_one(TokenHistogram).render().plain.splitlines()
        marker = next(i for i, line in enumerate(lines) if "limit 2,000" in line)
        above = [line for line in lines[1:marker]]
        below = [line for line in lines[marker + 1:]]
        assert above and below
        assert above[0].rstrip().endswith("50") and below[-1].rstrip().endswith("3")
        assert all(len(line) <= 78 for line in lines)  # fits 80 columns with the scrollbar
        assert "$12.35" in text_of(app, "#stats-cost")
        assert "3 epochs" in text_of(app, "#stats-cost")
        assert "3 examples over the 2,000-token limit" in text_of(app, "#stats-token-summary")
        facts = text_of(app, "#stats-file")
        assert "CRLF" in facts and "BOM yes" in facts and "final newline no" in facts and "2.4 MB" in facts
        assert "2 duplicate rows in 1 group" in text_of(app, "#stats-dataset")


async def test_missing_data_shows_dashes_and_no_price_is_said():
    app = StatsHarness()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(StatsPane)
        empty = CheckReport(file="t.jsonl", model="", encoding="", facts=FileFacts(path="t.jsonl", size=0, lines=0))
        pane.set_report(empty, None)
        await pilot.pause()
        assert "—" in app.query_one(TokenHistogram).render().plain
        assert text_of(app, "#stats-cost") == "—"
        pane.set_report(synthetic_report([10, 20, 30], limit=100, usd=None), NS(name="ft:custom", token_limit=100))
        await pilot.pause()
        assert "no published per-token price for ft:custom" in text_of(app, "#stats-cost")
        assert "every example fits" in text_of(app, "#stats-token-summary")


async def test_estimated_counts_are_marked():
    report = synthetic_report([10, 20], limit=100)
    report.tokens = replace(report.tokens, estimated=True)
    report.exact_tokens = False
    app = StatsHarness()
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one(StatsPane).set_report(report, None)
        await pilot.pause()
        assert "estimated" in text_of(app, "#stats-tokens-heading")
        assert "token counts are estimates" in text_of(app, "#stats-file")
        # issue 9: an estimate never reassures ("every example fits" was said of a 68,091-token example)
        summary = text_of(app, "#stats-token-summary")
        assert "fits" not in summary and "no guarantee" in summary


async def test_cost_notes_replace_figures_that_would_mislead():
    report = synthetic_report([10, 20], limit=100)
    report.cost = CostEstimate(epochs=None, billed_tokens=None, usd=None, price_per_1m=None, price_source="",
                               price_date="", note="no trainable examples: nothing to bill")
    app = StatsHarness()
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one(StatsPane).set_report(report, None)
        await pilot.pause()
        cost = text_of(app, "#stats-cost")
        assert cost == "n/a: no trainable examples: nothing to bill" and "$0.00" not in cost and "epochs" not in cost
        report.cost = replace(synthetic_report([10, 20], limit=100).cost, note="DPO billing is assumed", upper_bound=True)
        app.query_one(StatsPane).set_report(report, None)
        await pilot.pause()
        cost = text_of(app, "#stats-cost")
        assert "DPO billing is assumed" in cost and "at most $4.20" in cost


async def test_choosing_a_model_posts_model_changed_but_set_models_does_not():
    app = StatsHarness()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(StatsPane)
        pane.set_models(MODELS, MODELS[0])
        await pilot.pause()
        assert app.changed == []
        assert app.query_one(Select).value == MODELS[0]
        pane.focus()
        await pilot.press("m")  # opens the selector
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.changed == [MODELS[1]]
        assert pane.current_model == MODELS[1]
        pane.set_models(MODELS, MODELS[2])  # the app confirms another model: still silent
        await pilot.pause()
        assert app.changed == [MODELS[1]]


async def test_real_report_from_a_shared_dataset(datasets_dir):
    from tunescope.checks.run.runner import check_path, options_for_model

    options = options_for_model("gpt-4o-mini-2024-07-18")
    report = check_path(datasets_dir / "cookbook_toy_chat.jsonl", options, use_cache=False)
    app = StatsHarness()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(StatsPane)
        pane.set_report(report, NS(name=options.model, token_limit=options.token_limit))
        await pilot.pause()
        lines = app.query_one(TokenHistogram).render().plain
        assert f"limit {options.token_limit:,}" in lines
        counted = sum(int(b[2]) for b in report.tokens.histogram)
        assert counted == report.examples
        assert f"{report.cost.billed_tokens:,} billed tokens" in text_of(app, "#stats-cost")
        assert "LF" in text_of(app, "#stats-file")


async def test_text_encoding_follows_the_utf8_findings():
    from tunescope.checks.findings import Finding, Severity

    report = synthetic_report([10, 20], limit=100)
    app = StatsHarness()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(StatsPane)
        pane.set_report(report, None)
        await pilot.pause()
        assert "encoding UTF-8" in text_of(app, "#stats-file")
        assert "tokenizer o200k_base" in text_of(app, "#stats-file")
        report.findings = [Finding("invalid_utf8", Severity.ERROR, "byte 0xff at column 3", line=2)]
        pane.set_report(report, None)
        await pilot.pause()
        assert "not valid UTF-8" in text_of(app, "#stats-file")


async def test_malformed_report_fields_show_dashes_not_tracebacks():
    garbage = CheckReport(
        file="t.jsonl", model="", encoding="", facts=[1, 2], duplicates="some", examples=object(), format=None,
        findings=None, stats=7,
        tokens=TokenSummary(per_example=PerExample(limit=[1], over_limit="many"), histogram=3.5, total="x"),
        cost=CostEstimate(epochs=[], usd="cheap", billed_tokens={}, price_per_1m=None, price_source="", price_date=""))
    app = StatsHarness()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(StatsPane)
        pane.set_report(garbage, NS(name=None, token_limit="n/a"))
        await pilot.pause()
        assert "—" in app.query_one(TokenHistogram).render().plain
        pane.set_report(synthetic_report([10, 20, 30], limit=25), None)  # and it recovers
        await pilot.pause()
        assert "1 example over the 25-token limit" in text_of(app, "#stats-token-summary")
    assert app.return_code in (None, 0)


# Folded from test_qa_stats.py: QA: the limit line of the token histogram.


@pytest.mark.slow
@pytest.mark.regression("qa_stats")
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_limit_line_has_space_around_its_words(tmp_path, size):
    """It read '┄┄ limit 65,536 ▼ over┄┄': the dashes ran into the last word."""
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        screen.show_pane("stats")
        await settle(pilot)
        marker = next(line for line in str(screen.query_one(TokenHistogram).render()).splitlines()
                      if "limit" in line)
        assert re.fullmatch(r"┄+ limit [\d,]+ (▼ over|\(every example is below\)) ┄+", marker), marker
