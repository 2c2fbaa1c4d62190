"""Every dataset-level check id: a minimal failing file and a minimal passing one."""

from __future__ import annotations

import json

import orjson
import pytest

from tests.factories import rft, write_jsonl
from tunescope.checks import keys
from tunescope.checks.dataset.aggregator import DatasetAggregator
from tunescope.checks.dataset.collectors import COLLECTORS, VALIDATION_CHECKS, images
from tunescope.checks.dataset.collectors.near_duplicates import NearDuplicates
from tunescope.checks.dataset.collectors.replies import _key as replies_key
from tunescope.checks.example import legacy as example_legacy
from tunescope.checks.example.analyze import analyze_line
from tunescope.checks.model import CheckOptions, ExampleSummary
from tunescope.checks.registry import CHECKS, by_area
from tunescope.quality.similarity import NUM_PERM
from tunescope.checks.run.runner import check_path, options_for_model

SYS = {"role": "system", "content": "You label sentiment."}
DEV = {"role": "developer", "content": "Answer with one letter."}


def qa(q: str, ans: str, system=SYS):
    msgs = ([system] if system else []) + [{"role": "user", "content": q}, {"role": "assistant", "content": ans}]
    return {"messages": msgs}


def distinct(n: int, system=SYS):
    return [qa(f"question {i}", f"answer number {i}.", system) for i in range(n)]


def rft_row(i: int, **keys):
    return rft(DEV, {"role": "user", "content": f"q{i}"}, **keys)


def pc(p: str, c: str):
    return {"prompt": p, "completion": c}


def legacy(n: int, prompt=lambda i: f"text {i} ->", completion=lambda i: f" {i} items\n"):
    return [pc(prompt(i), completion(i)) for i in range(n)]


def aggregate(rows, options: CheckOptions | None = None) -> DatasetAggregator:
    options = options or CheckOptions()
    agg = DatasetAggregator(options)
    for i, row in enumerate(rows):
        _, an = analyze_line(row if isinstance(row, bytes) else orjson.dumps(row), i + 1, i, options)
        agg.add(ExampleSummary(example=i, line=i + 1, analysis=an))
    return agg


def dataset_checks(rows, options=None):
    findings, stats = aggregate(rows, options).finish()
    return findings, stats


PREF = lambda i, p="A much longer and more detailed good answer.", n="Bad.": {  # noqa: E731
    "input": {"messages": [{"role": "user", "content": f"q{i}"}]},
    "preferred_output": [{"role": "assistant", "content": p}],
    "non_preferred_output": [{"role": "assistant", "content": n}]}

# (check id, failing rows, passing rows, options)
CASES = [
    ("too_few_examples", distinct(5), distinct(10), None),
    ("few_examples", distinct(20), distinct(50), None),
    ("duplicate_example", distinct(12) + [qa("question 3", "answer number 3.")], distinct(13), None),
    ("conflicting_outputs", distinct(12) + [qa("question 3", "another answer")], distinct(13), None),
    ("mixed_formats", distinct(12) + [PREF(1)], distinct(13), None),
    ("missing_assistant_message", distinct(12) + [{"messages": [SYS, {"role": "user", "content": "q"}]}],
     distinct(13), None),
    ("prompt_only_examples", [{"messages": [{"role": "user", "content": f"q{i}"}]} for i in range(12)],
     distinct(12), None),
    ("system_prompts", distinct(6) + distinct(6, {"role": "system", "content": "Other."}), distinct(12), None),
    ("system_prompt_missing", distinct(12) + [qa("no system", "x", None)], distinct(13), None),
    ("system_prompt_variant", distinct(12) + [qa("q", "a", {"role": "system", "content": "You label sentiment!"})],
     distinct(13), None),
    ("reply_distribution", [qa(f"review {i}", ["positive", "negative", "neutral"][i % 3]) for i in range(30)],
     distinct(30), None),
    ("reply_imbalance", [qa(f"review {i}", "positive" if i < 24 else ["negative", "neutral"][i % 2]) for i in range(30)],
     [qa(f"review {i}", ["positive", "negative", "neutral"][i % 3]) for i in range(30)], None),
    ("rft_grader_key_missing", [rft_row(i, answer="A") for i in range(10)] + [rft_row(10, other=1), rft_row(11, other=1)],
     [rft_row(i, answer="A") for i in range(12)], None),
    ("rft_grader_key_type", [rft_row(i, answer="A") for i in range(10)] + [rft_row(10, answer=3)],
     [rft_row(i, answer="A") for i in range(11)], None),
    ("preference_length_bias", [PREF(i) for i in range(12)],
     [PREF(i, *(("Short.", "A long, rambling, much worse answer.") if i % 2 else ())) for i in range(12)], None),
    ("legacy_format_for_chat_model", legacy(12), legacy(12), "babbage"),
    ("legacy_classification", legacy(30, completion=lambda i: [" yes\n", " no\n"][i % 2]), legacy(30), None),
    ("legacy_prompts_identical", legacy(12, prompt=lambda i: "same ->"), legacy(12), None),
    ("legacy_prompt_separator", legacy(12), legacy(12, prompt=lambda i: f"text {i}{'.!?'[i % 3]}"), None),
    ("legacy_no_prompt_separator", legacy(12, prompt=lambda i: f"text {i}{'.!?'[i % 3]}"), legacy(12), None),
    ("legacy_common_prompt_prefix", legacy(12, prompt=lambda i: f"Classify this review please: {i} ->"),
     legacy(12), None),
    ("legacy_common_completion_prefix", legacy(12, completion=lambda i: f" Answer: {i}\n"), legacy(12), None),
    ("legacy_completions_identical", legacy(12, completion=lambda i: " same\n"), legacy(12), None),
    ("legacy_completion_ending", legacy(12), legacy(12, completion=lambda i: f" label {i}{'.!?'[i % 3]}"), None),
    ("legacy_no_completion_ending", legacy(12, completion=lambda i: f" label {i}{'.!?'[i % 3]}"), legacy(12), None),
    ("legacy_completion_leading_space", legacy(12, completion=lambda i: f"label{i}\n"), legacy(12), None),
    ("legacy_uppercase", legacy(12, prompt=lambda i: f"SHOUTING TEXT {i} ->"), legacy(12), None),
]


