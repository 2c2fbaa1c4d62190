"""Small modal prompts: go to line, search, filter, save as, and a modal message.

Each validates its own input and keeps it on error (with the reason shown),
so the caller only ever receives a usable value or None for "cancelled".
"""

from __future__ import annotations

import re
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, OptionList, Static
from textual.widgets.option_list import Option

from tunescope.tui.dialogs.confirm import ConfirmScreen

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


class _Prompt(ModalScreen):
    """Shared behaviour: escape cancels, errors are shown in .prompt-error."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def action_cancel(self) -> None:
        self.dismiss(None)

    def show_error(self, message: str) -> None:
        self.query_one(".prompt-error", Static).update(message)


class GotoLineScreen(_Prompt):
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


class SearchScreen(_Prompt):
    """Ask for a search pattern and whether it is a regex; dismisses with (pattern, regex) or None."""

    BINDINGS = [Binding("ctrl+r", "toggle_regex", "Regex on/off", id="search.regex")]
    DEFAULT_CSS = "SearchScreen {" + PROMPT_CSS + """
        & #search-row { height: auto; }
        & #search-row > Input { width: 1fr; }
        & #search-row > Checkbox { width: auto; }
    }"""

    def __init__(self, pattern: str = "", regex: bool = False) -> None:
        super().__init__()
        self.pattern = pattern
        self.regex = regex

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt-dialog") as dialog:
            dialog.border_title = "Search messages"
            with Horizontal(id="search-row"):
                yield Input(self.pattern, placeholder="text to find in any message", id="search-input")
                yield Checkbox("Regex", self.regex, id="search-regex")
            yield Static("enter search · ctrl+r regex on/off · esc cancel",
                         classes="prompt-help", markup=False)
            yield Static("", classes="prompt-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#search-input", Input).focus()

    def action_toggle_regex(self) -> None:
        box = self.query_one("#search-regex", Checkbox)
        box.value = not box.value

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        pattern = event.value
        regex = self.query_one("#search-regex", Checkbox).value
        if not pattern:
            self.show_error("Type something to search for (esc cancels).")
            return
        if regex:
            try:
                re.compile(pattern)
            except re.error as exc:
                where = f" at position {exc.pos + 1}" if exc.pos is not None else ""
                self.show_error(f"Invalid regular expression{where}: {exc.msg}. Fix it or turn regex off (ctrl+r).")
                return
        self.dismiss((pattern, regex))


class FilterScreen(_Prompt):
    """Pick one filter from (key, label) options; dismisses with the key or None."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]
    DEFAULT_CSS = "FilterScreen {" + PROMPT_CSS + """
        & OptionList { height: auto; max-height: 16; border: none; padding: 0; }
    }"""

    def __init__(self, options: list[tuple[str, str]], current: str | None = None) -> None:
        super().__init__()
        self.options = list(options)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt-dialog") as dialog:
            dialog.border_title = "Show only…"
            yield OptionList(*[Option(Content(label), id=key) for key, label in self.options], id="filter-options")
            yield Static("enter choose · j/k move · esc cancel", classes="prompt-help", markup=False)
            yield Static("" if self.options else "Nothing to filter on yet.", classes="prompt-error", markup=False)

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.focus()
        keys = [key for key, _ in self.options]
        if self.current in keys:
            option_list.highlighted = keys.index(self.current)

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)


class SaveAsScreen(_Prompt):
    """Ask for a file path to save to; refuses directories and missing folders, confirms overwrites."""

    DEFAULT_CSS = "SaveAsScreen {" + PROMPT_CSS + "}"

    def __init__(self, default_path: str | Path, reason: str = "") -> None:
        super().__init__()
        self.default_path = str(default_path)
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt-dialog") as dialog:
            dialog.border_title = "Save as"
            if self.reason:      # why we ask (e.g. the file changed on disk), inside the dialog
                yield Static(f"Not saved: {self.reason}.",
                             id="saveas-reason", classes="prompt-reason", markup=False)
            yield Input(self.default_path, placeholder="path/to/file.jsonl", id="saveas-input")
            yield Static("enter save · esc cancel", classes="prompt-help", markup=False)
            yield Static("", classes="prompt-error", markup=False)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        raw = event.value.strip()
        if not raw:
            self.show_error("Type a file name to save to.")
            return
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = Path.cwd() / path
        if path.is_dir():
            self.show_error(f"{path} is a folder; add a file name, e.g. {path / 'train.jsonl'}")
            return
        if not path.parent.is_dir():
            self.show_error(f"The folder {path.parent} does not exist; create it first or pick another one.")
            return
        if path.exists():
            def overwrite(yes: bool | None) -> None:
                if yes:
                    self.dismiss(str(path))
                else:
                    self.show_error(f"{path.name} was kept; choose another name.")

            self.app.push_screen(ConfirmScreen(f"{path} already exists. Overwrite it?", danger=True), overwrite)
            return
        self.dismiss(str(path))


class MessageScreen(_Prompt):
    """A modal message (usually an error with its cause); any of enter/escape/q closes it."""

    BINDINGS = [Binding("q,enter", "cancel", "Close", id="message.close")]
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
