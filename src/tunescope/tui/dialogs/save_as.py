"""Save as: a path to write the dataset to (when the file changed on disk, or by choice)."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from tunescope.tui.dialogs.confirm import ConfirmScreen
from tunescope.tui.dialogs.prompt_base import PROMPT_CSS, PromptScreen


class SaveAsScreen(PromptScreen):
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
