"""Launchers of the dataset screen's background work, one per kind of work.

Each takes its inputs, calls one `review`/`checks` function with `post` (a
thread-safe `post_message`) and a cancel event, and posts what came of it: a
completion message or a failure message. None touches a widget or changes an
object the UI thread uses; the handlers on the screen do that. Long loops poll
`cancel`, so closing the app or starting a newer run never waits.

Indexing and checking run in daemon threads (`start_daemon`) rather than
Textual workers: thread workers live in asyncio's default executor, which the
event loop joins on exit, so quitting would wait for a cancelled checker to
wind down. A daemon thread is simply dropped. The index is the one object a
launcher changes: it is built here and read by the UI only once `IndexBuilt`
has arrived (or through the counts `IndexGrew` carries).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Callable, Iterable

from tunescope.checks.model import CheckOptions
from tunescope.checks.run.runner import DatasetChecker
from tunescope.dataset.index import LineIndex
from tunescope.review.filters import FilterSpec
from tunescope.review.live_check import LiveCheckRequest, check_rows
from tunescope.review.outcome import describe_error
from tunescope.review.reanalyse import APART_BYTES, Analysis, RowChecker, check_apart
from tunescope.review.runs import Run
from tunescope.review.saving import Saved, SaveRefusal, SaveRequest, write_rows
from tunescope.review.search import SearchSpec, count_matches, find_next
from tunescope.review.state import DatasetState
from tunescope.review.views import build_view
from tunescope.targets import get_target
from tunescope.targets.checking import TargetChecker
from tunescope.targets.exporting import ExportError, export_file, render_export_text
from tunescope.tokens.encodings import EncodingUnavailable
from tunescope.tui.messages import (AnalysisFailed, CheckFailed, CheckFinished, CheckProgressed, DatasetSaved,
                                    ExampleAnalysed, ExamplesChecked, ExportFinished, ExportProgressed,
                                    TargetChecked, IndexBuilt, IndexGrew, LiveChecked,
                                    MatchesCounted, SaveRejected, SearchMatched, SearchProgressed,
                                    Told, TokensEstimated, ViewBuilt, WorkFailed)

Post = Callable[[object], object]
EXPORT_NOTES_SHOWN = 20     # notes listed per kind in the export report (as `tunescope export --max-notes`)


def start_daemon(target: Callable, *args, name: str) -> threading.Thread:
    """Run `target(*args)` in a daemon thread (never joined: closing the app never waits for it)."""
    thread = threading.Thread(target=target, args=args, name=name, daemon=True)
    thread.start()
    return thread


def index_file(index: LineIndex, post: Post, cancel: threading.Event) -> None:
    """Build the line index, reporting growth as it goes."""
    last = [0.0]

    def progress(scanned: int, size: int) -> None:
        now = time.monotonic()
        if now - last[0] > 0.05 or scanned >= size:
            last[0] = now
            post(IndexGrew(len(index), scanned, size))

    index.build(progress=progress, cancel=cancel)
    post(IndexBuilt(len(index), None if index.error is None else describe_error(index.error)))


def check_dataset(index: LineIndex, options: CheckOptions, allow_estimate: bool, post: Post, run: Run) -> None:
    """Run the dataset checker; batches and progress go to the screen as they come."""
    started = time.perf_counter()
    try:
        try:
            checker = DatasetChecker(index, options, allow_estimate=allow_estimate)
        except EncodingUnavailable as exc:
            post(TokensEstimated(str(exc)))
            checker = DatasetChecker(index, options, allow_estimate=True)
        report = checker.run(
            on_batch=lambda batch: post(ExamplesChecked(batch, run.generation)),
            progress=lambda done, total: post(CheckProgressed(done, total, run.generation)),
            cancel=run.cancel,
        )
    except Exception as exc:  # noqa: BLE001 - shown as a notification; the list keeps working without checks
        post(CheckFailed(describe_error(exc), run.generation))
        return
    if run.running:
        post(CheckFinished(report, run.generation, time.perf_counter() - started))


def live_check(request: LiveCheckRequest, options: CheckOptions, allow_estimate: bool, post: Post,
               run: Run) -> None:
    """Check the edited rows as a whole (findings, stats and counts follow the edits)."""
    try:
        live = check_rows(request, options, allow_estimate, run.cancel)
    except Exception as exc:  # noqa: BLE001 - the panes keep the last report; say why they did not follow
        post(WorkFailed("re-checking the edited rows", describe_error(exc)))
        return
    if run.running:
        post(LiveChecked(live, run.generation))


def analyse_rows(checker: RowChecker, analyses: Iterable[Analysis], file_format: str, post: Post) -> None:
    """Check rows again one by one (edited rows, or the viewer's); each result is posted as it comes."""
    for item in analyses:
        try:
            summary = (check_apart(checker, item.data, item.line, file_format) if len(item.data) > APART_BYTES
                       else checker.check(item.data, item.line, file_format))
        except Exception as exc:  # noqa: BLE001 - a checker bug must not stop the other rows
            post(AnalysisFailed(item.key, item.line, describe_error(exc)))
        else:
            post(ExampleAnalysed(item.key, summary, item.data))


def search(state: DatasetState, spec: SearchSpec, start: int, step: int, post: Post, run: Run) -> None:
    """Find the next match from display row `start` in direction `step` (progress as it reads)."""
    try:
        result = find_next(state, spec, start, step, run.cancel,
                           lambda done, total: post(SearchProgressed(done, total, run.generation)))
    except Exception as exc:  # noqa: BLE001
        post(WorkFailed("search", describe_error(exc)))
        return
    if result is not None:
        post(SearchMatched(result.pattern, result.row, result.wrapped, run.generation))


def count_search(state: DatasetState, spec: SearchSpec, post: Post, run: Run) -> None:
    """Count every match of the search ("match k of N")."""
    try:
        matches = count_matches(state, spec, run.cancel)
    except Exception as exc:  # noqa: BLE001
        post(WorkFailed("counting the matches", describe_error(exc)))
        return
    if matches is not None:
        post(MatchesCounted(matches, run.generation))


def split(request, post: Post) -> None:
    """Write the training and validation files of a `SplitRequest`; say what was written."""
    try:
        text = request.run()
    except Exception as exc:  # noqa: BLE001 - FixError says why (e.g. a path is the dataset itself)
        post(WorkFailed("splitting", describe_error(exc)))
        return
    post(Told(text, "Split written"))


def view(state: DatasetState, spec: FilterSpec | None, sort: str, post: Post, run: Run) -> None:
    """Build the rows a filter and a sort show."""
    try:
        built = build_view(state, spec, sort, run.cancel)
    except Exception as exc:  # noqa: BLE001
        post(WorkFailed("filter", describe_error(exc)))
        return
    if built is not None:
        post(ViewBuilt(built.rows, built.description, generation=run.generation))


def save(request: SaveRequest, post: Post) -> None:
    """Write the rows; the new index comes back in `DatasetSaved` (the handler continues the session on it)."""
    try:
        outcome = write_rows(request)
    except Exception as exc:  # noqa: BLE001 - a bug: still say the save did not happen (the screen waits for it)
        outcome = SaveRefusal(describe_error(exc), path=request.path)
    if isinstance(outcome, Saved):
        post(DatasetSaved(outcome.path, outcome.detail, outcome.index))
    else:
        post(SaveRejected(outcome.reason, changed_on_disk=outcome.changed_on_disk, path=outcome.path,
                          save_as_blocked=outcome.save_as_blocked, read_only=outcome.read_only))


def export(path: str, target: str, output: str, split: float | None, post: Post) -> None:
    """Convert the file for `target` (what `tunescope export` does); the report comes back in ExportFinished."""
    try:
        result = export_file(path, get_target(target), output, split=split,
                             progress=lambda done: post(ExportProgressed(done)))
    except ExportError as exc:
        post(ExportFinished(f"Nothing exported for {target}", str(exc), "error"))
        return
    except Exception as exc:  # noqa: BLE001 - an unwritable folder, a full disk: said, never a traceback
        post(ExportFinished(f"Export for {target} failed", describe_error(exc), "error"))
        return
    severity = "warning" if result.lost else "information"
    title = f"Exported for {target}" + (f": {len(result.lost):,} thing(s) not carried" if result.lost else "")
    post(ExportFinished(title, render_export_text(result, EXPORT_NOTES_SHOWN), severity))


def check_target(path: str, target: str, post: Post) -> None:
    """Run a target's rules over the file on disk (the TargetChecker of `check --target`)."""
    try:
        report = TargetChecker(get_target(target)).run(path, os.path.getsize(path))
    except Exception as exc:  # noqa: BLE001 - said in a toast; the findings stay the format checks'
        post(TargetChecked(target, None, describe_error(exc)))
        return
    post(TargetChecked(target, report))
