"""Checking one row again (an edited row, or the one in the viewer) as the checker checks the file.

The per-example check is the checker's own `check_example` plus its token
findings; nothing here decides what is wrong with a row. The one thing a row
cannot tell alone is how an ambiguous prompt-only row (system/user messages
only: a reinforcement prompt, or a supervised example missing its answer) is
read: the checker decides that for the whole file, and the file's format in
its report is that decision. So a prompt-only row of a chat file is checked
with the method the file's format stands for, and editing it does not make
its missing-assistant error disappear.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

from tunescope.checks.example.analyze import token_findings
from tunescope.checks.model import CheckOptions, ExampleSummary, is_prompt_only
from tunescope.checks.run.worker import check_example
from tunescope.review.state import DatasetState, digest
from tunescope.tokens.count import TokenCounter
from tunescope.tokens.encodings import EncodingUnavailable

METHOD_OF_FORMAT = {"chat": "supervised"}   # how the checker reads a file's prompt-only rows, by its format
APART_BYTES = 1 << 20    # rows bigger than this are checked in a process of their own (see check_apart)


@dataclass(frozen=True)
class Analysis:
    """A row to check again in the background: `key` is ("m", digest) for an edited row, ("v", digest)
    for the viewer's row."""

    key: tuple
    data: bytes
    line: int


class RowChecker:
    """Checks single rows with one TokenCounter (built on first use, used under a lock from worker
    threads), and knows which rows it is checking (that part is used from the UI thread only)."""

    def __init__(self, options: CheckOptions, allow_estimate: bool) -> None:
        self.options = options
        self.allow_estimate = allow_estimate
        self.lock = threading.Lock()
        self._counter: TokenCounter | None = None
        self.failed: str | None = None       # why token counts are estimates (no encoding file)
        self.checking: set[tuple] = set()    # keys of the rows being checked

    def counter(self) -> TokenCounter:
        if self._counter is None:
            try:
                self._counter = TokenCounter(self.options.encoding, allow_estimate=self.allow_estimate)
            except EncodingUnavailable as exc:
                self.failed = str(exc)
                self._counter = TokenCounter(self.options.encoding, allow_estimate=True)
        return self._counter

    def check(self, data: bytes, line: int, file_format: str = "") -> ExampleSummary:
        """The checker's summary of `data` as 1-based line `line` of a file of format `file_format`."""
        with self.lock:
            counter = self.counter()
            summary = check_example(data, line, line - 1, self.options, counter)
            method = METHOD_OF_FORMAT.get(file_format)
            if self.options.method is None and method and is_prompt_only(summary.analysis):
                summary = check_example(data, line, line - 1, replace(self.options, method=method), counter)
        if summary.tokens is not None:
            summary.extra_findings = list(token_findings(summary, self.options))
        return summary

    # -- which rows to check (UI thread) -------------------------------------------------------------
    def for_rows(self, state: DatasetState, display_rows: range) -> list[Analysis]:
        """Edited rows among `display_rows` with no analysis yet, now marked as being checked."""
        wanted = []
        for key, data, line in state.unanalysed(display_rows):
            if ("m", key) not in self.checking:
                self.checking.add(("m", key))
                wanted.append(Analysis(("m", key), data, line))
        return wanted

    def for_viewer(self, state: DatasetState, row: int, data: bytes) -> Analysis | None:
        """The viewer's row (`data`, its bytes), for its per-message tokens (None: known or under way)."""
        key = ("v", digest(data))
        if state.analysis_of(data) is not None or key in self.checking:
            return None
        self.checking.add(key)
        origin = state.origin(row)
        return Analysis(key, data, (origin if origin is not None else row) + 1)

    def checked(self, state: DatasetState, key: tuple, summary) -> None:
        """A row was checked (`summary` None: it failed): edited rows go to the overlay, the viewer's
        row to its cache."""
        self.checking.discard(key)
        if summary is not None and key[0] == "m":
            state.overlay[key[1]] = summary
        elif summary is not None:
            state.viewer_cache[key] = summary


def _check_in_child(options: CheckOptions, allow_estimate: bool, data: bytes, line: int, file_format: str):
    return RowChecker(options, allow_estimate).check(data, line, file_format)


def check_apart(checker: RowChecker, data: bytes, line: int, file_format: str = "") -> ExampleSummary:
    """`checker.check` in a process of its own: a huge row (a 30 MB string) takes seconds of pure-Python
    scanning that would hold the GIL and freeze the UI thread; a child process holds its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_check_in_child, checker.options, checker.allow_estimate, data, line,
                           file_format).result()
