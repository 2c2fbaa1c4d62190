"""Where `A` on the jobs screen keeps the archive: a folder, new or one an earlier archive made."""

from __future__ import annotations

import datetime
from pathlib import Path

from tunescope.jobs.archive import MANIFEST
from tunescope.tui.dialogs.prompt_base import PROMPT_CSS, PathPromptScreen


def default_folder(backend_name: str, today: datetime.date | None = None) -> Path:
    """~/tunescope-archive/<backend>-<date>: one folder per backend and day, easy to find again."""
    day = (today or datetime.date.today()).isoformat()
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in backend_name) or "backend"
    return Path.home() / "tunescope-archive" / f"{safe}-{day}"


class ArchiveFolderScreen(PathPromptScreen):
    """Ask for the archive's folder; refuses a file and a non-empty folder that is not an archive."""

    DEFAULT_CSS = "ArchiveFolderScreen {" + PROMPT_CSS + "}"
    TITLE = "Archive jobs"
    PLACEHOLDER = "path/to/folder"
    HELP = "enter archive · esc cancel"
    EMPTY = "Type a folder to keep the archive in."
    ID = "archive"

    def __init__(self, default: str | Path, jobs: int | None = None) -> None:
        count = f"all {jobs} job(s)" if jobs else "every job"
        super().__init__(default, f"Keep {count} of this backend (record, events, checkpoints, results, training "
                                  "and validation files) in this folder. Running it again refreshes it.")

    def refuse(self, path: Path) -> str | None:
        if path.exists() and not path.is_dir():
            return f"{path} is a file; choose a folder."
        if path.is_dir() and any(path.iterdir()) and not (path / MANIFEST).is_file():
            return f"{path} holds other files; choose an empty folder, a new one or an earlier archive."
        return None
