"""The dataset checker end to end on real files: parallel equals inline, the cache, cancel, layouts."""

import functools
import json
import pickle
import threading

import orjson
import pytest

import tunescope.checks.example.analyze as analyze_mod
import tunescope.checks.example.analyze as checks_mod
from tests.conftest import dataset_files
from tests.factories import pref, rft, write_jsonl
from tests.unit.checks.test_dataset_rules import CASES
from tunescope.checks.dataset.aggregator import DatasetAggregator
from tunescope.checks.dataset.collectors import COLLECTORS
from tunescope.checks.example.analyze import token_findings
from tunescope.checks.model import CheckOptions, ExampleSummary
from tunescope.checks.report_text import render_text
from tunescope.checks.run import codec
from tunescope.checks.run import runner as checker
from tunescope.checks.run.runner import DatasetChecker, check_path, options_for_model
from tunescope.checks.run.worker import check_example
from tunescope.dataset.index import open_index
from tunescope.tokens.count import TokenCounter

REQUIRED = {"file", "format", "model", "encoding", "exact_tokens", "examples", "lines", "summary",
            "counts_by_check", "findings", "tokens", "cost", "duplicates"}


def chat_line(i: int, words: int = 30) -> bytes:
    obj = {"messages": [{"role": "system", "content": "You are terse."},
                        {"role": "user", "content": f"question {i} " + "lorem " * words + "end"},
                        {"role": "assistant", "content": f"answer {i}"}]}
    return orjson.dumps(obj) + b"\n"


def make_file(tmp_path, n: int, words: int = 30, name="big.jsonl"):
    p = tmp_path / name
    with open(p, "wb") as fh:
        for i in range(n):
            fh.write(chat_line(i, words))
    return p


@pytest.mark.parametrize("path", dataset_files(), ids=lambda p: p.name)
def test_every_real_dataset_reports_without_crashing(path):
    report = check_path(path, use_cache=False)
    data = report.to_json()
    assert REQUIRED <= set(data)
    assert data["lines"] == len(path.read_bytes().splitlines())
    for f in data["findings"]:
        assert f["check"] and f["severity"] in ("error", "warning", "info") and f["message"]
        if f["line"] is not None:
            assert 1 <= f["line"] <= data["lines"]
    orjson.dumps(data)  # serialisable


def test_token_totals_match_direct_counting(datasets_dir):
    path = datasets_dir / "pirate_chat.jsonl"
    opts = options_for_model()
    report = check_path(path, opts, use_cache=False)
    counter = TokenCounter(opts.encoding)
    expected = sum(counter.count_record(json.loads(line), report_kind(report)).total
                   for line in path.read_text().splitlines())
    assert report.tokens.total == expected
    assert report.exact_tokens


def report_kind(report):
    from tunescope.checks.model import RecordKind
    return RecordKind(report.format)


def test_parallel_equals_inline(tmp_path):
    p = make_file(tmp_path, 6000, words=120)
    with open(p, "ab") as fh:       # a few problems to find
        fh.write(b"not json\n")
        fh.write(chat_line(1, 120))  # duplicate of line 2
    opts = options_for_model()
    inline = DatasetChecker(open_index(p), opts, workers=1, use_cache=False).run()
    parallel = DatasetChecker(open_index(p), opts, workers=2, use_cache=False).run()
    assert parallel.to_json()["findings"] == inline.to_json()["findings"]
    assert parallel.tokens == inline.tokens
    assert parallel.examples == inline.examples == 6001
    assert any(f.line == 6001 for f in parallel.findings)


def test_result_cache_only_rechecks_changed_lines(tmp_path, monkeypatch):
    p = make_file(tmp_path, 300)
    opts = options_for_model()
    first = DatasetChecker(open_index(p), opts, workers=1).run()
    calls = []
    real = checks_mod.analyze_line

    def spy(data, line, example, options):
        calls.append(line)
        return real(data, line, example, options)

    monkeypatch.setattr(checks_mod, "analyze_line", spy)
    lines = p.read_bytes().splitlines(keepends=True)
    lines[10] = b'{"messages": [{"role": "user", "content": "changed"}]}\n'
    p.write_bytes(b"".join(lines))
    second = DatasetChecker(open_index(p), opts, workers=1).run()
    assert calls == [11]
    fresh = DatasetChecker(open_index(p), opts, workers=1, use_cache=False).run()
    assert second.to_json()["findings"] == fresh.to_json()["findings"]
    assert second.to_json()["findings"] != first.to_json()["findings"]


