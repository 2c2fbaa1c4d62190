"""Pick where jobs run: OpenAI, Azure, a compatible server, the local simulation, or a saved profile.

The choices come from `jobs_connection.backend_choices` (Textual-free); each line says whether the
backend is billed or a simulation and what it still needs. Dismisses with the chosen name or None.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tunescope.tui import keymap
from tunescope.tui.dialogs.prompt_base import PROMPT_CSS, ChoiceScreen
from tunescope.tui.jobs_connection import BackendChoice


class BackendPickerScreen(ChoiceScreen):
    """One OptionList of backends, the current one highlighted."""

    BINDINGS = keymap.BACKEND_PICKER_BINDINGS
    DEFAULT_CSS = "BackendPickerScreen {" + PROMPT_CSS + """
        & OptionList { height: auto; max-height: 12; border: none; padding: 0; }
    }"""

    def __init__(self, choices: list[BackendChoice], current: str | None = None) -> None:
        super().__init__()
        self.choices = list(choices)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt-dialog") as dialog:
            dialog.border_title = "Run fine-tuning jobs on…"
            yield OptionList(*[Option(Content(("● " if c.name == self.current else "  ") + c.label), id=c.name)
                               for c in self.choices], id="backend-options")
            yield Static("enter choose · j/k move · esc cancel · profiles: `tunescope jobs backends save`",
                         classes="prompt-help", markup=False)
