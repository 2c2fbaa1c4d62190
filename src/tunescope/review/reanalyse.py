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

import threading
from dataclasses import replace

from tunescope.checks.example.analyze import token_findings
from tunescope.checks.model import CheckOptions, ExampleSummary, is_prompt_only
from tunescope.checks.run.worker import check_example
from tunescope.tokens.count import TokenCounter
from tunescope.tokens.encodings import EncodingUnavailable

METHOD_OF_FORMAT = {"chat": "supervised"}   # how the checker reads a file's prompt-only rows, by its format


class RowChecker:
    """Checks single rows with one TokenCounter, built on first use and used under a lock."""

    def __init__(self, options: CheckOptions, allow_estimate: bool) -> None:
        self.options = options
        self.allow_estimate = allow_estimate
        self.lock = threading.Lock()
        self._counter: TokenCounter | None = None
        self.failed: str | None = None       # why token counts are estimates (no encoding file)

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