def test_cached_findings_follow_moved_lines(tmp_path):
    p = tmp_path / "m.jsonl"
    bad = b'{"messages": [{"role": "user", "content": "no answer"}]}\n'
    p.write_bytes(bad + b"".join(chat_line(i) for i in range(5)))
    opts = options_for_model()
    r1 = DatasetChecker(open_index(p), opts, workers=1).run()
    assert [f.line for f in r1.findings if f.check == "missing_assistant_message"] == [1]
    p.write_bytes(chat_line(7) + chat_line(8) + bad + b"".join(chat_line(i) for i in range(5)))
    r2 = DatasetChecker(open_index(p), opts, workers=1).run()
    assert [f.line for f in r2.findings if f.check == "missing_assistant_message"] == [3]


def test_cancel_returns_partial_report(tmp_path):
    p = make_file(tmp_path, 20000)
    cancel = threading.Event()
    seen = []

    def on_batch(batch):
        seen.extend(batch)
        cancel.set()

    report = DatasetChecker(open_index(p), options_for_model(), workers=1, use_cache=False).run(on_batch=on_batch, cancel=cancel)
    assert report.cancelled and 0 < len(seen) < 20000


def test_pretty_printed_file_is_checked_as_documents(datasets_dir):
    report = check_path(datasets_dir / "medical_pretty_printed_crlf.jsonl", use_cache=False)
    assert report.facts.layout == "pretty_printed"
    assert report.examples == 25 and report.format == "chat"
    assert report.counts_by_check.get("not_jsonl") == 1
    assert "json_invalid" not in report.counts_by_check


def test_empty_and_binary_files(tmp_path):
    e = tmp_path / "e.jsonl"
    e.write_bytes(b"")
    assert check_path(e, use_cache=False).format == "empty"
    b = tmp_path / "b.jsonl"
    b.write_bytes(bytes(range(256)) * 100)
    r = check_path(b, use_cache=False)
    assert r.format == "binary" and r.counts_by_check == {"binary_file": 1}


def test_validation_overlap(tmp_path):
    train = make_file(tmp_path, 20, name="train.jsonl")
    valid = tmp_path / "valid.jsonl"
    valid.write_bytes(chat_line(3) + chat_line(999))
    report = check_path(train, validation=valid, use_cache=False)
    assert report.validation is not None and report.validation.examples == 2
    overlap = [f for f in report.validation.findings if f.check in ("validation_overlap", "validation_input_overlap")]
    assert [f.line for f in overlap] == [1], report.validation.counts_by_check
    # issue 9: a 2-example validation file is allowed (no documented minimum): a warning, not too_few_examples
    assert report.validation.counts_by_check.get("validation_few_examples") == 1
    assert "too_few_examples" not in report.validation.counts_by_check and report.validation.ok


def test_cached_duplicates_keep_their_own_lines(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b"".join(chat_line(i) for i in range(12)) + chat_line(3))
    opts = options_for_model()
    first = DatasetChecker(open_index(p), opts, workers=1).run()
    again = DatasetChecker(open_index(p), opts, workers=1).run()   # served from the result cache
    for r in (first, again):
        dup = [f for f in r.findings if f.check == "duplicate_example"]
        assert [f.line for f in dup] == [13] and "line 4" in dup[0].message and "13" in dup[0].message


MERGE_DATASETS = ["llamafactory_nearmiss_sft.jsonl", "thai_legacy_prompt_completion.jsonl",
                  "foundry_rft_toolcall_valid.jsonl", "foundry_dpo_orca_valid.jsonl", "llamaindex_finetuning_events.jsonl",
                  "azure_prompt_completion_crlf.jsonl", "cookbook_toy_chat.jsonl"]


@pytest.mark.parametrize("name", MERGE_DATASETS)
def test_chunked_workers_merge_to_the_same_report(name, datasets_dir, monkeypatch):
    """Worker processes aggregate chunks of 7 lines; merged, the report equals one sequential pass."""
    import tunescope.checks.run.runner as checker_mod
    monkeypatch.setattr(checker_mod, "CHUNK_LINES", 7)
    opts = options_for_model()
    path = datasets_dir / name
    inline = DatasetChecker(open_index(path), opts, workers=1, use_cache=False).run().to_json()
    pooled = DatasetChecker(open_index(path), opts, workers=2, use_cache=False).run().to_json()
    for key in ("findings", "tokens", "stats", "duplicates", "kinds", "format", "examples", "cost"):
        assert pooled[key] == inline[key], key


