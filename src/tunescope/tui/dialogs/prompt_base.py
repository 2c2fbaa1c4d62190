"""The frame the small prompts share (go to line, search, filter, save as, message).

Each prompt validates its own input and keeps it on error (with the reason
shown), so the caller only ever receives a usable value or None for
"cancelled". Escape cancels every one of them (`prompt.cancel` in the keymap).
"""

from __future__ import annotations

from textual import on
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static

from tunescope.tui import keymap

PROMPT_CSS = """
    align: center middle;
    background: $background 60%;
    & > .prompt-dialog {
        width: 70;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 0 1;
        background: $surface;
        border: thick $primary;
        border-title-color: $text;
        border-title-style: bold;
    }
    & .prompt-error { color: $text-error; height: auto; }
    & .prompt-help { color: $text-muted; height: auto; }
    & .prompt-reason { color: $text-warning; height: auto; margin-bottom: 1; }
    & ToastHolder { display: none; }   /* toasts would cover the dialog; they show again after it */
"""
"""The body of each prompt's DEFAULT_CSS rule (`Name {` + PROMPT_CSS + its own rules + `}`)."""


class PromptScreen(ModalScreen):
    """Shared behaviour: escape cancels, errors are shown in .prompt-error."""

    BINDINGS = keymap.PROMPT_BINDINGS

    def action_cancel(self) -> None:
        self.dismiss(None)

    def show_error(self, message: str) -> None:
        self.query_one(".prompt-error", Static).update(message)


class ChoiceScreen(PromptScreen):
    """A prompt that is one OptionList whose options have ids: it opens on `current`, moves with the
    screen's cursor bindings (j/k) and dismisses with the chosen option's id."""

    current: str | None = None

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.focus()
        ids = [option_list.get_option_at_index(i).id for i in range(option_list.option_count)]
        if self.current in ids:
            option_list.highlighted = ids.index(self.current)

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
