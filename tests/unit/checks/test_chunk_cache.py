"""Per-chunk partial aggregates in the result cache: a re-check equals a cold check of the same bytes.

The re-check reuses cached chunk partials (checks/run/partial.py), moved to where their bytes now
are, so every edit below is followed by a cached check and an uncached one of the same file, whose
JSON reports must be equal: in-place edits, insertions and deletions (chunks move), edits on chunk
boundaries, a last line without newline, CRLF and BOM files, a file of identical lines (forced
boundaries), inline and pooled ranges.
"""

from __future__ import annotations

import random

import orjson
import pytest

from tests.conftest import dataset_files
from tunescope.checks.model import CheckOptions
from tunescope.checks.run import chunking, partial, runner
from tunescope.checks.run.partial import LINE_FIELDS, Partial, _state
from tunescope.checks.run.runner import check_path, options_for_model
from tunescope.checks.run.worker import check_example, make_counter
from tunescope.dataset.index import BOM


def _chat(i: int, system: str = "You are terse.") -> bytes:
    obj = {"messages": [{"role": "system", "content": system},
                        {"role": "user", "content": f"question {i % 97} about topic {i % 13} " + "word " * (i % 7)},
                        {"role": "assistant", "content": f"answer {i % 89}: the reply text for {i % 31}"}]}
    return orjson.dumps(obj)


def _real_lines(per_file: int) -> list[bytes]:
    """Lines of every shared JSONL dataset (legacy, RFT grader keys, preference, tools, near-misses, ...)."""
    out = []
    for path in dataset_files():
        if "pretty" in path.name:
            continue
        out.extend(ln.rstrip(b"\r") for ln in path.read_bytes().splitlines()[:per_file])
    return out


def _mixed_lines() -> list[bytes]:
    rng = random.Random(7)
    lines = [_chat(i, "You are terse." if rng.random() < 0.9 else "Be brief.") for i in range(500)]
    lines += lines[10:40]                              # exact duplicates
    lines += [b"", b"not json", b'{"messages": []}']  # blank, invalid, empty
    lines += _real_lines(40)
    rng.shuffle(lines)
    return lines


def _report(path, **kw) -> dict:
    data = check_path(path, **kw).to_json()
    data.pop("elapsed_seconds", None)
    return data


def _write(path, lines: list[bytes], eol: bytes = b"\n", final: bool = True, bom: bool = False) -> None:
    body = eol.join(lines) + (eol if final else b"")
    path.write_bytes((BOM if bom else b"") + body)


@pytest.fixture
def small_ranges(monkeypatch):
    """Ranges of 120 lines, so a test file spans many ranges; pooled when more than 30 lines miss."""
    monkeypatch.setattr(runner, "CHUNK_LINES", 120)
    monkeypatch.setattr(runner, "INLINE_MISSES", 30)


@pytest.fixture
def relocations(monkeypatch):
    """The line shifts applied to cached partials during a check."""
    seen: list[int] = []
    real = partial.shift_lines

    def spy(agg, delta):
        seen.append(delta)
        return real(agg, delta)

    monkeypatch.setattr(partial, "shift_lines", spy)
    return seen


def _edit(line: bytes) -> bytes:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return line + b" x"
    if isinstance(obj, dict) and isinstance(obj.get("messages"), list) and obj["messages"] \
            and isinstance(obj["messages"][-1], dict) and isinstance(obj["messages"][-1].get("content"), str):
        obj["messages"][-1]["content"] += " edited"
    elif isinstance(obj, dict):
        obj["edited"] = True
    return orjson.dumps(obj)


@pytest.mark.parametrize("workers,pooled", [(1, False), (2, False), (2, True)])
def test_recheck_after_edits_insertions_and_deletions_equals_cold(tmp_path, small_ranges, relocations, workers,
                                                                   pooled, monkeypatch):
    pools = []
    if pooled:      # workers take the cheap ranges of a re-check too (as on a large file)
        monkeypatch.setattr(runner, "POOL_FOR_CHEAP_RANGES", 0)
        real_pool = runner.DatasetChecker._pool
        monkeypatch.setattr(runner.DatasetChecker, "_pool", lambda self, *a: pools.append(a) or real_pool(self, *a))
    path = tmp_path / "data.jsonl"
    lines = _mixed_lines()
    _write(path, lines)
    first = _report(path, workers=workers)
    assert first == _report(path, workers=workers, use_cache=False)

    rng = random.Random(workers)
    steps = [
        ("edit 3% in place", lambda ls: [_edit(ln) if rng.random() < 0.03 else ln for ln in ls]),
        ("insert 3 at the top", lambda ls: [_chat(10_001), _chat(10_002), b"{}"] + ls),
        ("delete 5 in the middle", lambda ls: ls[:300] + ls[305:]),
        ("insert in the middle, edit the last line", lambda ls: ls[:200] + [_chat(7)] + ls[200:-1] + [_edit(ls[-1])]),
        ("move a block to the end", lambda ls: ls[:50] + ls[90:] + ls[50:90]),
    ]
    for name, change in steps:
        relocations.clear()
        lines = change(lines)
        _write(path, lines)
        pools.clear()
        again = _report(path, workers=workers)
        assert bool(pools) == pooled, name          # otherwise a 3% re-check stays in the main process
        assert again == _report(path, workers=workers, use_cache=False), name
        if pooled:
            continue                                  # the shifts happened in the workers, out of the spy's sight
        if name.startswith("insert 3"):
            assert any(d == 3 for d in relocations), "cached chunks below the insertion were not reused"
        if name.startswith("delete"):
            assert any(d == 3 - 5 for d in relocations)     # built below the cold run's line, moved up


