"""Near-duplicates and validation near-copies: signatures, groups (the same in one chunk or many),
the threshold, the CLI flag and setting, the TUI filters and the keep-one-per-group fix."""

from __future__ import annotations

import os
import pickle
import random

import orjson
import pytest

from tests.factories import write_jsonl
from tests.unit.review.helpers import review_of
from tunescope import cli
from tunescope.checks.dataset.aggregator import DatasetAggregator
from tunescope.checks.dataset.collectors.near_duplicates import NearDuplicates
from tunescope.checks.example.analyze import analyze_line
from tunescope.checks.model import CheckOptions, ExampleSummary
from tunescope.checks.run.runner import check_path
from tunescope.config import config_file
from tunescope.editing.session import EditSession
from tunescope.quality import signature_store
from tunescope.quality.similarity import EMPTY, NUM_PERM, signature, similarity
from tunescope.review.filters import FilterSpec, row_predicate

WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec "
         "romeo sierra tango uniform victor whiskey xray yankee zulu apple banana cherry grape lemon mango olive "
         "peach pear plum river stone cloud storm light shadow north south east west").split()


def _text(rng: random.Random, n: int = 40) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _tweak(rng: random.Random, text: str) -> str:
    """One word of 40 changed: about 0.9 Jaccard similarity of word bigrams."""
    words = text.split()
    words[rng.randrange(len(words))] = "zzz"
    return " ".join(words)


def _row(prompt: str, reply: str) -> dict:
    return {"messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": prompt},
                         {"role": "assistant", "content": reply}]}


def near_file(seed: int = 7, n: int = 120) -> tuple[list[dict], list[list[int]]]:
    """n distinct rows, then for a few of them one or two near-copies; the expected groups (0-based rows)."""
    rng = random.Random(seed)
    rows = [_row(_text(rng), _text(rng)) for _ in range(n)]
    expected = []
    for base in (3, 40, 77, 101):
        group = [base]
        for _ in range(1 + base % 2):
            group.append(len(rows))
            rows.append(_row(_tweak(rng, rows[base]["messages"][1]["content"]),
                             _tweak(rng, rows[base]["messages"][2]["content"])))
        expected.append(group)
    return rows, expected


def _summaries(rows: list[dict]) -> list[ExampleSummary]:
    options = CheckOptions()
    return [ExampleSummary(i, i + 1, analyze_line(orjson.dumps(r), i + 1, i, options)[1]) for i, r in enumerate(rows)]


def test_signature_estimates_similarity():
    rng = random.Random(1)
    text = _text(rng, 60)
    assert signature(text) == signature(text.upper().replace(" ", "  ") + "!")   # case, spacing, punctuation
    assert similarity(signature(text), signature(_tweak(rng, text))) > 0.8
    assert similarity(signature(text), signature(_text(rng, 60))) < 0.3
    assert signature("") == EMPTY and len(signature(text)) == 64


def test_groups_are_found_and_the_same_in_one_chunk_or_many():
    rows, expected = near_file()
    summaries = _summaries(rows)
    options = CheckOptions()
    whole = DatasetAggregator(options, (NearDuplicates,))
    for s in summaries:
        whole.add(s)
    for size in (1, 7, 50):
        merged = DatasetAggregator(options, (NearDuplicates,))
        for start in range(0, len(summaries), size):
            chunk = DatasetAggregator(options, (NearDuplicates,))
            for s in summaries[start:start + size]:
                chunk.add(s)
            merged.merge(pickle.loads(pickle.dumps(chunk)))
        assert merged.collector(NearDuplicates).groups(0.8) == expected, size
        assert merged.finish() == whole.finish(), size
    findings, stats = whole.finish()
    assert stats["near_duplicates"]["groups"] == [[r + 1 for r in g] for g in expected]
    first = next(f for f in findings if f.check == "near_duplicate")
    assert first.line == expected[0][1] + 1 and f"near-duplicate of line {expected[0][0] + 1} (group 1," in \
        first.message and "similarity 0." in first.message


