"""`V` on the dataset screen: which other version of the file to compare with."""

from __future__ import annotations

import os
from pathlib import Path

from tunescope.tui.dialogs.prompt_base import PROMPT_CSS, PathPromptScreen


class OtherVersionScreen(PathPromptScreen):
    """Ask for the other version (OLD); the open file, as saved on disk, is NEW."""

    DEFAULT_CSS = "OtherVersionScreen {" + PROMPT_CSS + "}"
    TITLE = "Compare with another version"
    PLACEHOLDER = "path/to/earlier.jsonl"
    HELP = "enter compare · esc cancel"
    EMPTY = "Type the path of the other version."
    ID = "version"

    def __init__(self, open_path: str, unsaved: bool = False) -> None:
        self.open_path = open_path
        note = f"The other version is OLD; {Path(open_path).name} as saved on disk is NEW."
        if unsaved:
            note += " Your unsaved edits are not in it: save first to compare them."
        super().__init__(str(Path(open_path).parent) + os.sep, note)

    def refuse(self, path: Path) -> str | None:
        if not path.exists():
            return f"{path} does not exist."
        if not path.is_file():
            return f"{path} is not a file; give the other version's JSONL file."
        if os.path.exists(self.open_path) and os.path.samefile(path, self.open_path):
            return "That is the open file itself; give another version of it."
        return None
