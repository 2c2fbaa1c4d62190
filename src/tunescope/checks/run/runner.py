"""Check a whole dataset: file facts, every example (in parallel processes), dataset-level checks.

The main process only aggregates; worker processes parse, check and count
tokens over runs of lines they read themselves, so memory stays bounded by the
line index and the aggregates, never by the file's bytes.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Callable, Iterator

from tunescope.checks.dataset.aggregator import DatasetAggregator
from tunescope.checks.dataset.collectors.duplicates import Duplicates
from tunescope.checks.example.analyze import token_findings
from tunescope.checks.file.rules import DATA_KINDS, FileFacts, file_format, inspect_file
from tunescope.checks.model import CheckOptions, ExampleSummary, RecordKind
from tunescope.checks.report import CheckReport, TokenStats
from tunescope.checks.run.cache import ResultCache, default_path, limit_for, line_entries_fit, salt_for
from tunescope.checks.run.codec import unpack, unpack_findings
from tunescope.checks.run.heap import release_free_heap
from tunescope.checks.run.partial import Partial
from tunescope.checks.run.worker import PARTIAL, ChunkWorker, Done, check_example, init_process, make_counter, run_chunk
from tunescope.dataset import filefacts
from tunescope.dataset.filefacts import iter_documents
from tunescope.dataset.index import LineIndex
from tunescope.dataset.records import compact_dumps
from tunescope.tokens.cost import FORMAT_METHODS, CostUnavailable, estimate
from tunescope.tokens.models import load_models

CHUNK_LINES = 2000
CHUNK_BYTES = 4 * 1024 * 1024
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
INLINE_MISSES = 200           # a range with at most this many lines to analyse is reduced in the main process
POOL_FOR_CHEAP_RANGES = 8     # ...unless this many ranges' bytes are still to read: then workers share them
MAX_FINDINGS_PER_CHECK = 10_000   # kept per check id; the rest are only counted (report.omitted)

__all__ = ["DatasetChecker", "check_path", "check_example", "options_for_model"]


def options_for_model(model: str | None = None, method: str | None = None) -> CheckOptions:
    """CheckOptions filled from the model table (limit and encoding)."""
    info = load_models().get(model or None)
    return CheckOptions(model=info.name, method=method, token_limit=info.token_limit, encoding=info.encoding)


class DatasetChecker:
    """Runs every check over one indexed file. `run` may be called from a worker thread."""

    def __init__(self, index: LineIndex, options: CheckOptions, workers: int | None = None,
                 allow_estimate: bool = False, use_cache: bool = True, keep_aggregates: bool = False):
        self.index = index
        self.keep_aggregates = keep_aggregates   # for compare_validation after run(); the caller closes them
        self.options = options
        self.workers = workers
        self.allow_estimate = allow_estimate
        self.use_cache = use_cache
        self._line_entries = True       # per-line results cached too (off when they cannot fit the bound: _cache)
        self.counter = make_counter(options.encoding, allow_estimate)  # raises EncodingUnavailable early
        self.aggregator = None

    # -- public ---------------------------------------------------------
    def run(self, on_batch: Callable[[list[ExampleSummary]], None] | None = None,
            progress: Callable[[int, int], None] | None = None,
            cancel: threading.Event | None = None) -> CheckReport:
        self.aggregator = DatasetAggregator(self.options)
        done = False
        try:
            report = self._run(on_batch, progress, cancel)
            done = not report.cancelled
            return report
        finally:   # spilled records go, even on error or cancel (kept only for a validation comparison)
            if not (done and self.keep_aggregates):
                self.aggregator.close()

    def _run(self, on_batch, progress, cancel) -> CheckReport:
        started = time.perf_counter()
        index = self.index
        if not index.complete and index._thread is None:
            index.start()
        self._tokens = TokenStats(self.options.token_limit)
        self._kinds: Counter = Counter()
        self._findings: list = []
        self._kept: Counter = Counter()
        self._omitted: Counter = Counter()
        self._merged = 0
        index.wait_for(51)
        layout = self._early_layout()
        cancelled = False
        if layout in (filefacts.PRETTY, filefacts.ARRAY):
            index.wait()
            cancelled = self._run_documents(on_batch, cancel)
        elif layout == filefacts.JSONL:
            cancelled = self._run_lines(on_batch, progress, cancel)
        if cancelled:   # the caller is leaving: no file inspection, no dataset checks, return at once
            facts = FileFacts(path=index.path, size=index.size, lines=len(index))
            report = CheckReport(file=index.path, model=self.options.model, encoding=self.options.encoding,
                                 facts=facts, cancelled=True, findings=list(self._findings),
                                 omitted=self._omitted)
            report.elapsed = time.perf_counter() - started
            return report
        index.wait()
        facts = inspect_file(index)
        if progress is not None:
            progress(index.size, index.size)
        report = self._finish(facts, cancelled)
        report.elapsed = time.perf_counter() - started
        return report

    # -- layouts --------------------------------------------------------
    def _early_layout(self) -> str:
        index = self.index
        if index.size == 0:
            return filefacts.EMPTY
        if filefacts.looks_binary(index.read_range(0, min(index.size, 65536))):
            return filefacts.BINARY
        layout, _ = filefacts.detect_document_layout(index)
        return layout

    def _run_documents(self, on_batch, cancel) -> bool:
        batch = []
        try:
            docs = list(iter_documents(self.index))
        except ValueError:
            return False
        for example, (line, obj) in enumerate(docs):
            if cancel is not None and cancel.is_set():
                return True
            data = compact_dumps(obj)
            summary = check_example(data, line, example, self.options, self.counter)
            if summary.tokens is not None:
                summary.extra_findings = token_findings(summary, self.options)
            batch.append(summary)
        self._absorb(batch, on_batch)
        return False

    def _chunks(self, cancel) -> Iterator[tuple[int, int, int, bool]]:
        index = self.index
        first = 0
        while True:
            if cancel is not None and cancel.is_set():
                return
            known = index.wait_for(first + CHUNK_LINES + 1)
            if first >= known:
                return
            last = min(first + CHUNK_LINES, known)
            starts = index.starts
            start = starts[first]
            # cap a chunk's bytes so huge lines do not pile up in one read
            while last - first > 1 and starts[last - 1] - start > CHUNK_BYTES:
                last = first + max(1, (last - first) // 2)
            end = starts[last] if last < len(starts) else (index.size if index.complete else None)
            if end is None:
                index.wait_for(last + 1)
                end = starts[last] if last < len(index.starts) else index.size
            yield first, start, end, index.has_bom
            first = last

    def _run_lines(self, on_batch, progress, cancel) -> bool:
        cache_path, salt, writer = self._cache()
        workers = self._worker_count()
        try:
            if on_batch is None:
                return self._run_reduced(workers, cache_path, salt, writer, progress, cancel)
            if workers <= 1:
                worker = ChunkWorker(self.index.path, self.options, self.allow_estimate, cache_path, salt)
                worker.counter = self.counter
                try:
                    for chunk in self._chunks(cancel):
                        summaries, fresh = worker.run(*chunk)
                        self._absorb(summaries, on_batch, writer, fresh)
                        if progress is not None:
                            progress(chunk[2], self.index.size)
                finally:
                    worker.close()
                return bool(cancel is not None and cancel.is_set())
            return self._run_pool(workers, cache_path, salt, writer, on_batch, progress, cancel)
        finally:
            if writer is not None:
                writer.close()

    def _pool(self, workers, cache_path, salt, line_entries: bool = True) -> ProcessPoolExecutor:
        method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
        if method == "fork":
            # workers share what the parent loaded before forking (the encoding, ~60 MB); numpy too, which
            # every worker imports for its checks and the main process for the end of the file
            import numpy  # noqa: F401
            release_free_heap()
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                                   initializer=init_process,
                                   initargs=(self.index.path, self.options, self.allow_estimate, cache_path, salt,
                                             line_entries))

    def _run_reduced(self, workers, cache_path, salt, writer, progress, cancel) -> bool:
        """Every range reduced to one partial (from cached chunk partials where the bytes are unchanged).
        The main process looks each range up first and reduces it itself when few of its lines need
        analysing (a re-check after small edits: no pool to start, no results to send between processes);
        ranges with more go to worker processes, started on the first such range (a cold run). On a
        re-check of a larger file (POOL_FOR_CHEAP_RANGES) the workers start after the first range and take
        every later one, so every core works; they look their ranges up themselves."""
        local = ChunkWorker(self.index.path, self.options, self.allow_estimate, cache_path, salt, self._line_entries)
        local.counter = self.counter
        pool = None
        pending: deque = deque()
        cold = 0                 # ranges in a row without one cached chunk: look up only every 8th (a cold run)
        try:
            for chunk in self._chunks(cancel):
                if workers <= 1:
                    inline = True
                elif pool is not None:
                    inline = False                  # the workers look ranges up themselves
                elif cold < 2 or cold % 8 == 0:
                    plan = local.plan(*chunk, quick=True)
                    inline = plan.complete and plan.missing_lines <= INLINE_MISSES
                    cold = 0 if plan.partials or plan.range_blob else cold + 1
                    if inline and pool is None and self._pool_is_worth_it(chunk):
                        pool = self._pool(workers, cache_path, salt, self._line_entries)     # for later ranges
                else:
                    inline = False
                    cold += 1
                if inline and not pending:          # nothing before it still running: merge as it goes
                    _, fresh = local.reduce_range(*chunk, into=self)
                    if writer is not None and fresh:
                        writer.put_many(fresh)
                    if progress is not None:
                        progress(chunk[2], self.index.size)
                elif inline:
                    part, fresh = local.reduce_range(*chunk)
                    pending.append((chunk, Done((PARTIAL, part, fresh))))
                else:
                    local.forget()                  # the worker reads the range itself
                    if pool is None:
                        pool = self._pool(workers, cache_path, salt, self._line_entries)
                    pending.append((chunk, pool.submit(run_chunk, chunk, False)))
                while pending and (len(pending) >= workers * 3 or isinstance(pending[0][1], Done)):
                    self._drain_one(pending, None, progress, writer)
                if cancel is not None and cancel.is_set():
                    return True
            return self._drain_all(pending, None, progress, writer, cancel)
        finally:
            local.close()
            if pool is not None:
                _stop(pool, cancel)

    def _pool_is_worth_it(self, chunk) -> bool:
        """Enough of the file is left after `chunk` to pay for starting workers for cheap ranges too
        (forked, they share the encoding and modules the main process loaded)."""
        return self.index.size - chunk[2] >= POOL_FOR_CHEAP_RANGES * CHUNK_BYTES

    def _run_pool(self, workers, cache_path, salt, writer, on_batch, progress, cancel) -> bool:
        pool = self._pool(workers, cache_path, salt)
        pending: deque = deque()
        chunks = self._chunks(cancel)
        try:
            for chunk in chunks:
                pending.append((chunk, pool.submit(run_chunk, chunk, on_batch is not None)))
                if len(pending) >= workers * 3:
                    self._drain_one(pending, on_batch, progress, writer)
                if cancel is not None and cancel.is_set():
                    return True
            return self._drain_all(pending, on_batch, progress, writer, cancel)
        finally:
            _stop(pool, cancel)

    def merge(self, part: Partial) -> None:
        """Take in the partial of the examples that follow those seen so far (see ChunkWorker.reduce_range)."""
        self._take(part.agg, part.tokens, part.kinds, part.findings)

    def _take(self, agg, tokens, kinds, findings) -> None:
        self.aggregator.merge(agg)
        self._tokens.merge(tokens)
        for kind, n in kinds.items():
            self._kinds[RecordKind(kind)] += n
        if findings:
            self._keep(unpack_findings(findings))

    def _drain_all(self, pending, on_batch, progress, writer, cancel) -> bool:
        """Merge every range still pending, in file order; True when cancelled meanwhile."""
        while pending:
            if cancel is not None and cancel.is_set():
                return True
            self._drain_one(pending, on_batch, progress, writer)
        return False

    def _drain_one(self, pending, on_batch, progress, writer) -> None:
        chunk, future = pending.popleft()
        result = future.result()
        if result[0] == PARTIAL:
            part = result[1] if isinstance(result[1], Partial) else Partial.loads(result[1], self.options, chunk[0])
            agg, tokens, kinds, findings, packed, fresh = part.agg, part.tokens, part.kinds, part.findings, None, result[2]
        else:
            agg, tokens, kinds, findings, packed, fresh = result
        self._take(agg, tokens, kinds, findings)
        if writer is not None and fresh:
            writer.put_many(fresh)
        if on_batch is not None and packed:
            on_batch([unpack(p) for p in packed])
        if progress is not None:
            progress(chunk[2], self.index.size)
        self._merged += 1
        if self._merged % 16 == 0:
            release_free_heap()

    def _worker_count(self) -> int:
        if self.workers is not None:
            return self.workers
        if self.index.size < PARALLEL_MIN_BYTES:
            return 1
        return max(1, min(os.cpu_count() or 1, 4))

    def _cache(self):
        if not self.use_cache:
            return None, None, None
        try:
            limit, followed = limit_for(self.index.size)
            writer = ResultCache(default_path(), limit=limit, file_size=followed)
        except Exception:
            return None, None, None
        self._line_entries = line_entries_fit(self.index.size, limit)
        if not self._line_entries:
            writer.spare_only()
        return str(writer.path), salt_for(self.options, self.counter.estimated), writer

    # -- aggregation (main process) ---------------------------------------
    def _absorb(self, summaries: list[ExampleSummary], on_batch, writer=None, fresh=None) -> None:
        agg, tokens, kinds = self.aggregator, self._tokens, self._kinds
        for s in summaries:
            agg.add(s)
            tokens.add(s)
            kinds[s.analysis.kind] += 1
            if s.analysis.findings:
                self._keep(s.analysis.findings)
            if s.extra_findings:
                self._keep(s.extra_findings)
        if writer is not None and fresh:
            writer.put_many(fresh)
        if on_batch is not None and summaries:
            on_batch(summaries)

    def _keep(self, findings) -> None:
        """Keep findings up to MAX_FINDINGS_PER_CHECK per check id, count the rest: a 2M-line file
        with a finding on every line must not hold 2M Finding objects (about 1 GB)."""
        kept, omitted, out = self._kept, self._omitted, self._findings
        for f in findings:
            if kept[f.check] < MAX_FINDINGS_PER_CHECK:
                kept[f.check] += 1
                out.append(f)
            else:
                omitted[(f.check, f.severity)] += 1

    def _finish(self, facts, cancelled: bool) -> CheckReport:
        report = CheckReport(file=self.index.path, model=self.options.model, encoding=self.options.encoding,
                             facts=facts, cancelled=cancelled)
        dataset_findings, stats = self.aggregator.finish()
        report.findings = facts.findings + self._findings + dataset_findings
        report.omitted = self._omitted + self.aggregator.omitted
        report.stats = stats
        report.kinds = {k.value: n for k, n in self._kinds.most_common()}
        report.examples = sum(n for k, n in self._kinds.items() if k in DATA_KINDS)
        resolved = stats.get("kinds") if isinstance(stats, dict) else None   # prompt-only rows decided
        report.format = file_format(facts, Counter({RecordKind(k): n for k, n in resolved.items()})
                                     if resolved else self._kinds)
        if report.format not in ("empty", "binary", "mixed") and isinstance(stats, dict) and stats.get("format"):
            report.format = stats["format"]
        report.tokens = self._tokens.summary()
        # images of unknown size (http URLs, unreadable data) are counted at an assumed 1024x1024: a guess
        report.exact_tokens = not self._tokens.estimated and not self._tokens.images
        report.duplicates = self.aggregator.collector(Duplicates).summary
        try:
            info = load_models().get(self.options.model)
            report.cost = estimate(report.examples, self._tokens.sum_capped, info,
                                   method=self.options.method or FORMAT_METHODS.get(report.format),
                                   trained_tokens=self._tokens.trained, tokens_estimated=self._tokens.estimated)
        except Exception as exc:  # an unknown model still gets a report
            report.cost = CostUnavailable(str(exc))
        return report


def _stop(pool: ProcessPoolExecutor, cancel) -> None:
    """Shut the workers down: wait for them after a finished run, not after a cancel (the caller is leaving)."""
    pool.shutdown(wait=not (cancel is not None and cancel.is_set()), cancel_futures=True)


def check_path(path, options: CheckOptions | None = None, validation=None, allow_estimate: bool = False,
               workers: int | None = None, progress=None, use_cache: bool = True, cancel=None) -> CheckReport:
    """Index and check a file (and optionally a validation file compared against it). With `cancel` set
    meanwhile the report is marked cancelled and incomplete (what was checked is in the result cache)."""
    options = options or options_for_model()
    keep = validation is not None
    with LineIndex(path) as index:
        index.build()
        checker = DatasetChecker(index, options, workers=workers, allow_estimate=allow_estimate, use_cache=use_cache,
                                 keep_aggregates=keep)
        report = checker.run(progress=progress, cancel=cancel)
    if validation is None or report.cancelled:
        return report
    try:
        with LineIndex(validation) as vindex:
            vindex.build()
            vchecker = DatasetChecker(vindex, replace(options, validation_file=True), workers=workers,
                                      allow_estimate=allow_estimate, use_cache=use_cache, keep_aggregates=True)
            report.validation = vchecker.run(cancel=cancel)
            if report.validation.cancelled:
                report.cancelled = True
                return report
        try:
            # overlap findings point at lines of the validation file: they belong to its report
            report.validation.findings.extend(checker.aggregator.compare_validation(vchecker.aggregator))
        finally:
            vchecker.aggregator.close()
    finally:
        checker.aggregator.close()
    return report
