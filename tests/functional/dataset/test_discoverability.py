"""Issue 9, the TUI: help and the palette list every action whatever pane has focus; one Quit; a legend."""

from __future__ import annotations

from tests.functional.app_helpers import app_for, ready, sample_copy, settle, wait_for
from tunescope.config import Settings
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
