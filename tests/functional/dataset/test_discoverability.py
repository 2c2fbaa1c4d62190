"""Issue 9, the TUI: help and the palette list every action whatever pane has focus; one Quit; a legend."""

from __future__ import annotations

import pytest

from tests.functional.app_helpers import app_for, chat, ready, sample_copy, settle, wait_for, write_rows
from tunescope.config import Settings
from tunescope.tui.widgets.dataset.list_header import ListHeader
from tunescope.tui.dialogs.help import collect_sections, render_section
from tests.functional.app_helpers import notifications


async def test_help_and_palette_at_80_columns_list_the_viewer_and_stats_keys(tmp_path):
    """At 80 columns the list's help had no `p` (raw JSON) and no `m` (model): those panes were hidden."""
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        assert screen.example_list.has_focus
        text = "\n".join(str(render_section(s)) for s in collect_sections(app, screen))
        assert "Raw JSON" in text and "viewer.raw" in text
        assert "Model" in text and "stats.model" in text
        for legend in ("A0 assistant with weight 0", "A* assistant with tool calls",
                       "P C prompt/completion", "T tool"):
            assert legend in text.replace("\n", " ")
        titles = [c.title for c in app.get_system_commands(screen)]
        assert "Raw JSON (p)" in titles and "Model (m)" in titles
        assert [t for t in titles if t.startswith("Quit")] == ["Quit (q)"]      # Textual's own Quit is gone
        command = next(c for c in app.get_system_commands(screen) if c.title == "Raw JSON (p)")
        command.callback()
        await settle(pilot)
        assert screen.viewer.raw


async def test_a_remap_onto_a_taken_key_says_so_in_the_app(tmp_path):
    app = app_for(sample_copy(tmp_path), settings=Settings(keymap={"dataset.delete": "j"}))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        assert any("dataset.delete = 'j' ignored" in n for n in notifications(app))
        await pilot.press("j")
        assert screen.example_list.cursor == 1 and not screen.state.session.dirty


def _header_and_row(screen, y: int) -> tuple[str, str]:
    header = str(screen.query_one(ListHeader).render())
    row = "".join(seg.text for seg in screen.example_list.render_line(y))
    return header, row


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_list_has_column_names_aligned_with_its_rows_and_a_legend(tmp_path, size):
    """`A*`, `A0`, `P C`, `T` and the unnamed number columns were explained nowhere on screen."""
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        header_widget = screen.query_one(ListHeader)
        assert header_widget.region.x == screen.example_list.region.x
        assert header_widget.region.bottom == screen.example_list.region.y          # right over the rows
        header, row = _header_and_row(screen, 3)                                  # line 4: "S U A* T A"
        assert header.startswith("line ")
        assert row.index("S U A*") == header.index("roles")
        assert row[header.index("text"):].startswith("Is Angels Landing")
        tokens_end = header.index("tokens") + len("tokens")
        assert row[:tokens_end].rstrip().endswith("204") and row[tokens_end] == " "
        legend = str(header_widget.tooltip)
        for said in ("A* assistant with tool calls", "A0 assistant with weight 0", "T tool",
                     "P C prompt/completion", "✗ error", "* edited"):
            assert said in legend
        if size[0] < 120:      # narrow: the viewer replaces the list and its header, escape brings both back
            await pilot.press("enter")
            await settle(pilot)
            assert not header_widget.display or not header_widget.parent.display
            assert header_widget.region.width == 0
            await pilot.press("escape")
            await settle(pilot)
            assert header_widget.region.width > 0 and screen.example_list.has_focus


async def test_the_column_names_follow_the_line_numbers_width(tmp_path):
    """Past 9,999 lines the line column widens; the names over the rows move with it."""
    path = write_rows(tmp_path / "long.jsonl", [chat(f"question {n}", "answer") for n in range(10_000)])
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.example_list.line_digits == 5
        header, row = _header_and_row(screen, 0)
        assert header.startswith(" line ") and row.startswith("    1 ")
        assert row.index("S U A") == header.index("roles")
        assert row[header.index("text"):].startswith("question 0")


async def test_each_bulk_fix_is_in_the_palette_and_opens_the_menu_on_it(tmp_path):
    """Typing "redact" in the palette found nothing: the fixes were only behind `x`."""
    from tunescope.tui.dialogs.fixes_menu import FixesMenu
    from tests.functional.app_helpers import shown

    key = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0"
    path = write_rows(tmp_path / "s.jsonl", [chat("Hi", f"Use {key} to call the API."), chat("Yo", "Hello.")])
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        titles = [c.title for c in app.get_system_commands(screen)]
        assert "Fix: Redact secrets and personal data" in titles and "Fix: Remove near-duplicates" in titles
        command = next(c for c in app.get_system_commands(screen) if c.title == "Fix: Redact secrets and personal data")
        from textual.content import Content
        assert "[REDACTED_API_KEY]" in Content.from_markup(command.help).plain     # shown, not eaten as markup
        command.callback()
        menu = await shown(pilot, FixesMenu, what="the fixes menu")
        assert menu.highlighted_name == "redact_sensitive"
        await wait_for(pilot, lambda: "would change 1 line" in menu.preview_text, what="the preview count")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.state.session.dirty, what="the fix")
        first = screen.state.session.get(0).decode()
        assert key not in first and "[REDACTED_API_KEY]" in first


async def test_x_opens_the_fixes_menu_on_the_fix_that_removes_the_most_findings(tmp_path, datasets_dir):
    """A LLaMA-Factory file (500 near-miss errors) opened the menu on "Strip whitespace": nothing to change."""
    import shutil

    from tunescope.tui.dialogs.fixes_menu import FixesMenu
    from tests.functional.app_helpers import shown

    path = tmp_path / "lf.jsonl"
    shutil.copy(datasets_dir / "llamafactory_nearmiss_sft.jsonl", path)
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("x")
        menu = await shown(pilot, FixesMenu, what="the fixes menu")
        assert menu.highlighted_name == "rename_near_miss"
        await wait_for(pilot, lambda: "would change 500 lines" in menu.preview_text, what="the preview count")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.state.counts()[0] == 0, what="no errors left")
