"""`tunescope diff`: two versions of a dataset compared by content, with real files checked by the real checker."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
from hypothesis import given, strategies as st

from tunescope import cli
from tunescope.checks.run.runner import options_for_model
from tunescope.checks.version_diff import _matched, diff_versions, load_version
from tests.conftest import DATASETS


def _rows(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def _write(path, rows, raw: dict | None = None):
    raw = raw or {}
    path.write_text("".join((raw[i] if i in raw else json.dumps(r)) + "\n" for i, r in enumerate(rows, 1)))
    return path


def _versions(tmp_path):
    """v1: pirate_chat.jsonl; v2: line 3 with its keys reordered and spaces dropped (the same example), line 5
    with a new answer, line 8 gone, a new example and a copy of line 2 at the end."""
    v1 = _write(tmp_path / "v1.jsonl", _rows(DATASETS / "pirate_chat.jsonl"))
    rows = _rows(v1)
    new = [dict(reversed(list(r.items()))) if i == 3 else r for i, r in enumerate(rows, 1) if i != 8]
    new[4] = {**new[4], "messages": new[4]["messages"][:-1] + [{"role": "assistant", "content": "Changed, matey."}]}
    fresh = json.loads(json.dumps(rows[0]))
    fresh["messages"][1]["content"] = "A brand new question?"
    new += [fresh, rows[1]]
    v2 = _write(tmp_path / "v2.jsonl", new, raw={3: json.dumps(new[2], separators=(",", ":"))})
    return v1, v2


def test_examples_are_matched_by_content_and_a_new_answer_is_a_changed_answer(tmp_path):
    v1, v2 = _versions(tmp_path)
    options = options_for_model()
    diff = diff_versions(load_version(str(v1), options), load_version(str(v2), options), options)
    assert (diff.unchanged, diff.changed_count, diff.removed_count, diff.added_count) == (8, 1, 1, 2)
    assert diff.changed == [(5, 5)] and diff.removed == [8] and diff.added == [10, 11]
    assert diff.previews[("old", 8)].startswith("What is the distance")
    assert diff.previews[("new", 10)].startswith("A brand new question")
    checks = {c: (a, b) for c, a, b in diff.checks()}
    assert checks["duplicate_example"] == (0, 1)             # the copy of line 2 at the end
    assert diff.regressions == {}                              # no more errors than before
    data = diff.to_dict()
    assert data["examples"] == {"unchanged": 8, "changed_answers": 1, "rewritten": 0, "removed": 1, "added": 2}
    assert data["old"]["examples"] == 10 and data["new"]["examples"] == 11


def test_a_duplicate_dropped_is_one_removal(tmp_path):
    rows = _rows(DATASETS / "pirate_chat.jsonl")
    old = _write(tmp_path / "old.jsonl", rows + [rows[0]])
    new = _write(tmp_path / "new.jsonl", rows)
    options = options_for_model()
    diff = diff_versions(load_version(str(old), options), load_version(str(new), options))
    assert (diff.unchanged, diff.changed_count, diff.removed_count, diff.added_count) == (10, 0, 1, 0)
    assert diff.removed == [11]


@given(st.lists(st.integers(0, 5), max_size=40), st.lists(st.integers(0, 5), max_size=40))
def test_matching_takes_the_first_occurrences_up_to_the_other_sides_count(mine, theirs):
    got = _matched(np.array(mine, dtype=np.uint64), np.array(theirs, dtype=np.uint64))
    left, expected = Counter(theirs), []
    for value in mine:                       # the plain version: walk in order, take while the other side has some
        expected.append(value != 0 and left[value] > 0)
        if expected[-1]:
            left[value] -= 1
    assert got.tolist() == expected


def test_the_command_reports_and_fails_on_new_errors_when_asked(tmp_path, capsys):
    v1, v2 = _versions(tmp_path)
    assert cli.main(["diff", str(v1), str(v2)]) == 0
    out = capsys.readouterr().out
    assert "8 unchanged, 1 changed answer, 0 rewritten, 1 removed, 2 added" in out
    assert "line 5 -> line 5:" in out and "line 8: What is the distance" in out
    broken = tmp_path / "v3.jsonl"
    broken.write_text(v2.read_text() + '{"messages": [{"role": "user"}]}\n')
    assert cli.main(["diff", str(v2), str(broken), "--fail-on-regression", "--format", "json"]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["regressions"] and report["examples"]["added"] == 1
    assert captured.err.startswith(f"tunescope diff: more errors in {broken}: ")
    assert cli.main(["diff", str(v1), str(tmp_path / "missing.jsonl")]) == 2
    assert "missing.jsonl: no such file" in capsys.readouterr().err


def test_a_pretty_printed_file_and_its_jsonl_conversion_hold_the_same_examples(tmp_path, capsys):
    pretty = tmp_path / "pretty.json"
    pretty.write_bytes((DATASETS / "medical_pretty_printed_crlf.jsonl").read_bytes())
    converted = tmp_path / "converted.jsonl"
    assert cli.main(["fix", str(pretty), "--to-jsonl", "-o", str(converted)]) == 0
    capsys.readouterr()
    options = options_for_model()
    old, new = load_version(str(pretty), options), load_version(str(converted), options)
    diff = diff_versions(old, new, options)
    assert diff.unchanged == old.report.examples == new.report.examples == 25
    assert (diff.changed_count, diff.removed_count, diff.added_count) == (0, 0, 0)
    assert {c for c, _, _ in diff.checks()} >= {"not_jsonl"}          # what the conversion fixed
    # the other way round, what went is listed with the preview of the object that starts on its line
    gone = diff_versions(old, load_version(str(_write(tmp_path / "one.jsonl", _rows(converted)[:1])), options),
                         options)
    assert gone.removed_count == 24 and gone.removed[0] == 17
    assert gone.previews[("old", 17)].startswith("EXAM: , CT chest with contrast")


def test_money_and_counts_read_as_people_write_them():
    from tunescope.checks.version_diff_text import delta as _delta

    assert _delta(0.4562, 0.0292, money=True) == "$0.4562 -> $0.0292 (-$0.4270)"
    assert _delta(1200.5, 1300.25, money=True) == "$1,200.50 -> $1,300.25 (+$99.75)"
    assert _delta(10, 11) == "10 -> 11 (+1)" and _delta(3, 3) == "3 (same)" and _delta(None, 5) == "- -> 5"


def test_rows_rewritten_around_the_same_text_are_paired_and_the_dropped_duplicate_named(tmp_path, capsys):
    # LLaMA-Factory's near-miss rows renamed to OpenAI's shape, and the one exact duplicate (line 326) dropped
    source = tmp_path / "lf.jsonl"
    source.write_bytes((DATASETS / "llamafactory_nearmiss_sft.jsonl").read_bytes())
    fixed = tmp_path / "lf.fixed.jsonl"
    assert cli.main(["fix", str(source), "--rename-near-miss", "--dedupe", "-o", str(fixed)]) == 0
    capsys.readouterr()
    options = options_for_model()
    diff = diff_versions(load_version(str(source), options), load_version(str(fixed), options), options)
    assert (diff.unchanged, diff.changed_count, diff.rewritten_count, diff.removed_count, diff.added_count) == \
        (0, 0, 499, 1, 0)
    assert diff.removed == [326] and diff.rewritten[:3] == [(1, 1), (2, 2), (3, 3)]
    assert diff.previews[("old", 326)].startswith("Create a reinterpretation of the following painting")


def test_of_two_copies_the_one_edited_is_the_changed_one(tmp_path):
    rows = _rows(DATASETS / "pirate_chat.jsonl")
    old_rows = rows[:5] + [rows[1]] + rows[5:]              # line 2 and line 6 are the same example
    new_rows = [json.loads(json.dumps(r)) for r in old_rows]
    new_rows[1]["messages"][-1]["content"] = "Arr, a new answer."   # the first copy is edited, the second kept
    options = options_for_model()
    old = load_version(str(_write(tmp_path / "old.jsonl", old_rows)), options)
    new = load_version(str(_write(tmp_path / "new.jsonl", new_rows)), options)
    diff = diff_versions(old, new)
    assert (diff.unchanged, diff.changed_count, diff.removed_count, diff.added_count) == (10, 1, 0, 0)
    assert diff.changed == [(2, 2)]                          # counting alone read (6, 2)


@given(st.lists(st.integers(1, 4), max_size=12), st.lists(st.integers(1, 4), max_size=12))
def test_aligning_copies_keeps_every_count_and_pairs_nearest(old_keys, new_keys):
    from tunescope.checks.version_diff import _nearest_copies

    old, new = np.array(old_keys, dtype=np.uint64), np.array(new_keys, dtype=np.uint64)
    went, came = ~_matched(old, new), ~_matched(new, old)
    counted = (int(went.sum()), int(came.sum()))
    _nearest_copies(old, new, went, came)
    assert (int(went.sum()), int(came.sum())) == counted
    for key in set(old_keys) | set(new_keys):       # per key: as many copies stay on each side as before
        stay_old = int((~went & (old == key)).sum())
        stay_new = int((~came & (new == key)).sum())
        assert stay_old == stay_new == min(old_keys.count(key), new_keys.count(key))