@functools.cache
def scenario_summaries(name: str) -> tuple[ExampleSummary, ...]:
    """Analysed rows of a real dataset file (by name) or of a dataset rule case ("<check>/bad", "<check>/good")."""
    if "/" in name:
        check, side = name.split("/")
        case = next(c for c in CASES if c[0] == check)
        rows = [orjson.dumps(r) for r in (case[1] if side == "bad" else case[2])]
    else:
        rows = [ln[:-1] if ln.endswith(b"\r") else ln for ln in (dataset_files()[0].parent / name).read_bytes().splitlines()]
    options = CheckOptions()
    return tuple(ExampleSummary(example=i, line=i + 1, analysis=checks_mod.analyze_line(row, i + 1, i, options)[1])
                 for i, row in enumerate(rows))


SCENARIOS = [p.name for p in dataset_files()] + [f"{c[0]}/{side}" for c in CASES for side in ("bad", "good")]


@pytest.mark.parametrize("collector", COLLECTORS, ids=lambda c: c.__name__)
def test_chunked_workers_merge_to_the_same_report_per_collector(collector):
    """Each collector alone: chunks of 3 rows aggregated apart (and pickled, as workers send them), merged in
    order, finish exactly as one sequential pass, on every real dataset and every dataset rule case."""
    options = CheckOptions()
    for name in SCENARIOS:
        summaries = scenario_summaries(name)
        sequential = DatasetAggregator(options, collectors=(collector,))
        for s in summaries:
            sequential.add(s)
        merged = DatasetAggregator(options, collectors=(collector,))
        for start in range(0, len(summaries), 3):
            chunk = DatasetAggregator(options, collectors=(collector,))
            for s in summaries[start:start + 3]:
                chunk.add(s)
            merged.merge(pickle.loads(pickle.dumps(chunk)))
        assert merged.finish() == sequential.finish(), name


def test_histogram_puts_the_limit_on_a_bin_edge():
    from tunescope.checks.report import histogram
    values = sorted([10, 20, 30, 500, 999, 1000, 1001, 4000])
    bins = histogram(values, 1000)
    assert sum(c for _, _, c in bins) == len(values)
    assert any(lo == 1001 for lo, _, _ in bins)
    assert all(not (lo <= 1000 < hi - 1) for lo, hi, _ in bins)   # no bin holds both 1000 and 1001
    over = sum(c for lo, _, c in bins if lo > 1000)
    assert over == 2            # 1001 and 4000; exactly 1000 tokens is within the limit
    assert sum(c for _, _, c in histogram([5, 5, 5], None)) == 3


# Folded from test_qa_cache.py: QA: the result cache never serves one method's verdicts, or another codec version's tuples, to another.


def rft_file(tmp_path):
    rows = [rft({"role": "developer", "content": "Answer with the city."},
                {"role": "user", "content": f"Where is landmark {i}?"}, reference_answer=f"city {i}")
            for i in range(12)]
    return write_jsonl(tmp_path, rows, "rft.jsonl")


@pytest.mark.regression("qa_cache")
def test_checking_with_another_method_does_not_poison_the_cache(tmp_path):
    p = rft_file(tmp_path)
    inferred = check_path(p, options_for_model(), use_cache=True)
    assert inferred.format == "reinforcement" and inferred.summary["errors"] == 0
    supervised = check_path(p, options_for_model(method="supervised"), use_cache=True)
    assert supervised.summary["errors"] > 0          # as supervised data every row lacks an assistant reply
    again = check_path(p, options_for_model(), use_cache=True)
    # was: the supervised verdicts came back from the cache (format chat, 36 errors)
    assert again.format == "reinforcement" and again.summary == inferred.summary


