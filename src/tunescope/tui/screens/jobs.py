"""The jobs screen: every job on the backend, and the selected one watched live.

k9s-style: the list on top (newest first), below it the selected job's
summary, loss chart, checkpoints and events, all kept current by a
`JobsPoller` thread (jobs_poller.py) that polls while the screen is shown
and stops when it goes away. Cancelling asks first (it cannot be undone);
pausing and resuming do not. A failed job whose error names a line of the
open dataset jumps there with `o` (one trained from another file offers to open
that file), `n` starts a new job, `b` picks the backend and `y` copies the
fine-tuned model id; navigation is asked of the App (`ShowLineRequested`,
`StartJobRequested`, `use_backend`, `open_dataset_file`), which owns it.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from tunescope.tui import keymap
from tunescope.tui.dialogs.jobs.backend_picker import BackendPickerScreen
from tunescope.tui.dialogs.confirm import ConfirmScreen
from tunescope.tui.jobs_connection import backend_choices
from tunescope.tui.screens.chat import ChatScreen
from tunescope.tui.screens.jobs_archive import JobsArchiving
from tunescope.tui.jobs_poller import JobsPoller, control_job
from tunescope.tui.messages import (CompareRequested, JobActionDone, JobFollowed, JobsListed, JobsProblem,
                                    JobsRecovered, ShowLineRequested, StartJobRequested)
from tunescope.tui.widgets.jobs.event_log import EventLog
from tunescope.tui.widgets.jobs.job_detail import CheckpointsTable, JobSummary
from tunescope.tui.widgets.jobs.job_files import file_name, is_open_dataset, local_path
from tunescope.tui.widgets.jobs.jobs_list import JobsList
from tunescope.tui.widgets.jobs.loss_chart import LossChart


class JobsScreen(JobsArchiving, Screen):
    """Jobs list + live detail of the selected job."""

    BINDINGS = keymap.JOBS_BINDINGS
    HELP_TITLE = "Jobs"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]

    DEFAULT_CSS = """
    JobsScreen {
        layout: vertical;
        & #jobs-title { height: 1; padding: 0 1; background: $panel; color: $text; text-wrap: nowrap;
                        text-overflow: ellipsis; }
        & JobsList { height: 2; background: $surface; }
        & #job-body { height: 3fr; min-height: 3; }
        & LossChart { width: 1fr; border-top: solid $foreground 20%; border-title-color: $text-muted; }
        & CheckpointsTable { width: 50; border-top: solid $foreground 20%; border-left: solid $foreground 20%;
                             border-title-color: $text-muted; }
        &.-narrow CheckpointsTable { width: 25; }
        & EventLog { height: 2fr; min-height: 3; border-top: solid $foreground 20%; border-title-color: $text-muted;
                     border-subtitle-color: $text-warning; }
        & EventLog:focus { border-top: solid $primary; }
    }
    """
    LIST_ROWS = {"-narrow": 5, "-wide": 10}
    """At most this many jobs show at once (the list scrolls); the rest of the height is the job's."""

    def __init__(self, backend, select: str | None = None, interval: float | None = None) -> None:
        super().__init__()
        self.backend = backend
        self.pending_select = select
        self.interval = interval or backend.poll_interval or (1.0 if backend.is_local else 2.0)
        self.poller: JobsPoller | None = None
        self.generation = 0
        self.job = None
        self.metrics: dict[int, object] = {}
        self.files: dict[str, str] = {}
        self.checkpoints: list = []
        self.problem: str | None = None
        self.listed = False
        self.count = 0

    # -- composition ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="jobs-title", markup=False)
        yield JobsList(id="jobs-list")
        yield JobSummary("", id="job-summary")
        with Horizontal(id="job-body"):
            yield LossChart(id="loss-chart")
            yield CheckpointsTable(id="checkpoints")
        yield EventLog(id="event-log")
        yield Footer()

    @property
    def jobs_list(self) -> JobsList:
        return self.query_one(JobsList)

    @property
    def chart(self) -> LossChart:
        return self.query_one(LossChart)

    @property
    def event_log(self) -> EventLog:
        return self.query_one(EventLog)

    @property
    def checkpoints_table(self) -> CheckpointsTable:
        return self.query_one(CheckpointsTable)

    @property
    def summary(self) -> JobSummary:
        return self.query_one(JobSummary)

    def on_mount(self) -> None:
        self.checkpoints_table.border_title = "Checkpoints"
        self.event_log.border_title = "Events"
        self.update_title()
        self.summary.show(None)
        self.chart.set_metrics([], empty_text="Select a job to see its loss curve.")
        self.checkpoints_table.show([])
        self.jobs_list.focus()
        self.poller = JobsPoller(self.backend, self.post_message, self.interval)
        self.poller.start()
        self.tell_wind_down()

    def on_unmount(self) -> None:
        if self.poller is not None:
            self.poller.stop()

    def on_screen_suspend(self) -> None:
        if self.poller is not None:
            self.poller.pause()

    def on_screen_resume(self) -> None:
        if self.poller is not None:
            self.poller.resume()
        self.chart.set_scores(self.app.eval_scores.get(self.job.id, []) if self.job else [])

    def update_title(self) -> None:
        parts = [f"Jobs · {self.backend.describe()}"]
        if self.listed:
            parts.append(f"{self.count} job{'s' if self.count != 1 else ''}")
        if self.archiving:
            parts.append(f"archiving {self.archiving}")
        if self.problem:
            parts.append(f"⚠ {self.problem}")
        elif not self.listed:
            parts.append("connecting…")
        self.query_one("#jobs-title", Static).update(" · ".join(parts))

    # -- poller messages ------------------------------------------------------------------------
    @on(JobsListed)
    def _listed(self, event: JobsListed) -> None:
        self.listed, self.problem = True, None
        self.count = len(event.jobs)
        keep = self.pending_select if self.pending_select and any(j.id == self.pending_select
                                                                   for j in event.jobs) else None
        if keep:
            self.pending_select = None
        self.jobs_list.empty_text = ("No jobs yet. Press n (or T on the dataset screen) to start one."
                                     if not event.jobs else "")
        self.jobs_list.set_jobs(event.jobs, keep=keep)
        self.fit_list()
        self.update_title()

    def fit_list(self) -> None:
        cap = self.LIST_ROWS["-wide" if self.has_class("-wide") else "-narrow"]
        rows = 1 + max(1, min(len(self.jobs_list.jobs), cap))
        if self.jobs_list.styles.height is None or self.jobs_list.styles.height.value != rows:
            self.jobs_list.styles.height = rows

    def on_resize(self) -> None:
        self.fit_list()

    @on(JobsList.Highlighted)
    def _highlighted(self, event: JobsList.Highlighted) -> None:
        self.follow(event.job_id)

    def follow(self, job_id: str | None) -> None:
        """Start following another job: clear the detail panes until its history arrives."""
        self.job = self.jobs_list.selected if job_id else None
        self.metrics, self.checkpoints, self.files = {}, [], {}
        self.generation = self.poller.select(job_id) if self.poller is not None else 0
        self.summary.show(self.job)
        self.chart.set_metrics([], empty_text="Loading…" if job_id else "No job selected.")
        self.checkpoints_table.show([], "Loading…" if job_id else "")
        self.event_log.show_message("Loading events…" if job_id else "No job selected.")
        self.refresh_bindings()

    def select_job(self, job_id: str) -> None:
        if not self.jobs_list.select(job_id):
            self.pending_select = job_id
            if self.poller is not None:
                self.poller.wake()

    @on(JobFollowed)
    def _followed(self, event: JobFollowed) -> None:
        if event.generation != self.generation:
            return
        job = event.job
        status_changed = self.job is None or self.job.status != job.status or event.reset
        self.job = job
        self.files.update(event.files)
        self.jobs_list.update_job(job)
        if event.reset:
            self.metrics = {}
        for m in event.metrics:
            old = self.metrics.get(m.step)
            if old is not None:
                for name in ("train_loss", "valid_loss", "full_valid_loss", "train_mean_token_accuracy",
                             "total_steps"):
                    if getattr(m, name) is None:
                        setattr(m, name, getattr(old, name))
            self.metrics[m.step] = m
        ordered = [self.metrics[s] for s in sorted(self.metrics)]
        latest = ordered[-1] if ordered else None
        self.summary.show(job, latest)
        if event.reset or event.metrics or status_changed:    # the empty chart explains the status
            self.chart.set_metrics(ordered, empty_text=self._no_curve_text(job))
            self.chart.set_scores(self.app.eval_scores.get(job.id, []))
        if event.checkpoints is not None:
            self.checkpoints = event.checkpoints
            self.checkpoints_table.show(event.checkpoints, "No checkpoints." if job.done else
                                        "No checkpoints yet (one per epoch).")
        if event.reset and not event.events:
            self.event_log.show_message("No events yet.")
        else:
            self.event_log.show_events(event.events, reset=event.reset)
        if status_changed:
            self.refresh_bindings()                  # cancel/pause/resume/open depend on the status

    @staticmethod
    def _no_curve_text(job) -> str:
        if job.status in ("validating_files", "queued"):
            return "Waiting for training to start: the curve appears with the first step."
        if job.status == "failed" and job.failure is not None:
            failure = job.failure
            where = (f"\n\nIt points at {failure.file} file {failure.where}: press o to open that line in the dataset."
                     if failure.line is not None else "")
            return f"✗ The job failed before training ({failure.code or 'no code'}):\n{failure.message}{where}"
        return "No metrics reported for this job."

    @on(JobsProblem)
    def _problem(self, event: JobsProblem) -> None:
        self.problem = event.text if not event.stopped else f"{event.text} (R retries)"
        self.update_title()
        self.notify(event.text, title="Jobs backend", severity="error", timeout=10)
        if not self.listed:
            self.jobs_list.empty_text = "Cannot list jobs (see the message above)."
            self.jobs_list.refresh()

    @on(JobsRecovered)
    def _recovered(self, event: JobsRecovered) -> None:
        self.problem = None
        self.update_title()

    @on(JobActionDone)
    def _action_done(self, event: JobActionDone) -> None:
        if event.error:
            self.notify(event.error, title=f"Could not {event.action} the job", severity="error", timeout=10)
        else:
            self.notify(f"{event.action}: {event.job_id} is now {event.job.status}")
            self.jobs_list.update_job(event.job)
            if self.job is not None and self.job.id == event.job_id:
                self.job = event.job
                self.refresh_bindings()
        if self.poller is not None:
            self.poller.wake()

    # -- actions ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters) -> bool | None:
        job = self.job
        if action == "cancel_job":
            return True if job is not None and not job.done else None
        if action == "pause_job":
            return True if job is not None and job.status in ("queued", "running") else None
        if action == "resume_job":
            return True if job is not None and job.status == "paused" else None
        if action == "open_failure":
            return True if job is not None and job.failure is not None else None
        if action == "copy_model":
            return True if job is not None and job.fine_tuned_model else None
        return True

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_cursor_up(self) -> None:
        self._move(-1)

    def _move(self, step: int) -> None:
        focused = self.focused
        if focused is None or isinstance(focused, JobsList):
            self.jobs_list.cursor += step
        else:
            focused.scroll_relative(y=step, animate=False)

    def action_details(self) -> None:
        self.event_log.focus()

    def action_back(self) -> None:
        if not isinstance(self.focused, JobsList):
            self.jobs_list.focus()
        else:
            self.app.pop_screen()

    def action_refresh(self) -> None:
        if self.poller is not None:
            self.poller.wake()
        self.notify("refreshing…", timeout=1.5)

    def action_cancel_job(self) -> None:
        job = self.job
        if job is None or job.done:
            return

        def done(yes: bool | None) -> None:
            if yes:
                control_job(self.backend, "cancel", job.id, self.post_message)
        self.app.push_screen(ConfirmScreen(
            f"Cancel {job.id} ({job.model}, {job.status})? This cannot be undone: the job stops for good"
            + (" (a simulation on the local server: it costs nothing)." if self.backend.is_local else
               " and the steps trained so far are still billed."), danger=True, yes_label="Cancel job",
            no_label="Keep running"), done)

    def action_pause_job(self) -> None:
        if self.job is not None:
            control_job(self.backend, "pause", self.job.id, self.post_message)

    def action_resume_job(self) -> None:
        if self.job is not None:
            control_job(self.backend, "resume", self.job.id, self.post_message)

    def action_new_job(self) -> None:
        self.post_message(StartJobRequested())

    def action_compare(self) -> None:
        job = self.job
        if job is None or job.status != "succeeded":
            self.notify("Select a succeeded job to compare its model with its base model.", severity="warning")
            return
        steps = [f"{job.id}:ckpt-{c.step}" for c in self.checkpoints]  # the last one is the fine-tuned model
        self.post_message(CompareRequested((job.model, *(steps or [job.id]))))

    def action_choose_backend(self) -> None:
        current = self.backend.profile_name()

        def chosen(name: str | None) -> None:
            if name and name != current:
                self.app.use_backend(name)
        self.app.push_screen(BackendPickerScreen(backend_choices(), current), chosen)

    def action_copy_model(self) -> None:
        job = self.job
        if job is None or not job.fine_tuned_model:
            self.notify("this job has no fine-tuned model (yet)", severity="warning")
            return
        self.app.copy_to_clipboard(job.fine_tuned_model)
        self.notify(f"copied {job.fine_tuned_model}", title="Fine-tuned model")

    def action_chat_model(self) -> None:
        job = self.job
        if job is None or job.status != "succeeded" or not job.fine_tuned_model:
            self.notify("Select a succeeded job to chat with its fine-tuned model.", severity="warning")
            return
        self.app.push_screen(ChatScreen(self.backend, job.fine_tuned_model))

    def action_open_failure(self) -> None:
        job = self.job
        failure = job.failure if job is not None else None
        if failure is None:
            self.notify("this job has not failed", severity="warning")
            return
        if failure.line is None:
            self.notify(f"{failure.message}\nThe error does not point at a line of the file.",
                        title="Why the job failed", severity="warning", timeout=10)
            return
        dataset = self.app.dataset_screen
        if dataset is None or dataset.state is None:
            self.notify("No dataset is open: open the file with `tunescope FILE`.", severity="warning")
            return
        if not is_open_dataset(self.backend.started, self.files, job, failure.file, dataset.path):
            self.offer_other_file(job, failure, dataset)
            return
        self.post_message(ShowLineRequested(failure.line, failure.message_index, title="Why the job failed",
                                            note=f"{failure.where}: {failure.message}"))

    def offer_other_file(self, job, failure, dataset) -> None:
        """The job trained on another file: offer to open it at the failing line (when it is on this machine)."""
        name = file_name(self.backend.started, self.files, job, failure.file)
        path = local_path(name, dataset.path)
        if path is None:
            self.notify(f"The error is at line {failure.line} of {name}, but {dataset.display_name} is open and "
                        f"{name} is not on this machine: open it with `tunescope PATH` to fix it.",
                        severity="warning", timeout=10)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.open_dataset_file(path, failure.line, failure.message_index,
                                           note=f"{failure.where}: {failure.message}")
        self.app.push_screen(ConfirmScreen(
            f"The job failed at line {failure.line} of {path}, not of {dataset.display_name}. Open {path} there?",
            yes_label="Open it", no_label="Stay"), answered)