@pytest.mark.parametrize("size", [1, 7, 50])
def test_groups_are_the_same_when_the_signatures_spill_to_disk(monkeypatch, size):
    """Past its budget the signature store writes rows and band columns to files: same groups, same
    findings, files gone when the aggregator closes."""
    rows, expected = near_file()
    summaries = _summaries(rows)
    options = CheckOptions()
    whole = DatasetAggregator(options, (NearDuplicates,))
    for s in summaries:
        whole.add(s)
    want = whole.finish()
    monkeypatch.setattr(signature_store, "BUDGET", 5 * 2 * NUM_PERM)
    merged = DatasetAggregator(options, (NearDuplicates,))
    for start in range(0, len(summaries), size):
        chunk = DatasetAggregator(options, (NearDuplicates,))
        for s in summaries[start:start + size]:
            chunk.add(s)
        merged.merge(pickle.loads(pickle.dumps(chunk)))
    store = merged.collector(NearDuplicates).signatures
    assert store.spilled > len(summaries) - 10 and os.listdir(store._dir)
    assert merged.collector(NearDuplicates).groups(0.8) == expected
    assert merged.finish() == want
    assert pickle.loads(pickle.dumps(store)).all_bytes() == whole.collector(NearDuplicates).signatures.all_bytes()
    where = store._dir
    merged.close()
    assert not os.path.exists(where)


def test_validation_near_copies_are_found_when_the_training_signatures_spill(tmp_path, monkeypatch):
    rows, _ = near_file()
    rng = random.Random(3)
    valid = [_row(_tweak(rng, rows[k]["messages"][1]["content"]), _text(rng)) for k in (5, 60)] + [rows[9]]
    train_path, valid_path = write_jsonl(tmp_path, rows, "t.jsonl"), write_jsonl(tmp_path, valid, "v.jsonl")
    want = check_path(str(train_path), validation=str(valid_path), workers=1, use_cache=False).validation.findings
    assert [f.line for f in want if f.check == "validation_near_overlap"] == [1, 2]
    monkeypatch.setattr(signature_store, "BUDGET", 0)
    got = check_path(str(train_path), validation=str(valid_path), workers=1, use_cache=False).validation.findings
    assert got == want


def test_threshold_and_exact_copies(tmp_path):
    rows, expected = near_file()
    rows.append(rows[10])                           # an exact copy: duplicate_example, not near_duplicate
    path = write_jsonl(tmp_path, rows)
    report = check_path(str(path), CheckOptions(), workers=1)
    near = sorted(f.line for f in report.findings if f.check == "near_duplicate")
    assert near == sorted(r + 1 for g in expected for r in g[1:])
    assert [f.line for f in report.findings if f.check == "duplicate_example"] == [len(rows)]
    strict = check_path(str(path), CheckOptions(near_duplicate_threshold=0.99), workers=1, use_cache=False)
    assert not [f for f in strict.findings if f.check == "near_duplicate"]
    off = check_path(str(path), CheckOptions(near_duplicate_threshold=0), workers=1)
    assert "near_duplicates" not in off.stats


def test_validation_near_copies_are_leakage(tmp_path):
    rng = random.Random(3)
    train = [_row(_text(rng), _text(rng)) for _ in range(30)]
    valid = [_row(_tweak(rng, train[5]["messages"][1]["content"]), "a different reply altogether"),
             _row(_text(rng), _text(rng)), train[8]]
    report = check_path(str(write_jsonl(tmp_path, train, "t.jsonl")), CheckOptions(), workers=1,
                        validation=str(write_jsonl(tmp_path, valid, "v.jsonl")))
    leaks = [f for f in report.validation.findings if f.check == "validation_near_overlap"]
    assert [f.line for f in leaks] == [1] and "training line 6" in leaks[0].message
    assert [f.line for f in report.validation.findings if f.check == "validation_overlap"] == [3]


