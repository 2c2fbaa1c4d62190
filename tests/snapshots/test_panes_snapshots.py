"""Snapshots (80x24) of the findings pane, stats pane, help and the JSON editor.

Update after an intended UI change with `pytest tests/snapshots --snapshot-update`
and look at the report before committing.
"""

from __future__ import annotations

import json
from types import SimpleNamespace as NS

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, TextArea

from tunescope.checks.file.rules import FileFacts
from tunescope.checks.findings import Finding, Severity
from tunescope.checks.report import CheckReport, histogram
from tunescope.checks.report_sections import DuplicateSummary, PerExample, TokenSummary
from tunescope.tui.dialogs.editor import JsonEditorScreen
from tunescope.tui.dialogs.help import HelpScreen
from tunescope.tui.widgets.dataset.findings_pane import FindingsPane
from tunescope.tokens.cost import CostEstimate
from tunescope.tui.widgets.dataset.stats_pane import StatsPane

SIZE = (80, 24)


def findings_report():
    findings = [
        Finding("invalid_json", Severity.ERROR, "Expecting ',' delimiter: line 1 column 58", "Fix the JSON syntax.",
                line=4, example=3),
        Finding("invalid_json", Severity.ERROR, "Unterminated string: line 1 column 120", "Fix the JSON syntax.",
                line=9, example=8),
        Finding("tokens_over_limit", Severity.WARNING, "20,411 tokens; the limit is 16,385",
                "Shorten the conversation or drop the example.", line=17, example=16, message_index=3),
        Finding("empty_content", Severity.WARNING, "Assistant message has empty content", "Write the reply.",
                line=21, example=20, message_index=2),
        Finding("surrounding_whitespace", Severity.INFO, "Reply ends with a space", "", line=2, example=1,
                message_index=1),
    ]
    return NS(findings=findings, counts_by_check={})


def stats_report():
    values = sorted([120 + 37 * i for i in range(60)] + [2400, 2600, 5100, 9000])
    limit = 4096
    n = len(values)
    return CheckReport(
        file="train.jsonl", model="gpt-4o-mini-2024-07-18",
        tokens=TokenSummary(total=sum(values), trained=sum(values) // 3, estimated=False,
                            per_example=PerExample(count=n, min=values[0], p5=values[3], p50=values[n // 2],
                                                   p95=values[-4], max=values[-1], mean=sum(values) / n,
                                                   over_limit=sum(v > limit for v in values), limit=limit),
                            histogram=histogram(values, limit, bins=10)),
        cost=CostEstimate(epochs=3, epochs_auto=True, billed_tokens=3 * sum(min(v, limit) for v in values),
                          usd=0.7812, price_per_1m=3.0, price_source="openai.com/api/pricing", price_date="2025-06"),
        facts=FileFacts(path="train.jsonl", size=184_320, lines=n, final_newline=True),
        format="chat", encoding="o200k_base", exact_tokens=True, examples=n,
        duplicates=DuplicateSummary(rows=1, groups=[[3, 9]]),
    )


TITLES = {"invalid_json": "Invalid JSON", "tokens_over_limit": "Over the token limit",
          "empty_content": "Empty content", "surrounding_whitespace": "Leading/trailing whitespace"}


class FindingsApp(App):
    def compose(self) -> ComposeResult:
        yield FindingsPane(titles=TITLES)

    def on_mount(self) -> None:
        pane = self.query_one(FindingsPane)
        pane.set_report(findings_report())
        pane.focus()


class StatsApp(App):
    def compose(self) -> ComposeResult:
        yield StatsPane()

    def on_mount(self) -> None:
        pane = self.query_one(StatsPane)
        pane.set_models(["gpt-4o-mini-2024-07-18", "gpt-4.1-2025-04-14"], "gpt-4o-mini-2024-07-18")
        pane.set_report(stats_report(), NS(name="gpt-4o-mini-2024-07-18", token_limit=4096))


class HelpApp(App):
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+s", "save", "Save", id="app.save"),
        Binding("u", "undo", "Undo", id="app.undo"),
    ]

    def compose(self) -> ComposeResult:
        yield FindingsPane(titles=TITLES)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(FindingsPane).focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())


def validate(text: str) -> str | None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return f"{exc.msg} (line {exc.lineno}, column {exc.colno})"
    return None


class EditorApp(App):
    def on_mount(self) -> None:
        text = json.dumps({"messages": [{"role": "user", "content": "Capital of France?"},
                                        {"role": "assistant", "content": "Paris", "weight": 1}]}, indent=2)
        self.push_screen(JsonEditorScreen(text, "Edit line 12", validate))


async def no_blink(pilot) -> None:
    for area in pilot.app.screen.query(TextArea):
        area.cursor_blink = False
    await pilot.pause()


def test_findings_pane_snapshot(snap_compare):
    assert snap_compare(FindingsApp(), press=["enter", "j"], terminal_size=SIZE)


def test_findings_pane_light_snapshot(snap_compare):
    async def light(pilot) -> None:
        pilot.app.theme = "textual-light"
        await pilot.pause()

    assert snap_compare(FindingsApp(), press=["j", "j", "space"], terminal_size=SIZE, run_before=light)


def test_stats_pane_snapshot(snap_compare):
    assert snap_compare(StatsApp(), terminal_size=SIZE)


def test_help_snapshot(snap_compare):
    assert snap_compare(HelpApp(), press=["question_mark"], terminal_size=SIZE)


def test_editor_with_error_snapshot(snap_compare):
    # break the JSON (drop the comma after "role": "user"), then try to apply: refused, buffer kept
    keys = ["down", "down", "down", "end", "backspace", "ctrl+s"]
    assert snap_compare(EditorApp(), press=keys, terminal_size=SIZE, run_before=no_blink)
