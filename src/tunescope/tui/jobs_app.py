"""The app's side of the jobs screens: one backend connection and two actions.

A mixin for `TunescopeApp`, so the app module stays about composition: the
dataset screen's `J` and `T` keys run `app.open_jobs` and `app.start_job`,
and the connection (with the local server, when that is the backend) is
closed when the app unmounts.
"""

from __future__ import annotations

from tunescope.tui.jobs_connection import JobsBackend


class JobsAppMixin:
    """Mixed into TunescopeApp before `App`."""

    jobs_backend: JobsBackend

    def init_jobs(self, backend=None) -> None:
        self.jobs_backend = JobsBackend(backend)

    def action_open_jobs(self, select: str | None = None) -> None:
        from tunescope.tui.screens.jobs import open_jobs

        open_jobs(self, select)

    def action_start_job(self) -> None:
        from tunescope.tui.dialogs.start_job import start_job_from

        start_job_from(self)

    def on_unmount(self) -> None:
        backend = getattr(self, "jobs_backend", None)
        if backend is not None:
            backend.close()
