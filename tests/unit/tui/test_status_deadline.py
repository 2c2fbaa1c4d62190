"""The dataset screen's status bar names the model's shutdown when it is near or past (issue 9)."""

from __future__ import annotations

from textual.content import Content

from tunescope.tui.widgets.dataset.status_bar import Status, StatusBar


def _plain(markup: str) -> str:
    return Content.from_markup(markup).plain


def test_the_status_bar_shows_the_shutdown_day_even_at_80_columns(monkeypatch):
    monkeypatch.setenv("TUNESCOPE_TODAY", "2026-12-06")
    s = Status(file="a-rather-long-dataset-name.jsonl", format="chat", lines=10, errors=0, warnings=2,
               model="gpt-4.1-mini-2025-04-14")
    assert "model shuts down 2027-01-14" in _plain(StatusBar.render_status(s, 200))
    narrow = _plain(StatusBar.render_status(s, 78))
    assert "model shuts down 2027-01-14" in narrow and "✗ 0" in narrow and len(narrow) <= 78
    gone = _plain(StatusBar.render_status(Status(file="a.jsonl", model="o4-mini-2025-04-16"), 200))
    assert "model shut down 2026-10-23" in gone


def test_no_deadline_when_it_is_far_or_unknown(monkeypatch):
    monkeypatch.setenv("TUNESCOPE_TODAY", "2026-06-01")
    assert "shut" not in _plain(StatusBar.render_status(Status(file="a.jsonl", model="gpt-4.1-mini-2025-04-14")))
    monkeypatch.setenv("TUNESCOPE_TODAY", "2026-12-06")
    assert "shut" not in _plain(StatusBar.render_status(Status(file="a.jsonl", model="my-own-model")))
    assert "shut" not in _plain(StatusBar.render_status(Status(file="a.jsonl", model="gpt-3.5-turbo-0125")))
