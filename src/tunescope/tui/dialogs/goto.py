"""Go to line: ask for a 1-based line number of the open file."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from tunescope.tui.dialogs.prompt_base import PROMPT_CSS, PromptScreen


class GotoLineScreen(PromptScreen):
    """Ask for a 1-based line number within 1..max_line; dismisses with the int or None."""

    DEFAULT_CSS = "GotoLineScreen {" + PROMPT_CSS + "}"

    def __init__(self, max_line: int, current: int | None = None) -> None:
        super().__init__()
        self.max_line = max(1, int(max_line))
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt-dialog") as dialog:
            dialog.border_title = "Go to line"
            yield Input(placeholder=f"1–{self.max_line:,}", type="integer", id="goto-input")
            yield Static(self._range_text(), classes="prompt-help", markup=False)
            yield Static("", classes="prompt-error", markup=False)

    def _range_text(self) -> str:
        here = f" · now at {self.current:,}" if self.current else ""
        return f"Lines 1–{self.max_line:,}{here} · enter go · esc cancel"

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip().replace(",", "").replace("_", "")
        try:
            line = int(text)
        except ValueError:
            self.show_error(f"{event.value!r} is not a line number; type a number from 1 to {self.max_line:,}.")
            return
        if not 1 <= line <= self.max_line:
            self.show_error(f"Line {line:,} is out of range; the file has lines 1–{self.max_line:,}.")
            return
        self.dismiss(line)