@pytest.mark.parametrize("workers", [1, 2])
def test_a_file_too_big_for_per_line_results_caches_chunk_partials_only(tmp_path, small_ranges, monkeypatch,
                                                                       workers):
    """Past the bound's room for per-line results only chunk partials are stored; a re-check after edits
    still equals a cold check (the unchanged lines of a changed chunk are analysed again)."""
    from tunescope.checks.run import cache
    path = tmp_path / "data.jsonl"
    lines = _mixed_lines()
    _write(path, lines)
    size = path.stat().st_size
    monkeypatch.setattr(runner, "limit_for", lambda n: (int(size * cache.ENTRY_SHARE) - 1, n))
    cold = _report(path, workers=workers)
    reader = cache.open_reader(cache.default_path())
    stored = reader.entries()
    reader.close()
    chunks = len(chunking.chunk_bounds(memoryview(path.read_bytes()), chunking.line_starts(path.read_bytes())))
    ranges = len(lines) // runner.CHUNK_LINES + 1
    assert 0 < stored <= chunks + ranges + 5 < len(lines)     # a partial per chunk and per range, no line entry
    assert cold == _report(path, workers=workers, use_cache=False)
    rng = random.Random(5)
    _write(path, [_edit(ln) if rng.random() < 0.03 else ln for ln in lines])
    assert _report(path, workers=workers) == _report(path, workers=workers, use_cache=False)


def test_every_chunk_is_reused_when_nothing_changed(tmp_path, small_ranges, monkeypatch):
    path = tmp_path / "data.jsonl"
    _write(path, _mixed_lines())
    cold = _report(path)
    analysed = []
    real = runner.ChunkWorker._summary

    def spy(self, *args):
        analysed.append(args[1])
        return real(self, *args)

    monkeypatch.setattr(runner.ChunkWorker, "_summary", spy)
    assert _report(path) == cold
    assert analysed == []            # no line unpacked or analysed: every chunk came whole from the cache


@pytest.mark.parametrize("workers", [1, 2])
def test_a_few_edits_reuse_the_untouched_ranges_whole(tmp_path, small_ranges, monkeypatch, workers):
    """After editing two lines only the two ranges holding them are read chunk by chunk: every other range
    is one cached partial (a re-check after a small fix merges ~50 partials at 100,000 lines, not ~6,700)."""
    path = tmp_path / "data.jsonl"
    lines = [_chat(i) for i in range(1200)]                    # ten ranges of 120 lines
    _write(path, lines)
    _report(path, workers=workers)
    lines[130], lines[1000] = _edit(lines[130]), _edit(lines[1000])
    _write(path, lines)
    loaded = []
    real = Partial.loads

    def spy(blob, options, first):
        part = real(blob, options, first)
        loaded.append(part.agg.rows.n)
        return part

    monkeypatch.setattr(Partial, "loads", staticmethod(spy))
    assert _report(path, workers=workers) == _report(path, workers=workers, use_cache=False)
    whole = [n for n in loaded if n == 120]
    assert len(whole) >= 8                                       # the eight untouched ranges
    assert len(loaded) - len(whole) <= 2 * 12                    # chunks of the two touched ranges only


def test_a_range_is_stored_whole_when_new_or_barely_changed_not_when_edits_spread_over_it(
        tmp_path, small_ranges, monkeypatch):
    """Edits spread over a range (1% of lines: ~20 chunks of a 2,000-line range) would make its partial
    stale before it is read again: storing it would only churn the cache."""
    path = tmp_path / "data.jsonl"
    lines = [_chat(i) for i in range(240)]                     # two ranges of 120 lines
    _write(path, lines)
    _report(path)
    lines = [_edit(ln) if i < 120 and i % 10 == 0 else ln for i, ln in enumerate(lines)]   # range 1: 12 edits
    lines[200] = _edit(lines[200])                                                          # range 2: one
    _write(path, lines)
    _report(path)
    loaded = []
    real = Partial.loads
    monkeypatch.setattr(Partial, "loads", staticmethod(lambda *a: loaded.append(real(*a).agg.rows.n) or real(*a)))
    assert _report(path) == _report(path, use_cache=False)
    assert loaded.count(120) == 1                  # range 2 whole; range 1 from its chunks
    assert len(loaded) > 5


