"""Launchers for the jobs screens' background work: polling, job control, starting a job.

Every call to the backend is blocking HTTP, so it runs in a daemon thread
that takes immutable inputs, calls the jobs package and only posts messages
(tui/messages.py); the screens' handlers own all state. Daemon threads (not
Textual thread workers, which the event loop joins on exit) mean quitting
never waits for a request in flight. Each thread stops when its
`threading.Event` is set: the poller when its screen goes away or the app
quits, an upload between two chunks.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from textual.message import Message

from tunescope.jobs.archive import JobArchiver
from tunescope.jobs.errors import JobsError, sdk_errors
from tunescope.jobs.follow import EventFollower, recovered
from tunescope.jobs.upload import PreflightFailed
from tunescope.tui.jobs_connection import StartedFiles
from tunescope.tui.messages import (ArchiveProgressed, JobActionDone, JobFollowed, JobsArchived, JobsListed,
                                    JobsProblem, JobsRecovered, JobStarted, JobStartFailed, JobStartStep,
                                    UploadProgressed)
from tunescope.tui.workers import describe_error, start_daemon

Post = Callable[[Message], Any]

MAX_EVENTS = 2000
"""Events handed to a screen when it starts following a job (older ones stay on the server)."""
LIST_LIMIT = 50
IDLE_INTERVAL = 5.0
"""Seconds between polls while no listed job is active (new jobs started here wake the poller at once)."""
STOP_KINDS = ("config", "auth", "permission", "cancelled")
"""Errors that polling again cannot fix: the poller waits for a refresh (R) instead."""


# -- polling ------------------------------------------------------------------------------
class JobsPoller:
    """Polls the jobs list and the selected job every `interval` seconds while active.

    `select(job_id)` returns a generation number: the next message for that
    selection carries the whole history (reset), later ones only what is new,
    so a screen can drop messages of an older selection. `pause()` (screen
    hidden) stops requests without losing the followers; `stop()` ends the thread.
    """

    def __init__(self, backend, post: Post, interval: float = 1.0) -> None:
        self.backend = backend
        self.post = post
        self.interval = interval
        self.stop_event = threading.Event()
        self.active = threading.Event()
        self.wake_event = threading.Event()
        self.selected: tuple[str | None, int] = (None, 0)
        self.rounds = 0
        self.last_round_seconds = 0.0
        self._followers: dict[str, Any] = {}
        self._sent_generation = -1
        self._last_status: dict[str, str] = {}
        self._last_listed: list | None = None
        self._last_followed = None
        self._idle = False
        self._problem: str | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.active.set()
        if self._thread is None:
            self._thread = start_daemon(self._run, name="tunescope-jobs-poll")

    def stop(self) -> None:
        self.stop_event.set()
        self.active.set()
        self.wake_event.set()

    def pause(self) -> None:
        self.active.clear()

    def resume(self) -> None:
        self.active.set()
        self.wake_event.set()

    def wake(self) -> None:
        """Poll now (refresh, a job action finished); a problem that persists is reported again."""
        self._problem = None
        self.wake_event.set()

    def select(self, job_id: str | None) -> int:
        generation = self.selected[1] + 1
        self.selected = (job_id, generation)
        self.wake_event.set()
        return generation

    # -- the loop -----------------------------------------------------------------------
    def _run(self) -> None:
        failures = 0
        stopped = False
        while not self.stop_event.is_set():
            if not self.active.is_set():
                self.active.wait()
                continue
            if stopped and not self.wake_event.is_set():
                self.wake_event.wait()
            self.wake_event.clear()
            if self.stop_event.is_set():
                break
            try:
                self._round()
                if failures:
                    self._problem = None
                    self.post(JobsRecovered())
                failures, stopped = 0, False
            except JobsError as exc:
                if exc.kind == "connection" and self.backend.connected and recovered(self.backend.jobs()):
                    continue                 # the local server this joined went away: the app serves it now
                failures += 1
                stopped = exc.kind in STOP_KINDS
                self._report(exc.message, exc.kind, stopped)
            except Exception as exc:  # noqa: BLE001 - a bug or an odd server must not kill polling silently
                failures += 1
                self._report(f"polling jobs failed: {describe_error(exc)}", "error", False)
            if self.stop_event.is_set():
                break
            delay = self.interval if failures == 0 else min(30.0, self.interval * 2 ** min(failures, 5))
            if failures == 0 and self._idle:
                delay = max(delay, IDLE_INTERVAL)
            self.wake_event.wait(delay)

    def _report(self, text: str, kind: str, stopped: bool) -> None:
        if self.stop_event.is_set() or text == self._problem:
            return
        self._problem = text
        self.post(JobsProblem(text, kind, stopped))

    def _round(self) -> None:
        started = time.perf_counter()
        jobs = self.backend.jobs()
        page = jobs.list(limit=LIST_LIMIT)
        if self.stop_event.is_set():
            return
        self.last_round_seconds = time.perf_counter() - started
        if page.items != self._last_listed:          # nothing changed: no message, no repaint
            self._last_listed = page.items
            self.post(JobsListed(page.items, page.has_more, self.last_round_seconds))
        self._idle = not any(not j.done for j in page.items)
        job_id, generation = self.selected
        if job_id is not None:
            self._follow(jobs, job_id, generation, {j.id: j for j in page.items}.get(job_id))
        self.rounds += 1
        self.last_round_seconds = time.perf_counter() - started

    def _follow(self, jobs, job_id: str, generation: int, job) -> None:
        reset = generation != self._sent_generation
        if not reset and job is not None and job == self._last_followed and job.done:
            return                                   # finished and fully shown: nothing more will come
        if job is None:
            job = jobs.get(job_id)
        follower = self._followers.get(job_id)
        if follower is None:
            follower = self._followers[job_id] = EventFollower(jobs, job_id)
        fresh = follower.poll()
        status_changed = self._last_status.get(job_id) != job.status
        self._last_status[job_id] = job.status
        checkpoints = None
        if reset or status_changed or any(_marks_checkpoint(e) for e in fresh) or (
                not job.done and self.rounds % 10 == 0):
            checkpoints = jobs.checkpoints(job_id)
        files = self._filenames(jobs, job) if job.failure is not None else {}
        if self.stop_event.is_set() or self.selected[1] != generation:
            return
        if reset:
            events, metrics = follower.events[-MAX_EVENTS:], follower.metrics
        else:
            events, metrics = fresh, [e.metrics for e in fresh if e.metrics is not None]
        unchanged = not reset and not fresh and checkpoints is None and job == self._last_followed
        self._sent_generation, self._last_followed = generation, job
        if unchanged:
            return
        self.post(JobFollowed(job, list(events), list(metrics), checkpoints, reset, generation, files))

    def _filenames(self, jobs, job) -> dict:
        """Server-side names of a failed job's files (to tell whether the open dataset is the one)."""
        out = {}
        for file_id in (job.training_file, job.validation_file):
            if not file_id:
                continue
            name = self.backend.filenames.get(file_id)
            if name is None:
                try:
                    with sdk_errors(f"get {file_id}", jobs.host, jobs.secrets):
                        name = getattr(jobs.client.files.retrieve(file_id), "filename", "") or ""
                except JobsError:
                    name = ""
                self.backend.filenames[file_id] = name
            out[file_id] = name
        return out


