"""The Textual app: settings, model and file in; the dataset screen out.

Composition and routing only. `make_app` is the one way to build the app,
shared by the CLI, the tests, the screenshot script and the benchmark.
"""

from __future__ import annotations

import os
import shutil
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Iterable

from textual.app import App, SystemCommand
from textual.screen import Screen

from tunescope.checks.model import CheckOptions
from tunescope.config import ConfigError, Settings, data_dir, load_settings
from tunescope.tui import keymap
from tunescope.tui.jobs_app import JobsAppMixin
from tunescope.tui.screens.dataset import DatasetScreen

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
        from tunescope.tokens.models import load_models
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


class TunescopeApp(JobsAppMixin, App):
    """Review and fix a fine-tuning dataset from the keyboard."""

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
        self.init_jobs(backend)
        self.problems = list(problems or [])
        valid, keymap_problems = keymap.user_keymap(self.settings.keymap)
        self.problems += keymap_problems
        if valid:
            self.set_keymap(valid)

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self.push_screen(self.make_dataset_screen(self.model_name))
        for problem in self.problems:
            self.notify(problem, severity="warning", timeout=10)

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
        screen.stop_background_work()
        self.switch_screen(self.make_dataset_screen(name))

    # -- app-wide actions ---------------------------------------------------------------------
    def action_help(self) -> None:
        from tunescope.tui.dialogs.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_quit_app(self) -> None:
        screen = self.dataset_screen
        if screen is not None and self.screen is screen:
            screen.request_quit()
        elif screen is not None:
            self.pop_screen()
        else:
            self.exit()

    async def action_quit(self) -> None:
        screen = self.dataset_screen
        if screen is not None:
            screen.request_quit()
        else:
            self.exit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        seen = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.id or binding.id in seen:
                continue
            seen.add(binding.id)
            key = binding.key_display or binding.key.split(",")[0]
            help_text = binding.tooltip or binding.description
            if not active.enabled:
                help_text += " (not available right now)"
            yield SystemCommand(f"{binding.description} ({key})", help_text,
                                partial(self._run_binding, active.node, binding.action))

    def _run_binding(self, node, action: str) -> None:
        self.call_later(self.run_action, action, node)


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
