"""The Textual app: settings, model and file in; the dataset screen out.

Composition and navigation. The App moves between screens and dialogs
(`open_jobs`, `start_job`, `show_line`), so screens and dialogs never import
each other: keys run these as `app.` actions and screens post request
messages (`StartJobRequested`, `ShowLineRequested`). It also holds the one
connection to the jobs backend and the one handler for failed workers.
`make_app` is the one way to build the app, shared by the CLI, the tests, the
screenshot script and the benchmark.
"""

from __future__ import annotations

import os
import shutil
from importlib import resources
from pathlib import Path

from textual import on
from textual.app import App
from textual.worker import Worker, WorkerState

from tunescope.checks.model import CheckOptions
from tunescope.config import ConfigError, Settings, data_dir, load_settings
from tunescope.tokens.models import load_models
from tunescope.tui import keymap
from tunescope.tui.dialogs.confirm import ConfirmScreen
from tunescope.tui.dialogs.file_picker import FilePickerScreen
from tunescope.tui.dialogs.start_job import DatasetToTrain, StartJobScreen
from tunescope.tui.app_commands import AppCommands
from tunescope.tui.jobs_connection import JobsBackend
from tunescope.tui.messages import (CheckpointScores, CompareRequested, DatasetSaved, ExampleShown, SaveRejected, ShowLineRequested,
                                    StartJobRequested)
from tunescope.tui.screens.compare import CompareScreen
from tunescope.tui.screens.dataset import DatasetScreen
from tunescope.tui.screens.jobs import JobsScreen
from tunescope.tui.workers import describe_error

SAMPLE_NAME = "sample.jsonl"
PARALLEL_CHECK_BYTES = 4 * 1024 * 1024   # the checker's threshold for worker processes


def sample_path() -> Path:
    """A private copy of the bundled sample (edits and saves never touch the package)."""
    target = data_dir() / SAMPLE_NAME
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with resources.as_file(resources.files("tunescope") / "data" / SAMPLE_NAME) as source:
            shutil.copyfile(source, target)
    return target


def resolve_model(name: str | None, settings: Settings):
    """(ModelInfo or None, CheckOptions, problem) for a model name; never raises."""
    wanted = name or settings.model
    try:
        table = load_models()
        try:
            info = table.get(wanted)
            problem = None
        except KeyError as exc:
            info = table.get(None)
            problem = f"{exc}; using {info.name}"
    except Exception as exc:  # a broken user model table must not stop the app
        return None, CheckOptions(model=wanted), f"model table unavailable ({exc}); limits are unknown"
    return info, CheckOptions(model=info.name, token_limit=info.token_limit, encoding=info.encoding), problem


