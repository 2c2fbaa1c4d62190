"""The per-process half of checking: analyse and count tokens for a run of lines.

Runs in worker processes (and inline for small files). Each process keeps one
TokenCounter, so every distinct string (system prompts, tool definitions) is
encoded once per process.
"""

from __future__ import annotations

import os

from tunescope.checks.example import analyze   # called as analyze.X: tests spy on analyze.analyze_line
from tunescope.checks.model import CheckOptions, ExampleSummary, RecordKind
from tunescope.checks.registry import W, Finding, check
from tunescope.checks.run import chunking, codec
from tunescope.checks.run.cache import PARTIAL_ENTRY, entry_key, open_reader
from tunescope.checks.run.partial import Partial
from tunescope.checks.run.heap import release_free_heap
from tunescope.tokens.count import TokenCounter
from tunescope.dataset.index import BOM

TOKENIZER_FAILURE = check("tokenizer_failure", W, "internal", "Token count failed",
                          "tunescope could not count this example's tokens (a bug); the example itself may be fine.",
                          tags=("tokens",))

UNREADABLE = (ValueError, TypeError, EOFError, KeyError, IndexError, AttributeError)   # a damaged cached partial
RANGE_REBUILT_MAX = 2      # a range's own partial is stored after a re-check that rebuilt at most this many chunks
PARTIAL = "partial"        # reduce_chunk's result is (PARTIAL, partial or its dumps(), fresh entries)
COUNTED_KINDS = (RecordKind.CHAT, RecordKind.PREFERENCE, RecordKind.REINFORCEMENT, RecordKind.PROMPT_COMPLETION)


def check_example(data: bytes, line: int, example: int, options: CheckOptions, counter) -> ExampleSummary:
    """Check one example's bytes (no terminator): analysis plus token counts (no limit findings)."""
    obj, analysis = analyze.analyze_line(data, line, example, options)
    tokens = None
    if counter is not None and obj is not None and analysis.kind in COUNTED_KINDS:
        try:
            tokens = counter.count_record(obj, analysis.kind)
        except Exception as exc:  # a counter bug must not lose the example
            analysis.findings.append(Finding(
                TOKENIZER_FAILURE.id, TOKENIZER_FAILURE.severity, f"Could not count tokens: {exc}",
                "Report this as a tunescope bug; the example itself may be fine.", line, example))
    return ExampleSummary(example=example, line=line, analysis=analysis, tokens=tokens)


def relocate(summary: ExampleSummary, line: int, example: int) -> ExampleSummary:
    """A cached summary moved to another line: rewrite the locations of its findings."""
    if summary.line == line and summary.example == example:
        return summary
    a = summary.analysis
    a.findings = analyze.relocate_findings(a.findings, line, example)
    summary.line, summary.example = line, example
    return summary


