"""The frame the small prompts share (go to line, search, filter, save as, message).

Each prompt validates its own input and keeps it on error (with the reason
shown), so the caller only ever receives a usable value or None for
"cancelled". Escape cancels every one of them (`prompt.cancel` in the keymap).
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static

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


def typed_path(text: str) -> Path | None:
    """A path as typed: ~ expanded, a relative one taken from the working directory; None when blank."""
    raw = text.strip()
    if not raw:
        return None
    path = Path(raw).expanduser()
    return path if path.is_absolute() else Path.cwd() / path


class PromptScreen(ModalScreen):
    """Shared behaviour: escape cancels, errors are shown in .prompt-error."""

    BINDINGS = keymap.PROMPT_BINDINGS

    def action_cancel(self) -> None:
        self.dismiss(None)

    def show_error(self, message: str) -> None:
        self.query_one(".prompt-error", Static).update(message)


class PathPromptScreen(PromptScreen):
    """Ask for a path (save as, the jobs archive): blank is refused, `refuse(path)` says why a path will not
    do, `accept(path)` dismisses with it (save as asks about overwriting first). `note` is shown above."""

    TITLE = ""
    PLACEHOLDER = ""
    HELP = ""
    EMPTY = "Type a path."
    ID = "path"          # the input is #<ID>-input, the note #<ID>-note

    def __init__(self, default: str | Path, note: str = "") -> None:
        super().__init__()
        self.default = str(default)
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt-dialog") as dialog:
            dialog.border_title = self.TITLE
            if self.note:
                yield Static(self.note, id=f"{self.ID}-note", classes="prompt-reason", markup=False)
            yield Input(self.default, placeholder=self.PLACEHOLDER, id=f"{self.ID}-input")
            yield Static(self.HELP, classes="prompt-help", markup=False)
            yield Static("", classes="prompt-error", markup=False)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        path = typed_path(event.value)
        why = self.EMPTY if path is None else self.refuse(path)
        if why:
            self.show_error(why)
        else:
            self.accept(path)

    def refuse(self, path: Path) -> str | None:
        return None

    def accept(self, path: Path) -> None:
        self.dismiss(str(path))


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
