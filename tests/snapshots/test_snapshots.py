"""SVG snapshots of the main screens at 80x24 and 120x40 (pytest-textual-snapshot).

Each scene waits for the checker and the viewer's analysis, then clears the
toasts, so the picture only depends on the bundled sample and the code.
Update after an intended UI change with `pytest tests/snapshots --snapshot-update`
and look at the report before committing.
"""

from __future__ import annotations

import pytest

from tunescope.config import Settings
from tunescope.tui.app import make_app

from tests.functional.app_helpers import ready, wait_for


async def settle(pilot) -> None:
    await pilot.pause(0.1)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.1)
    await pilot.app.workers.wait_for_complete()
    pilot.app.clear_notifications()
    await pilot.pause()


def scene(*keys: str, tab: str | None = None, after=None):
    async def run_before(pilot) -> None:
        screen = await ready(pilot)
        if keys:
            await pilot.press(*keys)
        if tab is not None:
            screen.show_pane(tab)
        if after is not None:
            await after(pilot, screen)
        await settle(pilot)
    return run_before


async def filtered_to_errors(pilot, screen) -> None:
    screen.set_filter(("errors", None))
    await wait_for(pilot, lambda: screen.state.view is not None, what="filter")


async def no_blink(pilot, screen) -> None:
    pilot.app.screen.text_area.cursor_blink = False


def app(theme: str = "textual-dark"):
    return make_app(None, settings=Settings(theme=theme))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_sample_list(snap_compare, size):
    assert snap_compare(app(), terminal_size=size, run_before=scene("j"))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_viewer_tool_call_example(snap_compare, size):
    assert snap_compare(app(), terminal_size=size, run_before=scene("colon", "1", "0", "enter", "enter", "j", "j"))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_findings_pane_filter(snap_compare, size):
    assert snap_compare(app(), terminal_size=size, run_before=scene(tab="findings", after=filtered_to_errors))


def test_stats_pane(snap_compare):
    assert snap_compare(app(), terminal_size=(120, 40), run_before=scene(tab="stats"))


def test_editor(snap_compare):
    assert snap_compare(app(), terminal_size=(80, 24), run_before=scene("j", "e", after=no_blink))


def test_light_theme(snap_compare):
    assert snap_compare(app("textual-light"), terminal_size=(120, 40), run_before=scene("G", "enter"))
