"""Filter: pick what the example list shows (errors, one check, one role...)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tunescope.tui import keymap
from tunescope.tui.dialogs.prompt_base import PROMPT_CSS, ChoiceScreen


class FilterScreen(ChoiceScreen):
    """Pick one filter from (key, label) options; dismisses with the key or None."""

    BINDINGS = keymap.FILTER_BINDINGS
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
