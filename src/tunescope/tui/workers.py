"""The blocking work of the dataset screen, as plain functions run in thread workers.

Each function computes and reports through `post` (a thread-safe
`post_message`); none touches a widget. Long loops poll `cancel` (a
`threading.Event`), so closing the app or starting a new run never waits.
"""

from __future__ import annotations

import re
import threading
import time
from array import array
from dataclasses import dataclass
from typing import Callable

import orjson

from tunescope.tui.messages import (CheckFailed, CheckFinished, CheckProgressed, ExampleAnalysed, ExamplesChecked,
                                    IndexBuilt, IndexGrew, SearchMatched, TokensEstimated, ViewBuilt)
from tunescope.dataset.records import ROLE_GLYPH as ROLE_LETTER, message_texts, messages_of
from tunescope.review.state import ERROR, WARNING, DatasetState

Post = Callable[[object], object]


def start_daemon(target: Callable, *args, name: str) -> threading.Thread:
    """Run `target(*args)` in a daemon thread (never joined: closing the app never waits for it)."""
    thread = threading.Thread(target=target, args=args, name=name, daemon=True)
    thread.start()
    return thread


def describe_error(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if isinstance(exc, (OSError, ValueError, RuntimeError)) else f"{type(exc).__name__}: {text}"


# -- indexing and checking ------------------------------------------------------------------
def index_file(index, post: Post, cancel: threading.Event) -> None:
    """Build the line index, reporting growth as it goes."""
    last = [0.0]

    def progress(scanned: int, size: int) -> None:
        now = time.monotonic()
        if now - last[0] > 0.05 or scanned >= size:
            last[0] = now
            post(IndexGrew(len(index), scanned, size))

    index.build(progress=progress, cancel=cancel)
    post(IndexBuilt(len(index), None if index.error is None else describe_error(index.error)))


def check_dataset(index, options, allow_estimate: bool, post: Post, generation: int,
                  cancel: threading.Event) -> None:
    """Run the dataset checker; batches and progress go to the screen as they come."""
    from tunescope.tokens.encodings import EncodingUnavailable

    started = time.perf_counter()
    try:
        from tunescope.checks.run.runner import DatasetChecker
        try:
            checker = DatasetChecker(index, options, allow_estimate=allow_estimate)
        except EncodingUnavailable as exc:
            post(TokensEstimated(str(exc)))
            checker = DatasetChecker(index, options, allow_estimate=True)
        report = checker.run(
            on_batch=lambda batch: post(ExamplesChecked(batch, generation)),
            progress=lambda done, total: post(CheckProgressed(done, total, generation)),
            cancel=cancel,
        )
    except Exception as exc:  # shown as a notification; the list keeps working without checks
        post(CheckFailed(describe_error(exc), generation))
        return
    if not cancel.is_set():
        post(CheckFinished(report, generation, time.perf_counter() - started))


class CounterHolder:
    """One TokenCounter for the re-analysis of single rows, built on first use, used under a lock."""

    def __init__(self, encoding: str, allow_estimate: bool) -> None:
        self.encoding = encoding
        self.allow_estimate = allow_estimate
        self.lock = threading.Lock()
        self.counter = None
        self.failed: str | None = None

    def get(self):
        if self.counter is None and self.failed is None:
            from tunescope.tokens.encodings import EncodingUnavailable
            from tunescope.tokens.count import TokenCounter
            try:
                self.counter = TokenCounter(self.encoding, allow_estimate=self.allow_estimate)
            except EncodingUnavailable as exc:
                self.failed = str(exc)
                self.counter = TokenCounter(self.encoding, allow_estimate=True)
        return self.counter


def analyse_row(data: bytes, key, line: int, options, holder: CounterHolder, post: Post,
                file_format: str = "") -> None:
    """Check one example's current bytes (an edited row, or the one in the viewer).

    A row with only system/user messages is ambiguous alone (a reinforcement prompt,
    or a supervised example missing its answer); the checker decides by the file's
    majority. Do the same here: in a chat file such a row is checked as supervised,
    so editing it does not make its missing-assistant error disappear.
    """
    from dataclasses import replace

    from tunescope.checks.model import ExampleSummary
    from tunescope.checks.run.worker import check_example
    from tunescope.checks.example.analyze import token_findings
    from tunescope.checks.model import is_prompt_only

    with holder.lock:
        summary: ExampleSummary = check_example(data, line, line - 1, options, holder.get())
        if options.method is None and file_format == "chat" and is_prompt_only(summary.analysis):
            summary = check_example(data, line, line - 1, replace(options, method="supervised"), holder.get())
    if summary.tokens is not None:
        summary.extra_findings = list(token_findings(summary, options))
    post(ExampleAnalysed(key, summary, data))


# -- search -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchSpec:
    pattern: str
    regex: bool = False

    def matcher(self) -> Callable[[str], bool]:
        flags = re.IGNORECASE if self.pattern == self.pattern.lower() else 0
        if self.regex:
            compiled = re.compile(self.pattern, flags)
        else:
            compiled = re.compile(re.escape(self.pattern), flags)
        return lambda text: compiled.search(text) is not None

    def prefilter(self) -> Callable[[bytes], bool] | None:
        """A cheap test on raw bytes that never misses a match (None when there is none)."""
        if self.regex or not self.pattern.isascii() or any(c in self.pattern for c in '"\\/') \
                or not self.pattern.isprintable():
            return None
        needle = self.pattern.lower().encode()
        if self.pattern == self.pattern.lower():
            return lambda data: needle in data.lower()
        exact = self.pattern.encode()
        return lambda data: exact in data


def row_matches(data: bytes, match, prefilter) -> bool:
    if prefilter is not None and not prefilter(data):
        return False
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError:
        return match(data.decode("utf-8", "replace"))
    return any(match(text) for text in message_texts(obj) if text)


def search(state: DatasetState, spec: SearchSpec, start: int, step: int, post: Post,
           cancel: threading.Event, generation: int = 0) -> None:
    """Find the next display row after `start` (wrapping once) whose messages match."""
    match, prefilter = spec.matcher(), spec.prefilter()
    count = state.display_count()
    order = [range(start + step, count) if step > 0 else range(start + step, -1, -1),
             range(0, start + 1) if step > 0 else range(count - 1, start - 1, -1)]
    for wrapped, rows in enumerate(order):
        for d in rows:
            if d % 512 == 0 and cancel.is_set():
                return
            try:
                data = state.data(state.row_at(d))
            except (IndexError, OSError):
                continue
            if row_matches(data, match, prefilter):
                post(SearchMatched(spec.pattern, d, bool(wrapped), generation))
                return
    if not cancel.is_set():
        post(SearchMatched(spec.pattern, None, generation=generation))


# -- filters and sorting ----------------------------------------------------------------------
FILTER_LABELS = {"errors": "errors", "warnings": "warnings", "over_limit": "over token limit",
                 "duplicates": "duplicates"}


def filter_label(kind: str, value: str | None) -> str:
    if kind == "check":
        return f"check {value}"
    if kind == "role":
        return f"role {value}"
    return FILTER_LABELS.get(kind, kind)


def row_predicate(state: DatasetState, kind: str, value: str | None) -> Callable[[int], bool]:
    """A test on session rows for one filter."""
    if kind == "errors":
        return lambda row: state.status(row) >= ERROR
    if kind == "warnings":
        return lambda row: state.status(row) >= WARNING and any(
            f.severity.value == "warning" for f in state.findings(row))
    if kind == "over_limit":
        limit = state.token_limit or 0
        return lambda row: bool(limit) and state.tokens(row) > limit
    if kind == "duplicates":
        return lambda row: state.status(row) > 1 and any("duplicate" in f.check for f in state.findings(row))
    if kind == "check":
        return lambda row: state.status(row) > 1 and any(f.check == value for f in state.findings(row))
    if kind == "role":
        wanted = {value, *(r for r, letter in ROLE_LETTER.items() if letter == value)}

        def has_role(row: int) -> bool:
            try:
                obj = orjson.loads(state.data(row))
            except orjson.JSONDecodeError:
                return False
            return isinstance(obj, dict) and any(
                isinstance(m, dict) and m.get("role") in wanted for m in messages_of(obj) or ())
        return has_role
    raise ValueError(f"unknown filter {kind!r}")


def build_view(state: DatasetState, filter_spec: tuple[str, str | None] | None, sort: str, post: Post,
               generation: int, cancel: threading.Event) -> None:
    """Rows (in display order) for a filter and a sort; posts ViewBuilt (rows None = identity)."""
    count = state.row_count()
    if filter_spec is None:
        rows = None if sort == "line" else array("q", range(count))
        label = ""
    else:
        keep = row_predicate(state, *filter_spec)
        rows = array("q")
        for row in range(count):
            if row % 4096 == 0 and cancel.is_set():
                return
            if keep(row):
                rows.append(row)
        label = f"filter: {filter_label(*filter_spec)} ({len(rows):,})"
    if sort == "tokens" and rows is not None:
        tokens = state.tokens
        rows = array("q", sorted(rows, key=lambda r: -tokens(r)))
        label = (label + ", " if label else "") + "sorted by tokens"
    if not cancel.is_set():
        post(ViewBuilt(rows, label, generation=generation))
