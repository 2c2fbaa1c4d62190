"""A modal message: an error (or warning) with its cause, read and closed."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Static

from tunescope.tui import keymap
from tunescope.tui.dialogs.prompt_base import PROMPT_CSS, PromptScreen


class MessageScreen(PromptScreen):
    """A modal message (usually an error with its cause); any of enter/escape/q closes it."""

    BINDINGS = keymap.MESSAGE_BINDINGS
    DEFAULT_CSS = "MessageScreen {" + PROMPT_CSS + """
        & > .prompt-dialog { width: auto; min-width: 40; max-width: 90%; }
        & > .prompt-dialog.-error { border: thick $error; }
        & > .prompt-dialog.-warning { border: thick $warning; }
        & VerticalScroll { height: auto; max-height: 16; }
        & Button { margin-top: 1; }
    }"""

    def __init__(self, title: str, text: str, severity: str = "error") -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.severity = severity

    def compose(self) -> ComposeResult:
        with Vertical(classes=f"prompt-dialog -{self.severity}") as dialog:
            dialog.border_title = self.title_text
            with VerticalScroll():
                yield Static(self.text, id="message-text", markup=False)
            yield Button("OK", id="message-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#message-ok", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)
