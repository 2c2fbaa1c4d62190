"""The pure parts of the TUI widgets: the status line."""

from __future__ import annotations

from tunescope.tui.widgets.dataset.status_bar import Status, StatusBar


def test_status_line_drops_details_before_the_essentials():
    s = Status(file="data.jsonl", format="chat", lines=1234, errors=5, warnings=7, dirty=True,
               model="gpt-4.1-mini-2025-04-14", estimated=True, phase="checking", done=1, total=2)
    wide = StatusBar.render_status(s, 200)
    assert "1,234 lines" in wide and "gpt-4.1-mini" in wide and "50%" in wide
    narrow = StatusBar.render_status(s, 60)
    assert "data.jsonl" in narrow and "unsaved" in narrow and "✗ 5" in narrow and "~est" in narrow
    assert "1,234 lines" not in narrow