class ChunkWorker:
    """Per-process state: file descriptor, options, token counter (loaded on first use), read-only result cache."""

    def __init__(self, path: str, options: CheckOptions, allow_estimate: bool,
                 cache_path: str | None, salt: bytes | None, line_entries: bool = True):
        self.fd = os.open(path, os.O_RDONLY)
        self.line_entries = line_entries     # store (and look up) per-line results, not only chunk partials
        self.options = options
        self.allow_estimate = allow_estimate
        self._counter = None
        self.salt = salt
        self.seed = chunking.seed_of(salt) if salt else 0
        # a chunk's partial also holds the limit-dependent findings and token totals: key on all options
        self.chunk_seed = chunking.seed_of(salt + b"|partial|" + repr(options).encode()) if salt else 0
        self.cache = None
        self._plan: _Plan | None = None
        self.packed: bytes | None = None    # the last reduced range in its cache form (reduce_chunk sends it)
        if cache_path and salt:
            self.cache = open_reader(cache_path)

    def forget(self) -> None:
        """Drop the plan kept for `reduce_range` (its range went elsewhere)."""
        self._plan = None

    def close(self) -> None:
        os.close(self.fd)
        if self.cache is not None:
            self.cache.db.close()

    @property
    def counter(self):
        if self._counter is None:
            self._counter = make_counter(self.options.encoding, self.allow_estimate)
        return self._counter

    @counter.setter
    def counter(self, value) -> None:
        self._counter = value

    def _lines(self, first: int, start: int, end: int, bom: bool) -> list[bytes]:
        data = os.pread(self.fd, end - start, start)
        lines = data.split(b"\n")
        if data.endswith(b"\n"):
            lines.pop()
        if first == 0 and bom and lines and lines[0].startswith(BOM):
            lines[0] = lines[0][3:]
        return [ln[:-1] if ln.endswith(b"\r") else ln for ln in lines]

    def run(self, first: int, start: int, end: int, bom: bool) -> tuple[list[ExampleSummary], list[tuple[bytes, bytes]]]:
        """Every line's summary (callers that want each example: the TUI, the server's validation)."""
        lines = self._lines(first, start, end, bom)
        cached: dict = {}
        keys: list[bytes] = []
        if self.salt is not None:
            keys = [entry_key(self.seed, ln) for ln in lines]
            if self.cache is not None:
                cached = self.cache.get_many(keys)
        fresh = self._stale()
        out = [self._summary(ln, first + j, keys[j] if keys else None, cached, fresh) for j, ln in enumerate(lines)]
        return out, fresh

    def _stale(self) -> list:
        # (key, None) for old entries read again: the writer restamps them; (key, False) for the others read
        return self.cache.take_read() if self.cache is not None else []

    def _summary(self, ln: bytes, example: int, key: bytes | None, cached: dict, fresh: list) -> ExampleSummary:
        hit = cached.get(key) if cached else None
        if hit is not None:
            summary = relocate(codec.loads(hit), example + 1, example)
        else:
            summary = check_example(ln, example + 1, example, self.options, self.counter)
            if key is not None and self.line_entries:
                fresh.append((key, codec.dumps(summary)))
        if summary.tokens is not None:
            summary.extra_findings = analyze.token_findings(summary, self.options)
        return summary

    # -- reduced ranges: content-defined chunks, each one cached partial (see partial.py, chunking.py) --
    def plan(self, first: int, start: int, end: int, bom: bool, quick: bool = False,
             whole: bool = True) -> "_Plan":
        """Read a run of lines and look the whole range's partial up (a re-check after a few edits finds
        most ranges unchanged: one lookup and one merge each, not a hundred chunks'); failing that, cut it
        into chunks and look their partials up, then the lines of the chunks not found. `quick` (the main
        process deciding where a range runs) skips the lines when most chunks are missing (a cold run: the
        range goes to a worker). `whole=False` skips the range's own entry (found unreadable). Kept for
        `reduce_range`."""
        plan = _Plan((first, start, end, bom), os.pread(self.fd, end - start, start))
        view = memoryview(plan.data)
        self._plan = plan
        if self.salt is not None:
            plan.range_key = chunking.chunk_key(self.chunk_seed, view, 0, len(plan.data))
            if whole and self.cache is not None:
                plan.range_blob = self.cache.get_many([plan.range_key]).get(plan.range_key)
                if plan.range_blob is not None:
                    return plan
        starts = plan.starts = chunking.line_starts(plan.data)
        plan.bounds = chunking.chunk_bounds(view, starts)
        if self.salt is None:          # no result cache: nothing to look up, nothing to store
            plan.missing_lines = len(starts) - 1
            return plan
        seed = self.chunk_seed
        plan.keys = [chunking.chunk_key(seed, view, starts[a], starts[b]) for a, b in plan.bounds]
        plan.partials = self.cache.get_many(plan.keys) if self.cache is not None else {}
        missed = [(a, b) for (a, b), k in zip(plan.bounds, plan.keys) if k not in plan.partials]
        in_missed = sum(b - a for a, b in missed)
        if quick and in_missed * 2 > len(starts) - 1:
            plan.missing_lines = in_missed
            plan.complete = False
            return plan
        lines = plan.lines = {j: self._line(plan, j) for a, b in missed for j in range(a, b)}
        if not self.line_entries:      # no per-line results stored: every line of a missed chunk is analysed
            plan.missing_lines = in_missed
            return plan
        plan.line_keys = {j: entry_key(self.seed, ln) for j, ln in lines.items()}
        plan.summaries = self.cache.get_many(list(plan.line_keys.values())) if lines and self.cache is not None else {}
        plan.missing_lines = sum(1 for k in plan.line_keys.values() if k not in plan.summaries)
        return plan

    def _line(self, plan: "_Plan", j: int) -> bytes:
        """Line j of the plan without its terminator (and without the BOM on the file's first line)."""
        ln = plan.data[plan.starts[j]:plan.starts[j + 1]]
        if ln.endswith(b"\n"):
            ln = ln[:-1]
        if ln.endswith(b"\r"):
            ln = ln[:-1]
        if j == 0 and plan.chunk[0] == 0 and plan.chunk[3] and ln.startswith(BOM):
            ln = ln[3:]
        return ln

    def reduce_range(self, first: int, start: int, end: int, bom: bool, into=None) -> tuple[Partial, list]:
        """The partial of a run of lines, from cached chunk partials where the bytes are unchanged; with
        the (key, value) pairs the writer should store (new chunks and lines, restamped old entries).
        `into` (anything with Partial's `merge`) takes each chunk's partial instead of a new Partial:
        the main process merges straight into its totals, saving a second merge of the whole range."""
        chunk = (first, start, end, bom)
        plan = self._plan
        if plan is None or plan.chunk != chunk or not plan.complete:
            plan = self.plan(*chunk)
        self._plan = None
        options = self.options
        if plan.range_blob is not None:
            try:
                whole = Partial.loads(plan.range_blob, options, first)
            except UNREADABLE:
                plan = self.plan(*chunk, whole=False)         # unreadable (damaged): rebuilt from its chunks
                self._plan = None
            else:
                self.packed = plan.range_blob
                if into is None:
                    return whole, self._stale()
                into.merge(whole)
                return into, self._stale()
        # with a cache, the range's own partial is built and stored too
        total = into if into is not None and plan.range_key is None else Partial(options, first)
        fresh = self._stale()
        reused = 0
        for n, (a, b) in enumerate(plan.bounds):
            key = plan.keys[n] if plan.keys else None
            blob = plan.partials.get(key) if key is not None else None
            if blob is not None:
                try:
                    total.merge(Partial.loads(blob, options, first + a))
                    reused += 1
                    continue
                except UNREADABLE:
                    pass                                     # unreadable (damaged): rebuilt below
            summaries = []
            for j in range(a, b):
                ln = plan.lines.get(j)
                if ln is None:
                    ln = self._line(plan, j)
                line_key = plan.line_keys.get(j) if key is not None else None
                summaries.append(self._summary(ln, first + j, line_key, plan.summaries, fresh))
            part = Partial(options, first + a)
            part.add_all(summaries)
            if key is not None:
                packed = part.dumps()
                if packed is not None:
                    fresh.append((key, packed, PARTIAL_ENTRY))
            total.merge(part)
        self.packed = None
        if plan.range_key is not None:
            self.packed = total.dumps()
            # stored when the range is new or barely changed: one that edits spread over (20 of its chunks
            # at 1% of lines edited) will likely change again before it is read, so it would only churn
            new = not reused and not plan.summaries          # nothing of it cached: a file seen first
            if self.packed is not None and (new or len(plan.bounds) - reused <= RANGE_REBUILT_MAX):
                fresh.append((plan.range_key, self.packed, PARTIAL_ENTRY))
            if into is not None:
                into.merge(total)
                return into, fresh
        return total, fresh


