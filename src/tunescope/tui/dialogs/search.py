"""Search: a pattern to find in any message, plain text or a regular expression."""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Static

from tunescope.tui import keymap
from tunescope.tui.dialogs.prompt_base import PROMPT_CSS, PromptScreen


class SearchScreen(PromptScreen):
    """Ask for a search pattern and whether it is a regex; dismisses with (pattern, regex) or None."""

    BINDINGS = keymap.SEARCH_BINDINGS
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
