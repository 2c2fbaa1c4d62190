"""Where `A` on the jobs screen keeps the archive: a folder, new or one an earlier archive made."""

from __future__ import annotations

import datetime
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from tunescope.jobs.archive import MANIFEST
from tunescope.tui.dialogs.prompt_base import PROMPT_CSS, PromptScreen


def default_folder(backend_name: str, today: datetime.date | None = None) -> Path:
    """~/tunescope-archive/<backend>-<date>: one folder per backend and day, easy to find again."""
    day = (today or datetime.date.today()).isoformat()
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in backend_name) or "backend"
    return Path.home() / "tunescope-archive" / f"{safe}-{day}"


class ArchiveFolderScreen(PromptScreen):
    """Ask for the archive's folder; refuses a file and a non-empty folder that is not an archive."""

    DEFAULT_CSS = "ArchiveFolderScreen {" + PROMPT_CSS + "}"

    def __init__(self, default: str | Path, jobs: int | None = None) -> None:
        super().__init__()
        self.default = str(default)
        self.jobs = jobs

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt-dialog") as dialog:
            dialog.border_title = "Archive jobs"
            count = f"all {self.jobs} job(s)" if self.jobs else "every job"
            yield Static(f"Keep {count} of this backend (record, events, checkpoints, results, training and "
                         "validation files) in this folder. Running it again refreshes it.",
                         classes="prompt-reason", markup=False)
            yield Input(self.default, placeholder="path/to/folder", id="archive-input")
            yield Static("enter archive · esc cancel", classes="prompt-help", markup=False)
            yield Static("", classes="prompt-error", markup=False)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        raw = event.value.strip()
        if not raw:
            self.show_error("Type a folder to keep the archive in.")
            return
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = Path.cwd() / path
        if path.exists() and not path.is_dir():
            self.show_error(f"{path} is a file; choose a folder.")
            return
        if path.is_dir() and any(path.iterdir()) and not (path / MANIFEST).is_file():
            self.show_error(f"{path} holds other files; choose an empty folder, a new one or an earlier archive.")
            return
        self.dismiss(str(path))