@pytest.mark.regression("qa_cache")
def test_codec_round_trips_every_field_by_name(datasets_dir):
    """pack/unpack (between processes) restore the summary; dumps/loads (the cache) leave out only the
    limit-dependent extra findings."""
    opts = options_for_model()
    counter = TokenCounter(opts.encoding)
    for path in dataset_files():
        for i, line in enumerate(path.read_bytes().splitlines()[:40]):
            summary = check_example(line.rstrip(b"\r"), i + 1, i, opts, counter)
            summary.extra_findings = token_findings(summary, opts)
            assert codec.unpack(codec.pack(summary)) == summary
            assert codec.unpack_findings(codec.pack_findings(summary.findings)) == summary.findings
            cached = codec.loads(codec.dumps(summary))
            assert cached.extra_findings == [] and cached.analysis == summary.analysis
            assert (cached.example, cached.line, cached.tokens) == (summary.example, summary.line, summary.tokens)


@pytest.mark.regression("qa_cache")
def test_a_new_codec_version_never_reads_old_cache_entries(tmp_path, monkeypatch):
    p = rft_file(tmp_path)
    check_path(p, options_for_model(), use_cache=True)
    calls = []
    real = analyze_mod.analyze_line

    def spy(data, line, example, options):
        calls.append(line)
        return real(data, line, example, options)

    monkeypatch.setattr(analyze_mod, "analyze_line", spy)
    check_path(p, options_for_model(), use_cache=True)
    assert calls == []                                  # same version: every row from the cache
    monkeypatch.setattr(codec, "CODEC_VERSION", codec.CODEC_VERSION + 1)
    check_path(p, options_for_model(), use_cache=True)
    assert calls == list(range(1, 13))                  # another version: nothing read back, every row re-checked


# Folded from test_qa_findings_cap.py: QA: a file with a finding on every line keeps a bounded number of Finding objects, with exact counts.


@pytest.mark.regression("qa_findings_cap")
def test_findings_are_capped_per_check_but_counted_exactly(tmp_path, monkeypatch):
    monkeypatch.setattr(checker, "MAX_FINDINGS_PER_CHECK", 100)
    p = tmp_path / "extra.jsonl"
    row = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    p.write_text("".join(json.dumps({**row, "id": i}) + "\n" for i in range(250)) + "\n" * 50)
    report = check_path(p, options_for_model(), use_cache=False, workers=1)
    kept = [f for f in report.findings if f.check == "extra_top_level_key"]
    assert len(kept) == 100                                    # was 250: one Finding per line, unbounded
    assert report.counts_by_check["extra_top_level_key"] == 250
    assert report.counts_by_check["blank_line"] == 50
    assert report.summary["errors"] == 300
    data = report.to_json()
    assert data["findings_omitted"] == {"extra_top_level_key": 150}
    assert data["counts_by_check"]["extra_top_level_key"] == 250
    text = render_text(report, max_findings=5)
    assert "extra_top_level_key x250" in text and "... 245 more" in text


# Folded from test_qa_model_method.py: QA: checking data with a model that cannot train on its method says so (reference X03).


DEV = {"role": "developer", "content": "Answer with the city."}


def rft_rows():
    return [rft(DEV, {"role": "user", "content": f"Where is landmark {i}?"}, reference_answer=f"c{i}")
            for i in range(12)]


def pref_rows():
    return [pref([{"role": "user", "content": f"q{i}"}], f"good {i}", f"bad {i}") for i in range(12)]


def unsupported(report):
    return [f for f in report.findings if f.check == "model_method_unsupported"]


@pytest.mark.regression("qa_model_method")
def test_reinforcement_data_on_a_supervised_model_is_flagged(tmp_path):
    p = write_jsonl(tmp_path, rft_rows())
    (f,) = unsupported(check_path(p, options_for_model(), use_cache=False))   # default gpt-4.1-mini
    assert "reinforcement" in f.message and "o4-mini" in f.message and f.severity.value == "warning"
    assert not unsupported(check_path(p, options_for_model("o4-mini-2025-04-16"), use_cache=False))


@pytest.mark.regression("qa_model_method")
def test_preference_data_on_a_model_without_dpo_is_flagged(tmp_path):
    p = write_jsonl(tmp_path, pref_rows())
    assert unsupported(check_path(p, options_for_model("gpt-3.5-turbo-0125"), use_cache=False))
    assert not unsupported(check_path(p, options_for_model("gpt-4o-mini-2024-07-18"), use_cache=False))


@pytest.mark.regression("qa_model_method")
def test_real_supervised_dataset_on_its_model_is_not_flagged(datasets_dir):
    report = check_path(datasets_dir / "cookbook_drone_tools.jsonl", options_for_model(), use_cache=False)
    assert not unsupported(report) and report.summary == {"errors": 0, "warnings": 0, "infos": 0}
