"""Choosing the model on the dataset screen (issue 9): no blank entry to pick, every model reachable, and
the list cursor and side pane stay where they were while the file is re-checked for the new model."""

from __future__ import annotations

from textual.widgets import Select

from tests.functional.app_helpers import app_for, chat, ready, wait_for, write_rows
from tunescope.tui.widgets.dataset.stats_pane import StatsPane


async def test_changing_the_model_keeps_the_cursor_and_the_side_pane(tmp_path):
    path = write_rows(tmp_path / "d.jsonl", [chat(f"question {i}", f"answer {i}") for i in range(20)])
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        screen.jump_to_row(screen.state.row_for_line(8))
        screen.show_pane("stats")
        await pilot.pause()
        select = screen.query_one(StatsPane).query_one("#stats-model", Select)
        await wait_for(pilot, lambda: select.value == "gpt-4.1-mini-2025-04-14", 5, "the selector filled")
        screen.query_one(StatsPane).focus()
        await pilot.press("m")
        overlay = select.query_one("SelectOverlay")
        await wait_for(pilot, lambda: overlay.display and overlay.option_count > 0, 5, "the model list")
        prompts = [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]
        assert "…" not in prompts and "" not in prompts and "Model" not in prompts    # nothing blank to pick
        assert prompts[-1] == "o4-mini-2025-04-16"
        target = prompts.index("gpt-4o-mini-2024-07-18")
        while overlay.highlighted != target:
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.dataset_screen is not screen and app.dataset_screen is not None
                       and app.dataset_screen.options.model == "gpt-4o-mini-2024-07-18", 10, "the re-opened screen")
        fresh = await ready(pilot)
        await wait_for(pilot, lambda: fresh.panes.current() == "stats" and fresh.current_row() is not None
                       and fresh.state.origin(fresh.current_row()) == 7, 10, "line 8 and the stats pane again")