def options_for(tag):
    if tag == "babbage":
        return CheckOptions(model="babbage-002")
    return CheckOptions()


@pytest.mark.parametrize("check,bad,good,tag", CASES, ids=[c[0] for c in CASES])
def test_dataset_check_fires_on_failing_and_not_on_passing(check, bad, good, tag):
    bad_findings, _ = dataset_checks(bad, CheckOptions() if tag == "babbage" else options_for(tag))
    assert check in {f.check for f in bad_findings}, sorted({f.check for f in bad_findings})
    f = next(f for f in bad_findings if f.check == check)
    assert f.message and f.hint and f.severity is CHECKS[check].severity
    good_findings, _ = dataset_checks(good, options_for(tag))
    assert check not in {f.check for f in good_findings}, [f.message for f in good_findings if f.check == check]


def test_too_many_image_examples(monkeypatch):
    rows = [{"messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": f"https://x.org/{i}.png"}}]},
        {"role": "assistant", "content": f"cat {i}"}]} for i in range(12)]
    monkeypatch.setattr(images, "MAX_IMAGE_EXAMPLES", 11)
    assert "too_many_image_examples" in {f.check for f in dataset_checks(rows)[0]}
    monkeypatch.setattr(images, "MAX_IMAGE_EXAMPLES", 12)
    assert "too_many_image_examples" not in {f.check for f in dataset_checks(rows)[0]}


def test_validation_overlap_and_input_overlap():
    train = aggregate(distinct(20))
    valid = aggregate([qa("question 4", "answer number 4."), qa("question 5", "a different answer"),
                       qa("fresh question", "fresh answer")])
    found = train.compare_validation(valid)
    overlap = [f for f in found if f.check == "validation_overlap"]
    assert len(overlap) == 1 and overlap[0].line == 1 and "training line 5" in overlap[0].message
    inputs = [f for f in found if f.check == "validation_input_overlap"]
    assert len(inputs) == 1 and inputs[0].line == 2
    clean = aggregate([qa("fresh question", "fresh answer")])
    assert train.compare_validation(clean) == []


def test_duplicates_keep_first_and_group_lines():
    rows = distinct(12)
    rows.insert(5, rows[1])
    rows.append(rows[1])
    findings, stats = dataset_checks(rows)
    dups = [f for f in findings if f.check == "duplicate_example"]
    assert [f.line for f in dups] == [6, 14]
    assert stats["duplicates"] == {"rows": 2, "groups": [[2, 6, 14]]}


def test_stats_shape():
    rows = distinct(12) + [qa("q", "a", {"role": "system", "content": "Other."})]
    findings, stats = dataset_checks(rows)
    assert stats["kinds"] == {"chat": 13} and stats["format"] == "chat" and stats["examples"] == 13
    assert stats["system_prompts"]["distinct"] == 2
    assert stats["system_prompts"]["prompts"][0] == {"text": "You label sentiment.", "count": 12, "first_line": 1}
    assert stats["messages_per_example"] == {"min": 3, "p5": 3, "p50": 3, "p95": 3, "max": 3, "mean": 3.0}


def test_prompt_only_rows_in_supervised_majority_become_errors_at_their_lines():
    rows = distinct(12)
    rows.insert(3, {"messages": [{"role": "user", "content": "unanswered"}]})
    findings, stats = dataset_checks(rows)
    missing = [f for f in findings if f.check == "missing_assistant_message"]
    assert [(f.line, f.example) for f in missing] == [(4, 3)]
    assert stats["kinds"] == {"chat": 13} and not [f for f in findings if f.check == "mixed_formats"]


def _bytes_per_example(collectors) -> float:
    import tracemalloc
    rows = [orjson.dumps(qa(f"question {i}", f"answer {i % 7}")) for i in range(20000)]
    options = CheckOptions()
    agg = DatasetAggregator(options, collectors)
    analyses = [analyze_line(row, i + 1, i, options)[1] for i, row in enumerate(rows)]
    tracemalloc.start()
    for i, an in enumerate(analyses):
        agg.add(ExampleSummary(example=i, line=i + 1, analysis=an))
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return current / len(rows)


