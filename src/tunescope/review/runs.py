"""Background runs of one kind at a time (check, search, view): a newer run makes the older one stale.

Each run gets a generation number and a cancel event. A worker polls the
event; its result comes back tagged with the generation, and a handler keeps
it only while that run is the current one of its kind.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Run:
    kind: str
    generation: int
    cancel: threading.Event = field(default_factory=threading.Event, compare=False)

    @property
    def running(self) -> bool:
        return not self.cancel.is_set()


class Runs:
    """The current run of each kind."""

    def __init__(self) -> None:
        self._current: dict[str, Run] = {}
        self._generation = 0

    def start(self, kind: str) -> Run:
        """A new run of `kind`; the one before it is cancelled."""
        self.stop(kind)
        self._generation += 1
        run = self._current[kind] = Run(kind, self._generation)
        return run

    def is_current(self, kind: str, generation: int) -> bool:
        run = self._current.get(kind)
        return run is not None and run.generation == generation

    def running(self, kind: str) -> bool:
        run = self._current.get(kind)
        return run is not None and run.running

    def stop(self, kind: str) -> bool:
        """Cancel the run of `kind`; True when one was still running."""
        run = self._current.get(kind)
        if run is None or not run.running:
            return False
        run.cancel.set()
        return True

    def stop_all(self) -> None:
        for kind in list(self._current):
            self.stop(kind)