class _Plan:
    """One run of lines read, cut and looked up (ChunkWorker.plan)."""

    __slots__ = ("chunk", "data", "starts", "bounds", "keys", "partials", "lines", "line_keys", "summaries",
                 "missing_lines", "complete", "range_key", "range_blob")

    def __init__(self, chunk: tuple, data: bytes):
        self.chunk, self.data = chunk, data
        self.range_key: bytes | None = None      # the whole range's entry (None without a cache)
        self.range_blob: bytes | None = None     # its cached partial, when found
        self.starts: list[int] = []
        self.bounds: list[tuple[int, int]] = []
        self.keys: list[bytes] = []
        self.partials: dict = {}
        self.lines: dict[int, bytes] = {}
        self.line_keys: dict[int, bytes] = {}
        self.summaries: dict = {}
        self.missing_lines = 0          # lines to analyse (no cached chunk, no cached line)
        self.complete = True            # False: the lines of missing chunks were not looked up


def reduce_chunk(worker: "ChunkWorker", chunk, want_summaries: bool):
    """Check a chunk and aggregate it in this process: the main process only merges. Without summaries
    the partial travels in its cache form (marshal: cheaper than pickling the aggregator), if it has one."""
    if not want_summaries:
        part, fresh = worker.reduce_range(*chunk)
        blob = worker.packed if worker.packed is not None else part.dumps()   # as cached, or made now
        return PARTIAL, blob if blob is not None else part, fresh
    summaries, fresh = worker.run(*chunk)
    part = Partial(worker.options, chunk[0])
    part.add_all(summaries)
    return part.agg, part.tokens, part.kinds, part.findings, [codec.pack(s) for s in summaries], fresh


def make_counter(encoding: str, allow_estimate: bool):
    return TokenCounter(encoding, allow_estimate=allow_estimate)


_WORKER: ChunkWorker | None = None


def init_process(path, options, allow_estimate, cache_path, salt, line_entries=True) -> None:
    global _WORKER
    _WORKER = ChunkWorker(path, options, allow_estimate, cache_path, salt, line_entries)


def run_chunk(chunk, want_summaries: bool):
    """Pool entry point: a reduced chunk (see reduce_chunk); summaries travel packed, if wanted."""
    assert _WORKER is not None
    reduced = reduce_chunk(_WORKER, chunk, want_summaries)
    release_free_heap()
    return reduced


class Done:
    """A range reduced in the main process, queued with the workers' futures to keep file order."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value
