"""QA: the footer shows whole keys at any width (at 80 columns "q Quit" was cut to "q Qu")."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from tests.functional.app_helpers import app_for, ready, sample_copy, settle
from tunescope.tui.widgets.fitted_footer import fit_keys


def footer_keys(screen) -> tuple[list[FooterKey], FooterKey | None]:
    keys = list(screen.query(FooterKey))
    palette = next((k for k in keys if k.has_class("-command-palette")), None)
    return [k for k in keys if k is not palette], palette


@pytest.mark.parametrize("width", [80, 60, 44])
async def test_footer_keys_are_whole_and_help_and_quit_stay(tmp_path, width):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(width, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("enter")             # the viewer adds its own key (p Raw JSON)
        await settle(pilot)
        keys, palette = footer_keys(screen)
        actions = [k.action for k in keys]
        assert "help" in actions and "quit_app" in actions
        right_edge = palette.region.x if palette is not None else width
        for key in keys:
            assert key.region.right <= right_edge, f"{key.description!r} is cut at {width} columns"


async def test_footer_refits_when_the_terminal_grows(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(60, 24)) as pilot:
        screen = await ready(pilot)
        narrow = [k.action for k in footer_keys(screen)[0]]
        await pilot.resize_terminal(160, 24)
        await settle(pilot)
        await pilot.pause(0.1)
        wide = [k.action for k in footer_keys(screen)[0]]
        assert len(wide) > len(narrow) and set(narrow) <= set(wide)


def test_fit_drops_whole_keys_least_important_first():
    items = [("toggle_raw", "p", "Raw JSON"), ("search", "/", "Search"), ("edit", "e", "Edit"),
             ("save", "^s", "Save"), ("help", "?", "Help"), ("quit_app", "q", "Quit"),
             ("command_palette", "^p", "palette")]
    compact, shown = fit_keys(items, 200)
    assert not compact and len(shown) == len(items)
    compact, shown = fit_keys(items, 40)
    assert compact and {"help", "quit_app"} <= set(shown) and "search" not in shown
    assert "command_palette" not in shown
