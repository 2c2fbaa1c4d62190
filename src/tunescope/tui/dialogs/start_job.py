"""Start a fine-tuning job with the open dataset: a dialog, then upload and create.

Starting a job costs money, so on a billed backend the dialog shows what the
dataset report says (examples, billable tokens, estimated cost) and asks once
more before anything is uploaded; only the local simulated backend starts
without asking. A dataset with errors is refused unless the user confirms
forcing it (the job would fail, which is a fine way to learn where), and
unsaved edits are saved first (the App does that before opening the dialog),
because the job trains on the file on disk. The backend can be switched here
(the App's `use_backend`), and OpenAI's wind-down shows where it matters: each
model's shutdown day in the model list, the job cutoff and the chosen model's
shutdown under the form (the table's dates, or what the backend's `/v1/models`
reported).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, replace

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from tunescope.review.state import DatasetState
from tunescope.tokens.models import ModelInfo, load_models
from tunescope.tokens.retirement import job_cutoff, retirement, today
from tunescope.tui import keymap
from tunescope.tui.dialogs.confirm import ConfirmScreen
from tunescope.tui.dialogs.start_job_estimate import estimate_text
from tunescope.tui.dialogs.targets.training_target import TargetTraining
from tunescope.tui.jobs_connection import JobsBackend, backend_choices, trainer_models
from tunescope.tui.jobs_poller import JobRequest, start_job
from tunescope.tui.messages import JobStarted, JobStartFailed, JobStartStep, UploadProgressed

FORMAT_METHOD = {"preference": "dpo", "reinforcement": "reinforcement"}
MAX_EPOCHS = 50


@dataclass(frozen=True)
class DatasetToTrain:
    """What the dialog needs of the open dataset (the App builds it from the dataset screen)."""

    path: str
    display_name: str
    model: str
    model_info: ModelInfo | None
    """The dataset's model, used for the methods when the model table cannot be read."""
    state: DatasetState
    """The report and the live error and warning counts."""
    target: str = ""        # the target chosen beside the model: the dialog says which backends train it


