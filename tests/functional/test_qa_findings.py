"""QA: choosing a findings group at 80 columns shows the lines it filters to."""

from __future__ import annotations

from tests.functional.app_helpers import app_for, ready, sample_copy, settle, wait_for


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