def test_cli_flag_and_setting(tmp_path, isolated_home, capsys):
    rows, expected = near_file()
    path = str(write_jsonl(tmp_path, rows))
    cli.main(["check", path, "--format", "json", "--near-duplicates", "0.99"])
    assert '"near_duplicate"' not in capsys.readouterr().out
    cli.main(["check", path, "--format", "json"])
    assert '"near_duplicate"' in capsys.readouterr().out

    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text("near_duplicate_threshold = 0\n")
    cli.main(["check", path, "--format", "json"])
    assert '"near_duplicate"' not in capsys.readouterr().out
    config_file().write_text("near_duplicate_threshold = 0.2\n")
    assert cli.main(["check", path]) == 2
    assert "near_duplicate_threshold = 0.2" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["check", path, "--near-duplicates", "1.5"])
    assert "from 0.5 to 1" in capsys.readouterr().err


def test_fix_keeps_one_per_group(tmp_path):
    rows, expected = near_file()
    s = EditSession.open(write_jsonl(tmp_path, rows))
    report = s.apply_fix("dedupe_near")
    assert sorted(c.row for c in report.changes) == sorted(r for g in expected for r in g[1:])
    assert report.changes[0].reason == f"near-duplicate of line {expected[0][0] + 1}"
    assert len(s) == len(rows) - sum(len(g) - 1 for g in expected)
    s.undo()
    assert len(s) == len(rows)


def test_tui_filters_keep_near_duplicates_and_privacy_rows(tmp_path):
    rng = random.Random(5)
    rows = [_row(_text(rng), _text(rng)) for _ in range(20)]
    rows += [_row(_tweak(rng, rows[3]["messages"][1]["content"]), _tweak(rng, rows[3]["messages"][2]["content"])),
             _row("write to jane.roe@gmail.com", "ok")]
    review = review_of(write_jsonl(tmp_path, rows))
    state = review.state

    def kept(kind):
        keep = row_predicate(state, FilterSpec(kind))
        return [row for row in range(state.row_count()) if keep(row)]
    assert kept("near_duplicates") == [20]
    assert kept("privacy") == [21]


def test_groups_of_exact_copies_only_are_left_to_duplicate_example(tmp_path):
    rng = random.Random(9)
    rows = [_row(_text(rng), _text(rng)) for _ in range(20)]
    rows += [rows[4], rows[4]]
    report = check_path(str(write_jsonl(tmp_path, rows)), CheckOptions(), workers=1)
    assert not [f for f in report.findings if f.check == "near_duplicate"]
    assert report.stats["near_duplicates"]["groups"] == []
    assert [f.line for f in report.findings if f.check == "duplicate_example"] == [21, 22]


def test_turning_the_check_on_after_an_off_run_is_not_served_from_the_cache(tmp_path):
    rows, expected = near_file()
    path = str(write_jsonl(tmp_path, rows))
    off = check_path(path, CheckOptions(near_duplicate_threshold=0), workers=1)   # cached without signatures
    assert "near_duplicates" not in off.stats
    on = check_path(path, CheckOptions(), workers=1)
    assert on.stats["near_duplicates"]["groups"] == [[r + 1 for r in g] for g in expected]


def test_bands_sorted_slice_by_slice_give_the_same_groups_and_leaks(monkeypatch):
    """Big bands are sorted a slice of the key range at a time (bounded temporaries at millions of rows):
    the groups and validation matches are those of one whole sort."""
    import numpy as np

    from tunescope.quality import near_groups as ng

    rng = np.random.default_rng(4)
    m = rng.integers(0, 256, size=(3000, 2 * NUM_PERM), dtype=np.uint8)
    for a, b in zip(rng.integers(0, 3000, 400), rng.integers(0, 3000, 400)):
        row = m[a].copy()
        flip = rng.random(2 * NUM_PERM) < 0.05
        row[flip] = rng.integers(0, 256, int(flip.sum()))
        m[b] = row
    valid = m[rng.integers(0, 3000, 300)].copy()
    whole = ng.near_groups(m.tobytes(), 0.8), ng.cross_matches(m.tobytes(), valid.tobytes(), 0.8)
    assert len(whole[0]) > 50 and len(whole[1]) == 300
    monkeypatch.setattr(ng, "SLICE_MIN", 2)
    assert (ng.near_groups(m.tobytes(), 0.8), ng.cross_matches(m.tobytes(), valid.tobytes(), 0.8)) == whole
