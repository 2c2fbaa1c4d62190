"""Save as: a path to write the dataset to (when the file changed on disk, or by choice)."""

from __future__ import annotations

from pathlib import Path

from tunescope.tui.dialogs.confirm import ConfirmScreen
from tunescope.tui.dialogs.prompt_base import PROMPT_CSS, PathPromptScreen


class SaveAsScreen(PathPromptScreen):
    """Ask for a file path to save to; refuses directories and missing folders, confirms overwrites."""

    DEFAULT_CSS = "SaveAsScreen {" + PROMPT_CSS + "}"
    TITLE = "Save as"
    PLACEHOLDER = "path/to/file.jsonl"
    HELP = "enter save · esc cancel"
    EMPTY = "Type a file name to save to."
    ID = "saveas"

    def __init__(self, default_path: str | Path, reason: str = "") -> None:
        # why we ask (e.g. the file changed on disk), inside the dialog
        super().__init__(default_path, f"Not saved: {reason}." if reason else "")

    def refuse(self, path: Path) -> str | None:
        if path.is_dir():
            return f"{path} is a folder; add a file name, e.g. {path / 'train.jsonl'}"
        if not path.parent.is_dir():
            return f"The folder {path.parent} does not exist; create it first or pick another one."
        return None

    def accept(self, path: Path) -> None:
        if not path.exists():
            self.dismiss(str(path))
            return

        def overwrite(yes: bool | None) -> None:
            if yes:
                self.dismiss(str(path))
            else:
                self.show_error(f"{path.name} was kept; choose another name.")

        self.app.push_screen(ConfirmScreen(f"{path} already exists. Overwrite it?", danger=True), overwrite)
