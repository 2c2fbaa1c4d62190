"""Duplicate and conflict grouping that spills to disk (checks/dataset/spill.py): the same groups whether
the records stayed in memory or went to partition files, whatever the chunking, and no file left behind."""

from __future__ import annotations

import json
import os
import pickle
import random
import tempfile

import pytest

from tunescope.checks.dataset import spill
from tunescope.checks.dataset.spill import KeyStore
from tunescope.checks.run.runner import check_path

DEFAULT_BUDGET = spill.BUDGET


def reference_runs(keys: list[int], values: list[int] | None = None, min_distinct: int = 1):
    """What the in-memory Python sort produced before the store existed: runs of equal keys of length > 1,
    ascending positions, runs by first position."""
    runs: dict[int, list[int]] = {}
    for pos, key in enumerate(keys):
        runs.setdefault(key, []).append(pos)
    out = []
    for members in runs.values():
        distinct = len({values[p] for p in members}) if values is not None else 1
        if len(members) > 1 and distinct >= min_distinct:
            out.append((members, distinct))
    return sorted(out, key=lambda r: r[0][0])


def random_records(n: int, seed: int):
    rng = random.Random(seed)
    pool = [rng.getrandbits(64) | 1 for _ in range(n // 3)] + [(1 << 64) - 1, 1, 1 << 63]
    keys = [rng.choice(pool) if rng.random() < 0.6 else rng.getrandbits(64) | 1 for _ in range(n)]
    values = [rng.randrange(3) for _ in range(n)]
    return keys, values


def chunked_store(keys, values, chunk: int, valued: bool) -> KeyStore:
    """Built the way the runner builds it: stores over chunks (pickled, as from a worker), merged in order."""
    whole = KeyStore(valued)
    for lo in range(0, len(keys), chunk):
        part = KeyStore(valued)
        for j in range(lo, min(lo + chunk, len(keys))):
            part.add(keys[j], j - lo, values[j])
        whole.extend(pickle.loads(pickle.dumps(part)), lo)
    return whole


@pytest.mark.parametrize("budget", [0, 200, DEFAULT_BUDGET])
@pytest.mark.parametrize("chunk", [1, 7, 333, 5000])
def test_groups_are_identical_spilled_or_not_whatever_the_chunking(monkeypatch, budget, chunk):
    monkeypatch.setattr(spill, "BUDGET", budget)
    keys, values = random_records(3000, seed=chunk)
    dups = chunked_store(keys, values, chunk, valued=False)
    conflicts = chunked_store(keys, values, chunk, valued=True)
    assert bool(dups.spilled) == (budget < DEFAULT_BUDGET)       # a tiny budget really spills
    assert list(dups.runs()) == reference_runs(keys)
    assert list(conflicts.runs(min_distinct=2)) == reference_runs(keys, values, min_distinct=2)
    assert dups.runs().rows() == sum(len(m) - 1 for m, _ in reference_runs(keys))
    queries = keys[::5] + [2, 4, 6]
    first = {}
    for pos, key in enumerate(keys):
        first.setdefault(key, pos)
    assert dups.first_positions(queries).tolist() == [first.get(q, -1) for q in queries]
    records = conflicts.records()                               # position order, read back from the files
    assert records["key"].tolist() == keys and records["value"].tolist() == values
    assert records["pos"].tolist() == list(range(len(keys)))
    dups.close()
    conflicts.close()


def test_spilled_files_are_removed_on_close_and_when_the_store_is_dropped(monkeypatch):
    monkeypatch.setattr(spill, "BUDGET", 0)
    keys, values = random_records(500, seed=3)
    store = chunked_store(keys, values, 50, valued=False)
    where = store._dir
    assert where and os.listdir(where)
    copy = pickle.loads(pickle.dumps(store))       # travels with its records inline, no files of its own
    assert copy._dir is None and list(copy.runs()) == list(store.runs())
    store.close()
    assert not os.path.exists(where)
    other = chunked_store(keys, values, 50, valued=True)
    where = other._dir
    del other
    assert not os.path.exists(where)


@pytest.fixture(autouse=True)
def _private_tempdir(tmp_path, monkeypatch):
    # spill directories go under the system temp dir: a test of its own keeps parallel tests' dirs out of the count
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))


def _spill_dirs() -> set[str]:
    tmp = tempfile.gettempdir()
    return {d for d in os.listdir(tmp) if d.startswith("tunescope-spill-")}


def _write(path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _chat(i: int) -> dict:
    return {"messages": [{"role": "user", "content": f"question {i % 40} about the weather in town {i % 8}"},
                         {"role": "assistant", "content": f"answer {i % 3} " + "word " * (i % 5)}]}


def test_a_spilled_check_reports_what_an_unspilled_one_does_and_leaves_no_files(tmp_path, monkeypatch):
    train, valid = tmp_path / "train.jsonl", tmp_path / "valid.jsonl"
    _write(train, [_chat(i) for i in range(400)])
    _write(valid, [_chat(i * 3) for i in range(60)])
    before = _spill_dirs()
    expected = check_path(str(train), validation=str(valid), workers=1, use_cache=False)
    monkeypatch.setattr(spill, "BUDGET", 0)
    spilled = check_path(str(train), validation=str(valid), workers=1, use_cache=False)
    assert spilled.findings == expected.findings and spilled.stats == expected.stats
    assert spilled.validation.findings == expected.validation.findings
    assert {f.check for f in expected.findings} >= {"duplicate_example", "conflicting_outputs"}
    assert {f.check for f in expected.validation.findings} >= {"validation_overlap"}
    assert _spill_dirs() == before


def test_spilled_files_are_removed_when_the_check_fails(tmp_path, monkeypatch):
    from tunescope.checks.dataset.collectors.message_counts import MessageCounts

    path = tmp_path / "train.jsonl"
    _write(path, [_chat(i) for i in range(300)])
    monkeypatch.setattr(spill, "BUDGET", 0)

    def broken(self, out):
        raise RuntimeError("boom")

    monkeypatch.setattr(MessageCounts, "finish", broken)
    before = _spill_dirs()
    with pytest.raises(RuntimeError):
        check_path(str(path), workers=1, use_cache=False)
    assert _spill_dirs() == before


def test_dataset_findings_past_the_cap_are_counted_not_kept(tmp_path, monkeypatch):
    # a dataset check that flags most rows of a huge file must not hold a Finding per row (2M rows: ~800 MB)
    from tunescope.checks.dataset import output

    path = tmp_path / "dups.jsonl"
    _write(path, [_chat(1)] * 8)
    monkeypatch.setattr(output, "PER_LINE_CAP", 3)
    report = check_path(str(path), workers=1, use_cache=False)
    kept = [f for f in report.findings if f.check == "duplicate_example"]
    assert len(kept) == 3 and report.omitted_by_check["duplicate_example"] == 4