def test_near_duplicate_signatures_are_compact():
    """Near-duplicates keep a 128-byte b-bit MinHash signature (prompt + reply) and 8 bytes of position
    and digest per example, in flat buffers: no per-example objects."""
    per_example = _bytes_per_example((NearDuplicates,))
    assert per_example < 1.25 * (2 * NUM_PERM + 8), f"{per_example:.0f} bytes per example"   # + growth slack


def test_memory_per_example_is_small():
    """The aggregator stores arrays, not per-example Python objects (near-duplicate signatures are
    bounded on their own, above)."""
    import tracemalloc
    rows = [orjson.dumps(qa(f"question {i}", f"answer {i % 7}")) for i in range(20000)]
    options = CheckOptions()
    agg = DatasetAggregator(options, tuple(c for c in COLLECTORS if c is not NearDuplicates))
    analyses = [analyze_line(row, i + 1, i, options)[1] for i, row in enumerate(rows)]
    tracemalloc.start()
    for i, an in enumerate(analyses):
        agg.add(ExampleSummary(example=i, line=i + 1, analysis=an))
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert current / len(rows) < 48, f"{current / len(rows):.0f} bytes per example"


def test_every_dataset_check_is_declared_by_exactly_one_collector():
    """A collector lists the checks it declares; together they are the catalogue's dataset area."""
    declared = [c.id for cls in COLLECTORS for c in cls.checks] + [c.id for c in VALIDATION_CHECKS]
    assert len(declared) == len(set(declared))
    assert set(declared) == {c.id for c in by_area()["dataset"]}


def test_legacy_suggestions_match_the_bits_rows_record():
    """The collector reads the separator/ending masks the per-example legacy check writes."""
    assert example_legacy.SEPARATORS is keys.SEPARATORS and example_legacy.ENDINGS is keys.ENDINGS   # one table


# Folded from test_qa_counts.py: QA: the example count in the header, the size findings and the format agree with each other.


def chat(i, assistant=True):
    msgs = [{"role": "system", "content": "S"}, {"role": "user", "content": f"q{i}"}]
    return json.dumps({"messages": msgs + ([{"role": "assistant", "content": f"a{i}"}] if assistant else [])})


def check(tmp_path, lines):
    p = write_jsonl(tmp_path, lines)
    return check_path(p, options_for_model(), use_cache=False)


def messages(report, check_id):
    return [f.message for f in report.findings if f.check == check_id]


@pytest.mark.regression("qa_counts")
def test_invalid_lines_are_not_counted_as_examples(tmp_path):
    r = check(tmp_path, [chat(i) for i in range(8)] + ["{not json", '{"a": NaN}', "[1, 2]"])
    assert r.examples == 8
    (msg,) = messages(r, "too_few_examples")
    assert "has 8 example(s)" in msg and "3 more line(s)" in msg      # said "has 11 example(s)"
    r = check(tmp_path, [chat(i) for i in range(12)] + ["{not json"])
    assert r.examples == 12 and "has 12 examples" in messages(r, "few_examples")[0]


@pytest.mark.regression("qa_counts")
def test_file_of_blank_lines_says_it_has_no_examples(tmp_path):
    r = check(tmp_path, ["", "   ", "\t", ""])
    assert r.examples == 0
    (msg,) = messages(r, "too_few_examples")                          # was missing entirely
    assert "has 0 example(s)" in msg


@pytest.mark.regression("qa_counts")
def test_a_missing_assistant_reply_does_not_make_the_file_mixed(tmp_path):
    r = check(tmp_path, [chat(i) for i in range(10)] + [chat(10, assistant=False)])
    assert messages(r, "missing_assistant_message")        # read as supervised, and said so
    assert r.format == "chat"                              # was "mixed" (raw kinds: 10 chat, 1 reinforcement)
    assert not messages(r, "mixed_formats")


def test_long_replies_are_told_apart_by_their_whole_text_and_quoted_by_their_head(tmp_path):
    # counted under their quoted head and a digest: every cached chunk partial holds this counter
    head = "The customer asks for a refund of an order that arrived damaged; the ticket goes to the team for "
    labels = [head + team for team in ("billing.", "shipping.", "returns.")]     # alike for 99 characters
    r = check(tmp_path, [qa(f"ticket {i}", labels[i % 3]) for i in range(30)])
    replies = r.stats["replies"]
    assert replies["distinct"] == 3 and [d["count"] for d in replies["distribution"]] == [10, 10, 10]
    assert {d["reply"] for d in replies["distribution"]} == {head[:79] + "…"}
    assert f'"{head[:79]}…" 10' in messages(r, "reply_distribution")[0]
    shown, digest = replies_key(labels[0])                  # what is kept of a long one: 80 characters, 8 bytes
    assert shown == head[:79] + "…" and len(digest) == 8 and replies_key("positive") == "positive"
