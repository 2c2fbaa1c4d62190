"""Issue 9, the TUI: findings, stats and counts follow the edited dataset, not the file as last saved."""

from __future__ import annotations

from textual.widgets import Static

from tests.functional.app_helpers import app_for, chat, ready, settle, wait_for, write_rows
from tunescope.tui.widgets.dataset.findings_pane import FindingsPane

BROKEN = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": 5}]}


def error_checks(pane: FindingsPane) -> set[str]:
    return {g.check for g in pane.groups if any(s.value == "error" for s in g.by_severity)}


async def test_deleting_the_broken_row_clears_its_error_everywhere_before_a_save(tmp_path):
    path = write_rows(tmp_path / "d.jsonl", [chat(f"q{i}", f"a{i}") for i in range(12)] + [BROKEN])
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        pane = screen.query_one(FindingsPane)
        await wait_for(pilot, lambda: error_checks(pane), what="the error listed")
        before = error_checks(pane)
        assert screen.status_bar.status.errors == 1
        await pilot.press("G", "d")
        await wait_for(pilot, lambda: not error_checks(pane), what="the findings to follow the delete")
        assert screen.state.session.dirty and screen.status_bar.status.errors == 0
        assert "examples 12 " in str(screen.query_one("#stats-dataset", Static).render())
        await pilot.press("u")                               # undo: the file's own report again
        await wait_for(pilot, lambda: error_checks(pane) == before, what="the error back after undo")
        assert screen.status_bar.status.errors == 1


async def test_file_level_findings_count_in_the_status_bar(datasets_dir):
    """The RFT file showed "✗ 0 ▲ 0" although the default model cannot train reinforcement data."""
    app = app_for(datasets_dir / "foundry_medmcq_rft_valid.jsonl")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await settle(pilot)
        assert any(f.check == "model_method_unsupported" for f in screen.state.file_findings)
        assert screen.status_bar.status.warnings >= 1
        assert screen.state.counts()[1] >= 1                 # what the start-job dialog reads
