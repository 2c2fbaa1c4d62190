"""A tiny host App that pushes one modal screen and records what it dismisses with."""

from __future__ import annotations

from typing import Any, Callable

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

_NOTHING = object()


class ScreenHost(App):
    """Pushes make_screen() on mount; every dismiss value lands in .results."""

    def __init__(self, make_screen: Callable[[], Screen]) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.results: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static("host screen", id="host")

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), self.results.append)

    @property
    def result(self) -> Any:
        return self.results[-1] if self.results else _NOTHING


NOTHING = _NOTHING
