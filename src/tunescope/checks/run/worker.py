"""The per-process half of checking: analyse and count tokens for a run of lines.

Runs in worker processes (and inline for small files). Each process keeps one
TokenCounter, so every distinct string (system prompts, tool definitions) is
encoded once per process.
"""

from __future__ import annotations

import os
from collections import Counter

from tunescope.checks.dataset.aggregator import DatasetAggregator
from tunescope.checks.example import analyze   # called as analyze.X: tests spy on analyze.analyze_line
from tunescope.checks.model import CheckOptions, ExampleSummary, RecordKind
from tunescope.checks.registry import W, Finding, check
from tunescope.checks.report import TokenStats
from tunescope.checks.run import codec
from tunescope.checks.run.cache import entry_key, open_reader
from tunescope.checks.run.heap import release_free_heap
from tunescope.tokens.count import TokenCounter
from tunescope.dataset.index import BOM

TOKENIZER_FAILURE = check("tokenizer_failure", W, "internal", "Token count failed",
                          "tunescope could not count this example's tokens (a bug); the example itself may be fine.",
                          tags=("tokens",))

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
    """Per-process state: file descriptor, options, token counter, read-only result cache."""

    def __init__(self, path: str, options: CheckOptions, allow_estimate: bool,
                 cache_path: str | None, salt: bytes | None):
        self.fd = os.open(path, os.O_RDONLY)
        self.options = options
        self.counter = make_counter(options.encoding, allow_estimate)
        self.salt = salt
        self.cache = None
        if cache_path and salt:
            self.cache = open_reader(cache_path)

    def run(self, first: int, start: int, end: int, bom: bool) -> tuple[list[ExampleSummary], list[tuple[bytes, bytes]]]:
        data = os.pread(self.fd, end - start, start)
        lines = data.split(b"\n")
        if data.endswith(b"\n"):
            lines.pop()
        if first == 0 and bom and lines and lines[0].startswith(BOM):
            lines[0] = lines[0][3:]
        lines = [ln[:-1] if ln.endswith(b"\r") else ln for ln in lines]
        cached: dict = {}
        keys: list[bytes] = []
        if self.salt is not None:
            keys = [entry_key(self.salt, ln) for ln in lines]
            if self.cache is not None:
                cached = self.cache.get_many(keys)
        out: list[ExampleSummary] = []
        # new (key, value) pairs for the writer, and (key, None) for old entries read again (restamped)
        fresh: list[tuple[bytes, bytes | None]] = [(k, None) for k in self.cache.take_stale()] if cached else []
        for j, ln in enumerate(lines):
            example = first + j
            hit = cached.get(keys[j]) if cached else None
            if hit is not None:
                summary = relocate(codec.loads(hit), example + 1, example)
            else:
                summary = check_example(ln, example + 1, example, self.options, self.counter)
                if keys:
                    fresh.append((keys[j], codec.dumps(summary)))
            if summary.tokens is not None:
                summary.extra_findings = analyze.token_findings(summary, self.options)
            out.append(summary)
        return out, fresh


def reduce_chunk(worker: "ChunkWorker", chunk, want_summaries: bool):
    """Check a chunk and aggregate it in this process: the main process only merges."""
    summaries, fresh = worker.run(*chunk)
    agg = DatasetAggregator(worker.options)
    tokens = TokenStats(worker.options.token_limit)
    kinds: Counter = Counter()
    findings: list = []
    for s in summaries:
        agg.add(s)
        tokens.add(s)
        kinds[s.analysis.kind.value] += 1
        if s.analysis.findings:
            findings.extend(codec.pack_findings(s.analysis.findings))
        if s.extra_findings:
            findings.extend(codec.pack_findings(s.extra_findings))
    packed = [codec.pack(s) for s in summaries] if want_summaries else None
    return agg, tokens, kinds, findings, packed, fresh


def make_counter(encoding: str, allow_estimate: bool):
    return TokenCounter(encoding, allow_estimate=allow_estimate)


_WORKER: ChunkWorker | None = None


def init_process(path, options, allow_estimate, cache_path, salt) -> None:
    global _WORKER
    _WORKER = ChunkWorker(path, options, allow_estimate, cache_path, salt)


def run_chunk(chunk, want_summaries: bool):
    """Pool entry point: a reduced chunk (see reduce_chunk); summaries travel packed, if wanted."""
    assert _WORKER is not None
    reduced = reduce_chunk(_WORKER, chunk, want_summaries)
    release_free_heap()
    return reduced
