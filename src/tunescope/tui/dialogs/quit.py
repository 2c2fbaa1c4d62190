"""The quit prompt when there are unsaved edits: save and quit, quit without saving, or stay."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tunescope.tui import keymap

SAVE, DISCARD = "save", "discard"


class QuitScreen(ModalScreen[str | None]):
    """Answers SAVE, DISCARD or None (stay). "Stay" is focused, so a stray enter loses nothing."""

    BINDINGS = keymap.QUIT_BINDINGS
    DEFAULT_CSS = """
    QuitScreen {
        align: center middle;
        background: $background 60%;
        & > #quit-dialog {
            width: 66; max-width: 100%; height: auto; padding: 1 2;
            background: $surface; border: thick $warning;
        }
        & #quit-question { margin-bottom: 1; }
        & #quit-buttons { width: auto; height: auto; }
        & #quit-buttons > Button { margin-right: 1; min-width: 8; }
        & #quit-keys { color: $text-muted; margin-top: 1; }
        & ToastHolder { display: none; }
    }
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="quit-dialog"):
            yield Static(self.question, id="quit-question", markup=False)
            with Horizontal(id="quit-buttons"):
                yield Button("Save and quit (s)", id=SAVE, variant="primary")
                yield Button("Quit, drop edits (y)", id=DISCARD, variant="error")
                yield Button("Stay (n)", id="stay", variant="default")
            yield Static("s save and quit · y quit without saving · n / esc stay", id="quit-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id if event.button.id in (SAVE, DISCARD) else None)

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer or None)