def _marks_checkpoint(event) -> bool:
    metrics = event.metrics
    return (metrics is not None and metrics.full_valid_loss is not None) or event.message.startswith(
        ("Checkpoint created", "New fine-tuned model"))


# -- one-off work ---------------------------------------------------------------------------
def control_job(backend, action: str, job_id: str, post: Post) -> threading.Thread:
    """cancel / pause / resume `job_id` in a daemon thread; posts JobActionDone."""

    def run() -> None:
        try:
            job = getattr(backend.jobs(), action)(job_id)
        except JobsError as exc:
            post(JobActionDone(action, job_id, error=exc.message))
            return
        except Exception as exc:  # noqa: BLE001
            post(JobActionDone(action, job_id, error=f"{action} failed: {describe_error(exc)}"))
            return
        post(JobActionDone(action, job_id, job=job))

    return start_daemon(run, name=f"tunescope-job-{action}")


def archive_jobs(backend, folder: str, post: Post) -> threading.Thread:
    """`tunescope jobs archive` in a daemon thread: posts ArchiveProgressed per job, then JobsArchived."""

    def run() -> None:
        try:
            archiver = JobArchiver(backend.jobs(), folder, backend.describe())
            result = archiver.run(progress=lambda entry, n, total: post(ArchiveProgressed(n, total)))
        except JobsError as exc:
            post(JobsArchived(folder, error=exc.message))
            return
        except Exception as exc:  # noqa: BLE001
            post(JobsArchived(folder, error=f"archive failed: {describe_error(exc)}"))
            return
        post(JobsArchived(folder, result=result))

    return start_daemon(run, name="tunescope-jobs-archive")


@dataclass(frozen=True)
class JobRequest:
    """Everything the start-job dialog decided (`dataclasses.replace` makes a changed copy)."""

    path: str
    model: str
    method: str = "supervised"
    epochs: int | None = None
    suffix: str | None = None
    validation: str | None = None
    force: bool = False
    seed: int | None = None
    training_type: str | None = None        # Azure's trainingType (GlobalStandard, Standard, developerTier)


def start_job(backend, request: JobRequest, post: Post, cancel: threading.Event) -> threading.Thread:
    """Upload (pre-flight checked unless forced) and create the job in a daemon thread."""

    def progress_for(role: str):
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if done >= total or now - last[0] > 0.1:
                last[0] = now
                post(UploadProgressed(done, total, role))
        return progress

    def run() -> None:
        try:
            post(JobStartStep("connecting to the backend"))
            jobs = backend.jobs()
            jobs.ensure_can_start(request.model)
            post(JobStartStep("checking and uploading the training file"))
            train = jobs.upload(request.path, progress_for("training"), force=request.force, model=request.model,
                                method=request.method, cancel=cancel)
            valid = None
            if request.validation:
                post(JobStartStep("checking and uploading the validation file"))
                valid = jobs.upload(request.validation, progress_for("validation"), force=request.force,
                                    model=request.model, method=request.method, role="validation", cancel=cancel)
            if cancel.is_set():
                post(JobStartFailed("not started: cancelled before the job was created", "cancelled"))
                return
            post(JobStartStep("creating the job"))
            hyper = {"n_epochs": request.epochs} if request.epochs else None
            job = jobs.create(request.model, train, validation_file=valid, method=request.method,
                              hyperparameters=hyper, suffix=request.suffix or None, seed=request.seed,
                              extra_body={"trainingType": request.training_type} if request.training_type else None)
        except PreflightFailed as exc:
            post(JobStartFailed(exc.message, "preflight"))
            return
        except JobsError as exc:
            post(JobStartFailed(exc.message, exc.kind))
            return
        except Exception as exc:  # noqa: BLE001
            post(JobStartFailed(f"could not start the job: {describe_error(exc)}"))
            return
        backend.started[job.id] = StartedFiles(request.path, request.validation)
        post(JobStarted(job))

    return start_daemon(run, name="tunescope-job-start")
