"""Choose the destination whose rules apply beside the model (or none: OpenAI's rules alone)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tunescope.targets import TARGETS
from tunescope.tui.dialogs.prompt_base import PROMPT_CSS, PromptScreen

NO_TARGET = ""


class TargetPicker(PromptScreen):
    """A list of targets; enter dismisses with the name ("" for none), esc with None."""

    DEFAULT_CSS = "TargetPicker {" + PROMPT_CSS + """
        & #target-list { height: auto; max-height: 11; border: none; padding: 0; }
        & #target-format { color: $text-muted; height: auto; margin-top: 1; }
    }"""

    def __init__(self, current: str = NO_TARGET) -> None:
        super().__init__()
        self.names = [NO_TARGET, *TARGETS]
        self.current = current if current in self.names else NO_TARGET

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt-dialog") as dialog:
            dialog.border_title = "Rules of which destination?"
            options = [Option(Content("none         OpenAI's rules only"), id="none")]
            options += [Option(Content(f"{t.name:<13}{t.title}"), id=t.name) for t in TARGETS.values()]
            yield OptionList(*options, id="target-list")
            yield Static("", id="target-format", markup=False)
            yield Static("enter choose · esc cancel · the findings add the target's rules",
                         classes="prompt-help", markup=False)

    def on_mount(self) -> None:
        chooser = self.query_one("#target-list", OptionList)
        chooser.highlighted = self.names.index(self.current)
        chooser.focus()

    @on(OptionList.OptionHighlighted, "#target-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        name = self.names[event.option_index]
        self.query_one("#target-format", Static).update(TARGETS[name].format if name else
                                                        "Only the OpenAI format checks and the model's limits.")

    @on(OptionList.OptionSelected, "#target-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.names[event.option_index])
