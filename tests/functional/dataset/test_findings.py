"""FindingsPane driven with keys: grouping, lazy paging, the messages it posts."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from textual import on
from textual.app import App, ComposeResult
from textual.widgets import Static

from tests.functional.app_helpers import app_for, ready, sample_copy, settle, wait_for
from tunescope.checks.findings import Finding, Severity
from tunescope.tui.widgets.dataset.findings_pane import FindingsPane


def _findings(n_errors: int, n_warnings: int) -> list[Finding]:
    out = []
    for i in range(n_warnings):
        out.append(Finding("tokens.over_limit", Severity.WARNING, f"{20000 + i} tokens, over the limit",
                           "Shorten the example", line=2 * i + 2, example=2 * i + 1, message_index=1))
    for i in range(n_errors):
        out.append(Finding("json.invalid", Severity.ERROR, "Expecting ',' delimiter: line 1 column 9",
                           "Fix the JSON syntax", line=2 * i + 1, example=2 * i))
    return out


def report(findings, counts=None):
    return SimpleNamespace(findings=findings, counts_by_check=counts or {})


class FindingsHarness(App):
    def __init__(self) -> None:
        super().__init__()
        self.posted: list = []

    def compose(self) -> ComposeResult:
        yield FindingsPane()

    @on(FindingsPane.GroupSelected)
    def _group(self, event: FindingsPane.GroupSelected) -> None:
        self.posted.append(("group", event.check_id))

    @on(FindingsPane.FindingSelected)
    def _finding(self, event: FindingsPane.FindingSelected) -> None:
        self.posted.append(("finding", event.line, event.message_index))


def summary_text(app: App) -> str:
    return str(app.query_one("#findings-summary", Static).render())


async def test_errors_first_and_enter_posts_group_then_finding():
    app = FindingsHarness()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(FindingsPane)
        pane.set_report(report(_findings(3, 5)))
        pane.focus()
        await pilot.pause()
        assert [g.check for g in pane.groups] == ["json.invalid", "tokens.over_limit"]
        assert "3 errors" in summary_text(app) and "5 warnings" in summary_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.posted == [("group", "json.invalid")]
        assert pane.option_list.option_count == 2 + 3  # group expanded in place
        await pilot.press("j", "j", "enter")
        await pilot.pause()
        assert app.posted[-1] == ("finding", 3, None)
        # the second group: move past the 3 findings, select its first finding
        await pilot.press("j", "j", "enter", "j", "enter")
        await pilot.pause()
        assert ("group", "tokens.over_limit") in app.posted
        assert app.posted[-1] == ("finding", 2, 1)
        await pilot.press("k")
        await pilot.pause()
        detail = str(app.query_one("#findings-detail", Static).render())
        assert "over_limit" in detail or "Shorten" in detail


async def test_groups_load_findings_a_page_at_a_time():
    app = FindingsHarness()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(FindingsPane)
        pane.page_size = 50
        pane.set_report(report(_findings(0, 120)))
        pane.focus()
        await pilot.press("space")
        await pilot.pause()
        assert pane.option_list.option_count == 1 + 50 + 1  # group, first page, "more"
        await pilot.press("end", "enter")
        await pilot.pause()
        assert pane.option_list.option_count == 1 + 100 + 1
        await pilot.press("end", "enter")
        await pilot.pause()
        assert pane.option_list.option_count == 1 + 120
        await pilot.press("home", "left")
        await pilot.pause()
        assert pane.option_list.option_count == 1
        assert app.posted == []  # paging and collapsing never filter


async def test_huge_report_is_grouped_off_the_ui_thread():
    app = FindingsHarness()
    findings = _findings(60_000, 45_000)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(FindingsPane)
        pane.set_report(report(findings))
        assert "Grouping 105,000 findings" in summary_text(app)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [(g.check, g.count) for g in pane.groups] == [("json.invalid", 60_000), ("tokens.over_limit", 45_000)]
        assert "60,000 errors" in summary_text(app)
        pane.focus()
        await pilot.press("space")
        await pilot.pause()
        assert pane.option_list.option_count == 2 + pane.page_size + 1


async def test_counts_by_check_and_empty_report():
    app = FindingsHarness()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(FindingsPane)
        pane.set_report(report(_findings(2, 0), counts={"json.invalid": 7}))
        await pilot.pause()
        assert pane.groups[0].count == 7
        assert "7" in str(pane.option_list.get_option_at_index(0).prompt)
        pane.set_report(SimpleNamespace(findings=[]))
        await pilot.pause()
        assert pane.option_list.option_count == 0
        assert "No findings" in summary_text(app)


async def test_real_report_from_a_shared_dataset(datasets_dir):
    from tunescope.checks.run.runner import check_path, options_for_model

    report = check_path(datasets_dir / "debian_admin_extra_keys.jsonl", options_for_model("gpt-4o-mini-2024-07-18"),
                        use_cache=False)
    app = FindingsHarness()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(FindingsPane)
        pane.set_report(report)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert {g.check: g.count for g in pane.groups} == report.counts_by_check
        first = pane.groups[0]
        assert first.severity is Severity.ERROR
        assert first.count == max(g.count for g in pane.groups if g.severity is Severity.ERROR)
        pane.focus()
        await pilot.press("enter", "j", "enter")
        await pilot.pause()
        located = sorted((f for f in report.findings if f.check == first.check and f.line is not None),
                         key=lambda f: f.line)
        assert app.posted[0] == ("group", first.check)
        assert app.posted[1] == ("finding", located[0].line, located[0].message_index)


# Folded from test_qa_findings.py: QA: choosing a findings group at 80 columns shows the lines it filters to.


@pytest.mark.regression("qa_findings")
async def test_enter_on_a_group_at_80_columns_shows_the_filtered_list(tmp_path):
    """The list was filtered behind the findings pane, which stayed in front: nothing visible happened."""
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        screen.show_pane("findings")
        await settle(pilot)
        await pilot.press("enter")                        # the first group (errors come first)
        await wait_for(pilot, lambda: screen.state.view is not None, what="filter")
        await settle(pilot)
        assert screen.panes.current() == "list" and screen.example_list.display
        assert screen.example_list.region.width > 0
        assert screen.state.view_description.startswith("filter: check ")


@pytest.mark.regression("qa_findings")
async def test_summary_says_one_check_not_one_checks(tmp_path):
    from tests.functional.app_helpers import chat, write_rows

    path = write_rows(tmp_path / "extra.jsonl", [dict(chat(f"q{i}", f"a{i}"), id=i) for i in range(60)])
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        screen.show_pane("findings")
        await settle(pilot)
        summary = str(screen.query_one("#findings-summary").render())
        assert summary.endswith(" in 1 check"), summary


async def test_a_group_with_a_bulk_fix_names_it_with_the_key_that_opens_it(tmp_path, datasets_dir):
    import shutil

    from tunescope.config import Settings

    path = tmp_path / "lf.jsonl"
    shutil.copy(datasets_dir / "llamafactory_nearmiss_sft.jsonl", path)
    app = app_for(path, settings=Settings(keymap={"dataset.fixes": "F"}))       # the key as remapped
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        screen.show_pane("findings")
        await settle(pilot)
        pane = screen.query_one(FindingsPane)

        def detail() -> str:
            return str(pane.query_one("#findings-detail", Static).render())
        assert [g.check for g in pane.groups][:2] == ["near_miss_format", "email_address"]
        assert "F bulk fix: Fix near-miss formats" in detail()
        await pilot.press("j")
        await settle(pilot)
        assert "F bulk fix: Redact secrets and personal data" in detail()
        pane.option_list.highlighted = next(i for i, g in enumerate(pane.groups) if g.check == "conflicting_outputs")
        await settle(pilot)
        assert "Conflicting outputs" in detail() and "bulk fix" not in detail()      # no fix removes those