def test_an_unreadable_range_partial_is_rebuilt_from_its_chunks(tmp_path, small_ranges, monkeypatch):
    path = tmp_path / "data.jsonl"
    _write(path, [_chat(i) for i in range(600)])
    cold = _report(path)
    real = Partial.loads

    def damaged(blob, options, first):
        part = real(blob, options, first)
        if part.agg.rows.n == 120:                               # a whole range's partial
            raise ValueError("damaged")
        return part

    monkeypatch.setattr(Partial, "loads", staticmethod(damaged))
    assert _report(path) == cold


def test_chunk_boundary_edits(tmp_path, small_ranges):
    """Edit the line that ends a chunk, the one after it and the first line; the neighbours' boundaries move."""
    path = tmp_path / "data.jsonl"
    lines = [_chat(i) for i in range(400)]
    _write(path, lines)
    _report(path)
    view = memoryview(b"\n".join(lines[:120]) + b"\n")
    bounds = chunking.chunk_bounds(view, chunking.line_starts(bytes(view)))
    end = bounds[1][1] - 1                                     # the last line of the second chunk
    for j in (end, end + 1, 0, len(lines) - 1):
        lines[j] = _edit(lines[j])
        _write(path, lines)
        assert _report(path) == _report(path, use_cache=False), j


@pytest.mark.parametrize("shape", ["no final newline", "crlf", "bom", "identical lines"])
def test_file_shapes(tmp_path, small_ranges, shape):
    path = tmp_path / "data.jsonl"
    lines = [_chat(i) for i in range(300)] if shape != "identical lines" else [_chat(1)] * 300
    kw = {"final": shape != "no final newline", "eol": b"\r\n" if shape == "crlf" else b"\n", "bom": shape == "bom"}
    _write(path, lines, **kw)
    _report(path)
    lines = [_chat(5)] + lines[:150] + [_edit(lines[150])] + lines[151:]
    _write(path, lines, **kw)
    assert _report(path) == _report(path, use_cache=False)


def test_identical_lines_cut_at_max_lines():
    data = b"".join([_chat(1) + b"\n"] * 200)
    bounds = chunking.chunk_bounds(memoryview(data), chunking.line_starts(data))
    assert all(b - a <= chunking.MAX_LINES for a, b in bounds) and bounds[-1][1] == 200


def _summaries(lines: list[bytes], first: int, options: CheckOptions, counter) -> list:
    from tunescope.checks.example.analyze import token_findings

    out = []
    for j, ln in enumerate(lines):
        s = check_example(ln, first + j + 1, first + j, options, counter)
        if s.tokens is not None:
            s.extra_findings = token_findings(s, options)
        out.append(s)
    return out


def test_every_collector_relocates_exactly(datasets_dir):
    """A partial built at one place and moved equals the partial built where it lands, collector by collector.
    A collector that starts keeping a line number fails here until LINE_FIELDS shifts it."""
    options = options_for_model()
    counter = make_counter(options.encoding, False)
    lines = _real_lines(60) + [_chat(i) for i in range(40)]
    built = Partial(options, 0)
    built.add_all(_summaries(lines, 0, options, counter))
    blob = built.dumps()
    assert blob is not None
    moved = Partial.loads(blob, options, 1000)
    direct = Partial(options, 1000)
    direct.add_all(_summaries(lines, 1000, options, counter))
    rows = direct.agg.rows
    assert _state(moved.agg.rows, None) == _state(rows, None)
    for got, want in zip(moved.agg.collectors, direct.agg.collectors, strict=True):
        assert _state(got, moved.agg.rows) == _state(want, rows), type(want).__name__
    assert _state(moved.tokens, None) == _state(direct.tokens, None)
    assert moved.kinds == direct.kinds and moved.findings == direct.findings
    assert any("line" in f[2].lower() or "example" in f[2].lower() for f in direct.findings)
    # the line-holding fields were exercised
    by_type = {type(c): c for c in direct.agg.collectors}
    for cls in LINE_FIELDS:
        state = vars(by_type[cls])
        assert any(v not in (0, [], {}, [0]) for k, v in state.items() if k in ("first", "first_line", "type_line")), cls


def test_cached_partials_hold_no_secret(tmp_path):
    """A line with an API key: the cached chunk partial (like the cached line) never holds the key."""
    secret = "sk-proj-" + "A1b2C3d4E5f6G7h8" * 3
    lines = [_chat(i) for i in range(40)]
    obj = orjson.loads(lines[5])
    obj["messages"][-1]["content"] = f"use the key {secret} to log in"
    lines[5] = orjson.dumps(obj)
    path = tmp_path / "data.jsonl"
    _write(path, lines)
    report = _report(path)
    assert any(f["check"] == "secret_in_text" for f in report["findings"])
    from tunescope.checks.run.cache import default_path

    db = default_path()
    blob = db.read_bytes() + (db.with_name(db.name + "-wal").read_bytes()
                              if db.with_name(db.name + "-wal").exists() else b"")
    assert secret.encode() not in blob