class TunescopeApp(AppCommands, App):
    """Review and fix a fine-tuning dataset from the keyboard; start and watch fine-tuning jobs."""

    CSS_PATH = "app.tcss"
    TITLE = "tunescope"
    BINDINGS = keymap.APP_BINDINGS
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]

    def __init__(self, path: str | None, model: str | None = None, allow_estimate: bool = False,
                 backend=None, settings: Settings | None = None, problems: list[str] | None = None) -> None:
        super().__init__()
        self.animation_level = "none"
        self.settings = settings or Settings()
        self.path = path
        self.model_name = model
        self.allow_estimate = allow_estimate or self.settings.allow_estimate
        self.backend = backend
        self.jobs_backend = JobsBackend(backend)
        """The one connection to the fine-tuning backend, opened on first use, closed on unmount."""
        self.start_after_save: DatasetScreen | None = None
        """The dataset screen whose save (asked for by `start_job`) opens the start-job dialog once it is done."""
        self.wanted_message: tuple[int, int] | None = None
        """(line, message index) to select in the viewer whenever it shows that line afresh (`show_line`),
        until it has shown that line and then another one."""
        self.wanted_line_shown = False
        self.last_compare: CompareScreen | None = None
        """The Compare screen opened last: opening Compare again on the same file shows its results."""
        self.trained_from: dict[str, tuple[str, str]] = {}
        """(base model, job id) of the last job started on each file here: Compare offers base against it."""
        self.eval_scores: dict[str, list[tuple[int, float]]] = {}
        """Evaluation pass rate per checkpoint step, by job id (the jobs screen overlays it on the loss chart)."""
        self.problems = list(problems or [])
        valid, keymap_problems = keymap.user_keymap(self.settings.keymap)
        self.problems += keymap_problems
        if valid:
            self.set_keymap(valid)

    def notify(self, message: str, *, markup: bool = False, **kwargs) -> None:
        """Every notification is plain text: they quote file names, job errors and data, where "[/]" would
        crash the app (MarkupError) and "[EMAIL]" vanish. Widgets' notify passes markup=True: ignored."""
        super().notify(message, markup=False, **kwargs)

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        if self.path is not None and os.path.isdir(self.path):     # a folder: choose a file in it first
            self.push_screen(FilePickerScreen(self.path), self._file_picked)
        else:
            self.push_screen(self.make_dataset_screen(self.model_name))
        for problem in self.problems:
            self.notify(problem, severity="warning", timeout=10)

    def on_unmount(self) -> None:
        self.jobs_backend.close()

    def _file_picked(self, path: str | None) -> None:
        if path is None:
            self.exit()
            return
        self.path = path
        self.push_screen(self.make_dataset_screen(self.model_name))

    def make_dataset_screen(self, model: str | None) -> DatasetScreen:
        info, options, problem = resolve_model(model, self.settings)
        if problem:
            self.notify(problem, title="Model", severity="warning", timeout=10)
        open_error = None
        display = "sample"
        path = self.path
        if path is None:
            try:
                path = str(sample_path())
                display = "sample.jsonl (bundled)"
            except OSError as exc:
                open_error = f"cannot copy the bundled sample: {exc}"
        else:
            display = os.path.basename(path) or path
            if os.path.isdir(path):
                open_error = f"{path} is a directory; open a .jsonl file"
            elif not os.path.exists(path):
                open_error = f"{path} does not exist"
        return DatasetScreen(path, display, options, info, self.settings, self.allow_estimate, open_error)

    @property
    def dataset_screen(self) -> DatasetScreen | None:
        for screen in reversed(self.screen_stack):
            if isinstance(screen, DatasetScreen):
                return screen
        return None

    def change_model(self, name: str) -> None:
        """Re-open the dataset screen for another model (limits, encoding and cost change)."""
        screen = self.dataset_screen
        if screen is None or screen.state is None:
            return
        if screen.state.session is not None and screen.state.session.dirty:
            self.notify("save or undo your edits before changing the model", severity="warning")
            return
        self.model_name = name
        row = screen.current_row()
        origin = screen.state.origin(row) if row is not None else None
        line = origin + 1 if origin is not None else None
        pane = screen.panes.current()
        screen.stop_background_work()
        fresh = self.make_dataset_screen(name)
        self.switch_screen(fresh)
        self._when_checked(fresh, lambda: self._restore_place(fresh, line, pane))

    def _restore_place(self, screen: DatasetScreen, line: int | None, pane: str) -> None:
        """Put a re-opened dataset screen back on `line` with side pane `pane` (a model change keeps both)."""
        row = screen.state.row_for_line(line) if line is not None else None
        if row is not None:
            screen.jump_to_row(row)
        screen.show_pane(pane)

    def open_dataset_file(self, path: str, line: int | None = None, message_index: int | None = None,
                          note: str = "") -> None:
        """Open another dataset file (refused with unsaved edits), then show `line` once it is checked."""
        screen = self.dataset_screen
        if screen is not None and screen.state is not None and screen.state.session is not None \
                and screen.state.session.dirty:
            self.notify("save or undo your edits before opening another file", severity="warning")
            return
        self.path = path
        while self.screen is not screen and len(self.screen_stack) > 1:
            self.pop_screen()
        if screen is not None:
            screen.stop_background_work()
        fresh = self.make_dataset_screen(self.model_name)
        (self.switch_screen if screen is not None else self.push_screen)(fresh)
        if line is not None:
            self._when_checked(fresh, lambda: self._show_failure(line, message_index, note))

    def _show_failure(self, line: int, message_index: int | None, note: str) -> None:
        if self.show_line(line, message_index) and note:
            self.notify(note, title="Why the job failed", severity="error", timeout=10)

    def _when_checked(self, screen: DatasetScreen, then, tries: int = 150) -> None:
        """Run `then()` once a dataset screen just opened has its check report (polled 0.2 s apart, up to
        30 s); never if another screen has replaced it meanwhile."""
        if screen is not self.dataset_screen or tries <= 0:
            return
        if screen.state is None or screen.state.report is None:
            self.set_timer(0.2, lambda: self._when_checked(screen, then, tries - 1))
            return
        then()

    def use_backend(self, name: str) -> None:
        """Run jobs on backend `name` (a kind or a saved profile) from now on; an open jobs screen follows."""
        old, self.jobs_backend = self.jobs_backend, JobsBackend(name)
        self.run_worker(old.close, thread=True, name="close the previous backend", exit_on_error=False)
        self.notify(f"jobs now run on {self.jobs_backend.describe()}", title="Backend")
        if isinstance(self.screen, JobsScreen):      # a jobs screen further down is replaced by open_jobs
            self.pop_screen()
            self.push_screen(JobsScreen(self.jobs_backend))

    def reload_dataset(self, path: str | None) -> None:
        """Open `path` afresh in place of the dataset screen (R: reload from disk, after a save-as too)."""
        if path is not None:
            self.path = path
        self.switch_screen(self.make_dataset_screen(self.model_name))

    # -- navigation ---------------------------------------------------------------------------
    def open_jobs(self, select: str | None = None) -> None:
        """Show the jobs screen (the one already open, if any), optionally on job `select`."""
        for screen in self.screen_stack:
            if isinstance(screen, JobsScreen) and screen.backend is not self.jobs_backend:
                while self.screen is not screen:     # it shows another backend's jobs: replace it
                    self.pop_screen()
                self.pop_screen()
                break
            if isinstance(screen, JobsScreen):
                while self.screen is not screen:
                    self.pop_screen()
                if select:
                    screen.select_job(select)
                return
        self.push_screen(JobsScreen(self.jobs_backend, select=select))

    def open_compare(self, models: tuple[str, ...] = ()) -> None:
        """The Compare screen on the open dataset: `models`, or the last comparison of this file, or the base
        model against the job last started on it here, or its model."""
        dataset = self.dataset_screen
        if dataset is None or dataset.state is None or not dataset.path:
            self.notify("Open a dataset first (tunescope FILE): Compare evaluates models on it.", severity="warning")
            return
        last = self.last_compare
        report = None
        if not models and last is not None and last.path == dataset.path:
            models, report = last.models, last.report
        models = models or self.trained_from.get(dataset.path, ())
        screen = CompareScreen(self.jobs_backend, dataset.path, dataset.display_name,
                               models or (dataset.options.model,), last.graders if report else ("exact",), report)
        self.last_compare = screen
        self.push_screen(screen)

    def start_job(self) -> None:
        """Check the dataset can be sent, offer to save unsaved edits first, then open the start-job dialog."""
        dataset = self.dataset_screen
        if dataset is None or dataset.state is None or not dataset.path:
            self.notify("Open a dataset first (tunescope FILE).", severity="warning")
            return
        if dataset.state.report is None:
            self.notify("The dataset is still being checked; start the job when the check has finished.",
                        severity="warning")
            return
        session = dataset.state.session
        if session is None or not session.dirty:
            self.open_start_dialog(dataset)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.start_after_save = dataset     # DatasetSaved opens the dialog; SaveRejected forgets it
                dataset.action_save()
        self.push_screen(ConfirmScreen("You have unsaved edits. The job trains on the file on disk: save them first?",
                                       yes_label="Save and continue", no_label="Not now"), answered)

    def open_start_dialog(self, dataset: DatasetScreen) -> None:
        """The start-job dialog for `dataset`; a started job opens the jobs screen on it."""
        def done(job) -> None:
            if job is not None:
                self.trained_from[dataset.path] = (job.model, job.id)
                self.notify(f"started {job.id} ({job.model})", title="Fine-tuning job")
                self.open_jobs(select=job.id)
        wanted = DatasetToTrain(dataset.path, dataset.display_name, dataset.options.model, dataset.model_info,
                                dataset.state, dataset.target_name)
        self.push_screen(StartJobScreen(self.jobs_backend, wanted), done)

    def show_line(self, line: int, message_index: int | None = None) -> bool:
        """Show `line` (1-based) of the open dataset in the viewer, with message `message_index` (0-based)
        selected; False (after saying why) when the line is not there."""
        dataset = self.dataset_screen
        if dataset is None or dataset.state is None:
            self.notify("No dataset is open: open the file with `tunescope FILE`.", severity="warning")
            return False
        row = dataset.state.row_for_line(line)
        if row is None:
            self.notify(f"line {line} is not in {dataset.display_name} any more", severity="warning")
            return False
        while self.screen is not dataset:
            self.pop_screen()
        dataset.jump_to_row(row)
        dataset.show_pane("viewer")
        self.wanted_message = None if message_index is None else (line, message_index)
        self.wanted_line_shown = dataset.viewer.line == line
        if message_index is not None and self.wanted_line_shown:
            self.select_message(message_index)     # already shown: a redraw, if one comes, selects it again
        return True

    def select_message(self, message_index: int) -> None:
        """Put the dataset viewer's cursor on message `message_index` of the example it shows."""
        viewer = self.dataset_screen.viewer
        for cursor, block in enumerate(viewer.selectable_blocks()):
            if block.message_index == message_index:
                viewer.message_cursor = cursor
                return

    @on(StartJobRequested)
    def _start_job_requested(self, event: StartJobRequested) -> None:
        self.start_job()

    @on(CompareRequested)
    def _compare_requested(self, event: CompareRequested) -> None:
        self.open_compare(event.models)

    @on(CheckpointScores)
    def _checkpoint_scores(self, event: CheckpointScores) -> None:
        self.eval_scores[event.job_id] = list(event.points)

    @on(ShowLineRequested)
    def _show_line_requested(self, event: ShowLineRequested) -> None:
        if self.show_line(event.line, event.message_index) and event.note:
            self.notify(event.note, title=event.title, severity="error", timeout=10)

    @on(ExampleShown)
    def _example_shown(self, event: ExampleShown) -> None:
        """The viewer drew an example: select the message `show_line` asked for, if it is that line."""
        if self.wanted_message is None:
            return
        line, message_index = self.wanted_message
        if event.line != line:
            if self.wanted_line_shown:             # the user moved on to another example: the request is over
                self.wanted_message = None
        else:
            self.wanted_line_shown = True
            if event.cursor_reset:
                self.select_message(message_index)

    @on(DatasetSaved)
    def _dataset_saved(self, event: DatasetSaved) -> None:
        """After the dataset screen's own handler: a save asked for by `start_job` has finished."""
        dataset, self.start_after_save = self.start_after_save, None
        if dataset is not None and dataset is self.dataset_screen and not dataset.state.session.dirty:
            self.open_start_dialog(dataset)

    @on(SaveRejected)
    def _save_rejected(self, event: SaveRejected) -> None:
        self.start_after_save = None               # the dataset screen has said why; no job

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one report of a failed worker run on the App (`run_worker(..., exit_on_error=False)`)."""
        if event.state == WorkerState.ERROR:
            worker = event.worker
            what = worker.description or worker.name or "background work"
            self.notify(describe_error(worker.error), title=f"Failed: {what}", severity="error", timeout=10)

    # -- app-wide actions ---------------------------------------------------------------------
    def action_open_jobs(self, select: str | None = None) -> None:
        self.open_jobs(select)

    def action_open_compare(self) -> None:
        self.open_compare()

    def action_start_job(self) -> None:
        self.start_job()

def start_process_helpers(path: str | None) -> None:
    """Start multiprocessing's resource tracker while stderr is still the real one.

    The checker runs big files in worker processes; spawning them needs the
    tracker, whose launch passes `sys.stderr.fileno()` along. Inside a running
    Textual app stderr is captured (fileno -1) and the launch fails, so start
    it before the app takes over the terminal.
    """
    try:
        if path is None or os.path.getsize(path) < PARALLEL_CHECK_BYTES:
            return
        from multiprocessing import resource_tracker
        resource_tracker.ensure_running()
    except (OSError, ValueError):
        pass


def make_app(path: str | os.PathLike | None = None, model: str | None = None, allow_estimate: bool = False,
             backend=None, settings: Settings | None = None) -> TunescopeApp:
    """Build the app for FILE (None: the bundled sample). Never raises for bad input."""
    problems = []
    if settings is None:
        try:
            settings = load_settings()
        except ConfigError as exc:
            problems.append(f"{exc} (using defaults)")
            settings = Settings()
    path = None if path is None else os.fspath(path)
    start_process_helpers(path)
    return TunescopeApp(path, model, allow_estimate, backend, settings, problems)
