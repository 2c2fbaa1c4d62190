"""HelpScreen reads the live bindings: runtime additions, keymap remaps, check_action."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer

from tunescope.tui.dialogs.help import HelpScreen
from tunescope.tui.widgets.dataset.findings_pane import FindingsPane
from tunescope.tui.widgets.dataset.stats_pane import StatsPane


class HelpHarness(App):
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+s", "save", "Save", id="app.save"),
        Binding("u", "undo", "Undo", id="app.undo"),
        Binding("D", "delete_all", "Delete tagged", id="app.delete_all"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.can_undo = False
        self.zapped = 0

    def compose(self) -> ComposeResult:
        yield FindingsPane()
        yield StatsPane()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(FindingsPane).focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_zap(self) -> None:
        self.zapped += 1

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "undo":
            return True if self.can_undo else None  # shown dimmed while nothing to undo
        if action == "delete_all":
            return False  # hidden: nothing tagged
        return True


async def open_help(app: App, pilot) -> HelpScreen:
    await pilot.press("question_mark")
    await pilot.pause()
    assert isinstance(app.screen, HelpScreen)
    return app.screen


async def test_help_lists_a_binding_added_at_runtime():
    app = HelpHarness()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        help_screen = await open_help(app, pilot)
        assert "Zap everything" not in help_screen.text
        await pilot.press("escape")
        app.bind("z", "zap", description="Zap everything")
        help_screen = await open_help(app, pilot)
        assert any(row.description == "Zap everything" and row.keys == ["z"]
                   for section in help_screen.sections for row in section.rows)


async def test_help_follows_keymap_remaps_and_check_action():
    app = HelpHarness()
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_keymap({"app.save": "ctrl+w"})
        await pilot.pause()
        help_screen = await open_help(app, pilot)
        everywhere = next(s for s in help_screen.sections if s.title == "Everywhere")
        save = next(r for r in everywhere.rows if r.binding_id == "app.save")
        assert save.keys == ["^w"]
        undo = next(r for r in everywhere.rows if r.binding_id == "app.undo")
        assert undo.enabled is False and "Undo (unavailable now)" in help_screen.text
        assert "Delete tagged" not in help_screen.text
        await pilot.press("q")
        app.can_undo = True
        help_screen = await open_help(app, pilot)
        assert "(unavailable now)" not in help_screen.text


async def test_focused_pane_comes_first_with_its_blurb_and_other_panes_follow():
    app = HelpHarness()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        help_screen = await open_help(app, pilot)
        first = help_screen.sections[0]
        assert first.title == "Findings pane"
        assert first.blurb == FindingsPane.HELP
        assert any(r.binding_id == "findings.toggle" for r in first.rows)
        titles = [s.title for s in help_screen.sections]
        assert "Stats pane (when focused)" in titles
        assert titles.index("Everywhere") < titles.index("Stats pane (when focused)")


@pytest.mark.slow
async def test_escape_q_and_question_mark_close_help():
    app = HelpHarness()
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("escape", "q", "question_mark"):
            await open_help(app, pilot)
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, HelpScreen), key
