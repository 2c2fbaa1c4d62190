"""Yes/no confirmation for the few irreversible actions (discard edits, overwrite, quit dirty)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tunescope.tui import keymap


class ConfirmScreen(ModalScreen[bool]):
    """Ask a question; y answers yes, n or escape answer no.

    With danger=True the "No" button is focused so a stray enter is safe.
    """

    BINDINGS = keymap.CONFIRM_BINDINGS

    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
        background: $background 60%;
        & > #confirm-dialog {
            width: 60;
            max-width: 100%;
            height: auto;
            padding: 1 2;
            background: $surface;
            border: thick $primary;
        }
        &.-danger > #confirm-dialog { border: thick $error; }
        & #confirm-question { margin-bottom: 1; }
        & #confirm-buttons { width: auto; height: auto; }
        & #confirm-buttons > Button { margin-right: 2; min-width: 10; }
        & #confirm-keys { color: $text-muted; margin-top: 1; }
        & ToastHolder { display: none; }   /* toasts wait until the question is answered */
    }
    """

    def __init__(self, question: str, danger: bool = False, *, yes_label: str = "Yes", no_label: str = "No") -> None:
        super().__init__(classes="-danger" if danger else None)
        self.question = question
        self.danger = danger
        self.yes_label = yes_label
        self.no_label = no_label

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(self.question, id="confirm-question", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.yes_label} (y)", id="yes", variant="error" if self.danger else "primary")
                yield Button(f"{self.no_label} (n)", id="no", variant="default")
            yield Static("y yes · n / esc no · ←/→ move · enter choose", id="confirm-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#no" if self.danger else "#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
