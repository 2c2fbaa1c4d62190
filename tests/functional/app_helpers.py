"""Shared helpers for the app's Pilot tests: build the app, wait for the checker, read state."""

from __future__ import annotations

import asyncio
import time
from importlib import resources
from pathlib import Path

from tests import factories
from tunescope.config import Settings
from tunescope.tui.app import make_app

SAMPLE = Path(str(resources.files("tunescope") / "data" / "sample.jsonl"))
SAMPLE_LINES = SAMPLE.read_bytes().splitlines()


def sample_copy(tmp_path: Path, name: str = "sample.jsonl") -> Path:
    target = tmp_path / name
    target.write_bytes(SAMPLE.read_bytes())
    return target


def write_rows(path: Path, rows: list) -> Path:
    """Write rows (dicts become JSON, non-ASCII kept; bytes/str are written as is) one per line."""
    return factories.write_lines(path, rows, ensure_ascii=False)


def chat(user: str, assistant: str, system: str | None = "You are helpful.") -> dict:
    return factories.chat(user, assistant, system)


def app_for(path=None, **kwargs):
    kwargs.setdefault("settings", Settings())
    return make_app(path, **kwargs)


async def wait_for(pilot, predicate, timeout: float = 30.0, what: str = "condition") -> None:
    """Let the app run until predicate() is true (workers post messages in the meantime)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


async def shown(pilot, kind, timeout: float = 10.0, what: str = "the screen"):
    """Wait until the app shows a screen of `kind` (a class, or a class name) that has finished mounting
    (composed, on_mount run); returns it. Under load a screen is current some time before its children
    exist, and a query then fails."""
    def current():
        screen = pilot.app.screen
        matches = type(screen).__name__ == kind if isinstance(kind, str) else isinstance(screen, kind)
        return screen if matches and screen.is_mounted else None
    await wait_for(pilot, lambda: current() is not None, timeout, what)
    return current()


async def ready(pilot):
    """Wait until the dataset is indexed and fully checked; returns the dataset screen."""
    app = pilot.app
    await wait_for(pilot, lambda: app.dataset_screen is not None and app.dataset_screen.state is not None,
                   what="the dataset screen")
    screen = app.dataset_screen
    await wait_for(pilot, lambda: screen.state.report is not None, what="the checker's report")
    await pilot.pause()
    return screen


async def settle(pilot) -> None:
    """Let pending workers and messages finish."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await asyncio.sleep(0)
    await pilot.pause()


def notifications(app) -> list[str]:
    return [f"{n.title} {n.message}" for n in app._notifications]