class StartJobScreen(ModalScreen):
    """Model, method, epochs, suffix and validation file; then upload and create in a thread."""

    BINDINGS = keymap.START_JOB_BINDINGS

    DEFAULT_CSS = """
    StartJobScreen {
        align: center middle;
        background: $background 60%;
        & > #start-dialog {
            width: 76; max-width: 100%; height: auto; max-height: 100%;
            padding: 0 1; background: $surface; border: thick $primary;
            border-title-color: $text; border-title-style: bold; border-subtitle-color: $text-muted;
        }
        & #start-form { grid-size: 2; grid-columns: 12 1fr; grid-rows: auto; height: auto; grid-gutter: 0 1; }
        & #start-form > Static { height: auto; }
        & .label { color: $text-muted; }
        & #start-estimate { height: auto; margin-top: 1; }
        & #start-deadline { height: auto; color: $text-warning; }
        & Select > SelectOverlay.-textual-compact { border: tall $primary !important; background: $panel; max-height: 14; }
        & #start-status { height: auto; color: $text-warning; }
        & #start-status.-error { color: $text-error; }
        & #start-buttons { height: auto; margin-top: 1; }
        & #start-buttons > Button { margin-right: 2; min-width: 12; }
    }
    """

    def __init__(self, backend: JobsBackend, dataset: DatasetToTrain) -> None:
        super().__init__()
        self.backend = backend
        self.dataset = dataset
        self.report = dataset.state.report
        self.models = self._model_table()
        self.cancel = threading.Event()
        self.running = False

    # -- data -------------------------------------------------------------------------------
    @staticmethod
    def _model_table():
        try:
            return load_models()
        except Exception:  # noqa: BLE001 - a broken user table: the dataset's model still works
            return None

    def model_info(self, name: str):
        if self.models is None:
            return self.dataset.model_info
        return self.models.get_or_guess(name)

    def errors(self) -> int:
        rows, _ = self.dataset.state.counts()
        whole_file = [f for f in self.report.findings if f.line is None and f.severity.value == "error"]
        return rows + len(whole_file)

    def warnings(self) -> int:
        return self.dataset.state.counts()[1]

    # -- composition ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        current = self.dataset.model
        names = self.models.names() if self.models is not None else [current]
        if current not in names:
            names = [current] + names
        self.model_names = names
        method = FORMAT_METHOD.get(self.report.format, "supervised")
        with Vertical(id="start-dialog") as dialog:
            dialog.border_title = "Start a fine-tuning job"
            dialog.border_subtitle = "ctrl+s start · esc cancel · tab next field"
            with Grid(id="start-form"):
                yield Static("File", classes="label")
                yield Static(self._file_line(), id="start-file", markup=False)
                yield Static("Backend", classes="label")
                yield Select(self._backend_options(), value=self.backend.profile_name() or "", allow_blank=False, compact=True,
                             id="start-backend")
                yield Static("Model", classes="label")
                yield Select([(self._model_label(n), n) for n in names], value=current, allow_blank=False,
                             compact=True, id="start-model")
                yield Static("Method", classes="label")
                yield Select([(m, m) for m in self._methods(current, method)], value=method, allow_blank=False,
                             compact=True, id="start-method")
                yield Static("Epochs", classes="label")
                yield Input(placeholder="auto (from the number of examples)", compact=True, id="start-epochs")
                yield Static("Suffix", classes="label")
                yield Input(placeholder="optional, e.g. pirate-v1", max_length=64, compact=True, id="start-suffix")
                yield Static("Validation", classes="label")
                yield Input(placeholder="optional path to a validation .jsonl", compact=True, id="start-validation")
            yield TargetTraining(self.dataset.target, self._backend_kind(), id="start-training")
            yield Static("", id="start-deadline", markup=False)
            yield Static("", id="start-estimate")
            yield Static("", id="start-status", markup=False)
            with Horizontal(id="start-buttons"):
                yield Button("Start job", id="start", variant="primary")
                yield Button("Cancel", id="cancel")

    def _backend_options(self) -> list[tuple[Content, str]]:
        """(label, profile name) of each backend; labels are plain text (a name with "[/]" is no markup)."""
        options = [(Content(c.label), c.name) for c in backend_choices()]
        current = self.backend.profile_name()
        if current not in [name for _, name in options]:      # e.g. an unknown name: say why, pick another
            options.insert(0, (Content(self.backend.describe()), current or ""))
        return options

    def _model_label(self, name: str) -> Content:
        """The model's name (as the backend lists it: plain text) with its shutdown day when one is known
        (the backend's word first)."""
        day = self._shutdown_day(name)
        if day is None:
            return Content(name)
        return Content(f"{name}  ({'shut down' if day <= today().isoformat() else 'shuts down'} {day})")

    def _shutdown_day(self, name: str) -> str | None:
        reported = self._reported().get(name)
        if reported:
            return reported
        info = self.model_info(name) if name else None
        return info.retires if info is not None else None

    def _reported(self) -> dict[str, str]:
        """Shutdown dates the backend's `/v1/models` reported, when it has been asked (never connects)."""
        if not self.backend.connected:
            return {}
        try:
            return dict(self.backend.jobs().gate.reported)
        except Exception:  # noqa: BLE001 - a closed or broken connection: the table's dates stand
            return {}

    def deadline_text(self) -> str:
        """The chosen model's shutdown and, on OpenAI, the job cutoff: what a user must know before starting."""
        model = str(self.query_one("#start-model", Select).value)
        lines = []
        day = self._shutdown_day(model)
        info = self.model_info(model)
        if day is not None:
            gone = retirement(replace(info, retires=day))
            if gone.retired:
                lines.append(f"✗ {model} was shut down {gone.when()}: no job can start on it."
                             + (f" Instead: {gone.replacement}." if gone.replacement else ""))
            else:
                lines.append(f"▲ {model} and its fine-tunes shut down {gone.when()}.")
        if self._backend_kind() == "openai" and self.models is not None:
            cutoff = job_cutoff(self.models.wind_down)
            if cutoff is not None:
                lines.append(("✗ " if cutoff.closed else "▲ ") + cutoff.sentence())
        return "\n".join(lines)

    def _backend_kind(self) -> str | None:
        try:
            return self.backend.profile().kind
        except Exception:  # noqa: BLE001 - an unknown backend: the Backend line says why
            return None

    def _methods(self, model: str, wanted: str) -> list[str]:
        methods = list(self.model_info(model).methods) or ["supervised"]
        return methods if wanted in methods else methods + [wanted]

    def _file_line(self) -> str:
        errors, warnings = self.errors(), self.warnings()
        state = f"✗ {errors:,} error{'s' if errors != 1 else ''}" if errors else "✓ no errors"
        return (f"{self.dataset.display_name} · {self.report.examples:,} examples · {state} · "
                f"▲ {warnings:,} warning{'s' if warnings != 1 else ''}")

    def on_mount(self) -> None:
        self.update_estimate()
        self.query_one("#start", Button).focus()
        self.run_worker(self._ask_models, thread=True, exit_on_error=False, group="models",
                        description="list the backend's models")

    def _ask_models(self) -> None:
        """Ask the backend's `/v1/models` for shutdown dates (one GET: never bills, creates nothing)."""
        backend = self.backend
        try:
            listed = backend.jobs().models()
        except Exception:  # noqa: BLE001 - the table's dates stand; starting says what is wrong
            return
        if backend is self.backend:
            self.app.call_from_thread(self.refresh_models, trainer_models(backend, listed, self.models))

    def refresh_models(self, own_models: list[str] = ()) -> None:
        if not self.is_attached or self.running:
            return
        select = self.query_one("#start-model", Select)
        value = select.value
        if own_models:    # a real trainer's models first, the first one chosen
            self.model_names = [*own_models, *(n for n in self.model_names if n not in own_models)]
            value = value if value in own_models else own_models[0]
        with select.prevent(Select.Changed):
            select.set_options([(self._model_label(n), n) for n in self.model_names])
            select.value = value
        self.update_estimate()

    # -- the estimate -------------------------------------------------------------------------
    def epochs(self) -> int | None:
        """Epochs typed by the user; None for auto. Raises ValueError with a message."""
        text = self.query_one("#start-epochs", Input).value.strip().lower()
        if text in ("", "auto"):
            return None
        if not text.isdigit() or not 1 <= int(text) <= MAX_EPOCHS:
            raise ValueError(f"epochs must be auto or a whole number from 1 to {MAX_EPOCHS}")
        return int(text)

    def estimate_text(self) -> str:
        try:
            epochs = self.epochs()
        except ValueError as exc:
            return str(exc)
        info = self.model_info(str(self.query_one("#start-model", Select).value))
        return estimate_text(self.report, info, epochs, method=str(self.query_one("#start-method", Select).value),
                             is_local=self.backend.is_local, errors=self.errors())

    def update_estimate(self) -> None:
        self.query_one("#start-deadline", Static).update(self.deadline_text())
        self.query_one("#start-estimate", Static).update(self.estimate_text())

    @on(Select.Changed, "#start-backend")
    def _backend_changed(self, event: Select.Changed) -> None:
        name = event.value
        if not isinstance(name, str) or not name or name == self.backend.profile_name():
            return
        choice = next((c for c in backend_choices() if c.name == name), None)
        if choice is not None and choice.missing:
            self.set_status(f"{choice.label.split(' · ')[0]} needs {choice.missing}", error=True)
        else:
            self.set_status("")
        self.app.use_backend(name)
        self.backend = self.app.jobs_backend
        self.query_one(TargetTraining).show_backend(self._backend_kind())
        self.update_estimate()
        self.run_worker(self._ask_models, thread=True, exit_on_error=False, group="models",
                        description="list the backend's models")

    @on(Select.Changed, "#start-model")
    def _model_changed(self, event: Select.Changed) -> None:
        method_select = self.query_one("#start-method", Select)
        wanted = str(method_select.value)
        methods = list(self.model_info(str(event.value)).methods) or ["supervised"]
        method_select.set_options([(m, m) for m in methods])
        method_select.value = wanted if wanted in methods else methods[0]
        self.update_estimate()

    @on(Select.Changed, "#start-method")
    @on(Input.Changed, "#start-epochs")
    def _changed(self, event) -> None:
        self.update_estimate()

    # -- starting -----------------------------------------------------------------------------
    def set_status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#start-status", Static)
        status.set_class(error, "-error")
        status.update(text)

    def request(self) -> JobRequest | None:
        """The JobRequest from the form, or None after saying what is wrong."""
        try:
            epochs = self.epochs()
        except ValueError as exc:
            self.set_status(str(exc), error=True)
            return None
        method = str(self.query_one("#start-method", Select).value)
        if method == "reinforcement":
            self.set_status("reinforcement jobs need a grader: use `tunescope jobs create --grader FILE`",
                            error=True)
            return None
        validation = os.path.expanduser(self.query_one("#start-validation", Input).value.strip()) or None
        if validation and not os.path.isfile(validation):
            self.set_status(f"{validation}: no such file", error=True)
            return None
        suffix = self.query_one("#start-suffix", Input).value.strip() or None
        return JobRequest(path=self.dataset.path, model=str(self.query_one("#start-model", Select).value),
                          method=method, epochs=epochs, suffix=suffix, validation=validation,
                          training_type=self.query_one(TargetTraining).training_type)

    def action_start(self) -> None:
        if self.running:
            return
        request = self.request()
        if request is None:
            return
        self.confirm_force(request)

    def confirm_force(self, request: JobRequest) -> None:
        errors = self.errors()
        if not errors:
            self.confirm_cost(request)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.confirm_cost(replace(request, force=True))
        self.app.push_screen(ConfirmScreen(
            f"{self.dataset.display_name} has {errors:,} error(s): the provider will probably reject it and the job "
            "will fail. Upload it anyway?", danger=True, yes_label="Upload anyway", no_label="Go back"), answered)

    def confirm_cost(self, request: JobRequest) -> None:
        if self.backend.is_local:
            self.launch(request)
            return
        summary = self.estimate_text().replace("\n", "\n  ")

        def answered(yes: bool | None) -> None:
            if yes:
                self.launch(request)
        self.app.push_screen(ConfirmScreen(
            f"Start a billed fine-tuning job on {self.backend.describe()}?\n  {request.model}, "
            f"{self.report.examples:,} examples\n  {summary}", danger=True, yes_label="Start job",
            no_label="Go back"), answered)

    def launch(self, request: JobRequest) -> None:
        self.running = True
        for widget in self.query("Select, Input, #start"):
            widget.disabled = True
        self.set_status("starting…")
        start_job(self.backend, request, self.post_message, self.cancel)

    @on(JobStartStep)
    def _step(self, event: JobStartStep) -> None:
        self.set_status(event.text + "…")

    @on(UploadProgressed)
    def _progress(self, event: UploadProgressed) -> None:
        share = event.done / event.total if event.total else 1.0
        self.set_status(f"uploading the {event.role} file: {event.done:,} of {event.total:,} bytes ({share:.0%})")

    @on(JobStarted)
    def _started(self, event: JobStarted) -> None:
        self.running = False
        self.dismiss(event.job)

    @on(JobStartFailed)
    def _failed(self, event: JobStartFailed) -> None:
        self.running = False
        for widget in self.query("Select, Input, #start"):
            widget.disabled = False
        self.set_status(event.text, error=True)
        self.notify(event.text, title="The job was not started", severity="error", timeout=10)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "start":
            self.action_start()
        else:
            self.action_close()

    def action_close(self) -> None:
        if self.running:
            self.cancel.set()
            self.notify("stopping the upload; no job is created")
        self.dismiss(None)
