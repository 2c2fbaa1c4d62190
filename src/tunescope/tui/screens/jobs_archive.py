"""`A` on the jobs screen: keep every job of the backend on disk (jobs/archive.py), before the backend loses them.

A mixin of JobsScreen (whose module is at its size limit). The archive is written by a daemon thread
(`jobs_poller.archive_jobs`); its progress shows in the screen's title, its outcome in a notification
that names the folder and anything the backend would not give back. Handlers go by name
(`on_archive_progressed`): Textual's `@on` registers only in classes built by its message-pump type.
"""

from __future__ import annotations

from tunescope.jobs.archive import MANIFEST
from tunescope.jobs.errors import JobsError
from tunescope.tokens.models import ModelTableError, load_models
from tunescope.tokens.retirement import job_cutoff
from tunescope.tui import keymap
from tunescope.tui.dialogs.jobs.archive_folder import ArchiveFolderScreen, default_folder
from tunescope.tui.jobs_poller import archive_jobs
from tunescope.tui.messages import ArchiveProgressed, JobsArchived


class JobsArchiving:
    """The archive action and its two messages; `self` is the JobsScreen."""

    archiving: str | None = None
    """"3/12" while an archive is written (shown in the title), else None."""

    def tell_wind_down(self) -> None:
        """On OpenAI, once per app run: how long jobs can still start there, and that the archive key keeps
        every job on disk before its fine-tunes shut down (field-2026-12: make the deadline visible)."""
        try:
            if self.backend.profile().kind != "openai" or getattr(self.app, "wind_down_told", False):
                return
            cutoff = job_cutoff(load_models().wind_down)
        except (JobsError, ModelTableError):
            return
        if cutoff is None:
            return
        self.app.wind_down_told = True
        key = keymap.live_key(self, "jobs.archive")
        keep = (f" {key} keeps every job's record, events, results and files on disk before its fine-tunes "
                "shut down with their models." if key else "")
        self.notify(cutoff.sentence() + keep, title="OpenAI's fine-tuning wind-down", severity="warning", timeout=15)

    def action_archive_jobs(self) -> None:
        if self.archiving is not None:
            self.notify("An archive is being written; it says when it is done.")
            return
        folder = default_folder(self.backend.profile_name() or "backend")
        self.app.push_screen(ArchiveFolderScreen(folder, self.count if self.listed else None), self._archive_to)

    def _archive_to(self, folder: str | None) -> None:
        if not folder:
            return
        self.archiving = "…"
        self.update_title()
        archive_jobs(self.backend, folder, self.post_message)

    def on_archive_progressed(self, event: ArchiveProgressed) -> None:
        self.archiving = f"{event.n}/{event.total}"
        self.update_title()

    def on_jobs_archived(self, event: JobsArchived) -> None:
        self.archiving = None
        self.update_title()
        if event.error:
            self.notify(event.error, title="Archive not written", severity="error", timeout=12)
            return
        result = event.result
        lines = [f"{len(result.jobs)} job(s) kept in {event.folder} ({result.downloaded_bytes / 1e6:,.1f} MB "
                 f"downloaded); {MANIFEST} lists what is there."]
        unfinished = sum(1 for j in result.jobs if j.note)
        if unfinished:
            lines.append(f"{unfinished} job(s) had not finished: archive again once they have.")
        problems = [f"{j.id}: {p['what']}" for j in result.jobs for p in j.problems]
        if problems:
            lines.append(f"Not kept ({len(problems)}): " + "; ".join(problems[:3]) + ("; …" if len(problems) > 3 else ""))
        self.notify("\n".join(lines), title="Jobs archived", severity="warning" if problems else "information",
                    timeout=15)
