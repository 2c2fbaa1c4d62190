"""analyze_line + DatasetAggregator over every real file in ../shared/datasets, against its README quirks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import dataset_files
from tunescope.checks.model import CheckOptions, ExampleSummary, RecordKind
from tunescope.checks.example.analyze import analyze_line
from tunescope.checks import CHECKS
from tunescope.checks.dataset.aggregator import DatasetAggregator


def run_file(path: Path, options: CheckOptions | None = None):
    """Check a file line by line (terminators stripped, as the line index serves them)."""
    options = options or CheckOptions()
    agg = DatasetAggregator(options)
    per_line = []
    kinds = Counter()
    analyses = []
    lines = path.read_bytes().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for i, raw in enumerate(lines):
        data = raw[:-1] if raw.endswith(b"\r") else raw
        obj, an = analyze_line(data, i + 1, i, options)
        per_line.extend(an.findings)
        kinds[an.kind] += 1
        analyses.append(an)
        agg.add(ExampleSummary(example=i, line=i + 1, analysis=an))
    dataset, stats = agg.finish()
    return per_line, dataset, stats, kinds, analyses


def by_check(findings):
    return Counter(f.check for f in findings)


def errors(findings):
    return [f for f in findings if f.severity.value == "error"]


@pytest.fixture(scope="module")
def results():
    cache = {}

    def get(name: str, **opts):
        key = (name, tuple(sorted(opts.items())))
        if key not in cache:
            files = {p.name: p for p in dataset_files()}
            if name not in files:
                pytest.skip(f"{name} not in ../shared/datasets")
            cache[key] = run_file(files[name], CheckOptions(**opts) if opts else None)
        return cache[key]
    return get


@pytest.mark.parametrize("path", dataset_files(), ids=lambda p: p.name)
def test_every_file_checks_without_internal_errors_and_ids_are_catalogued(path):
    per_line, dataset, stats, kinds, analyses = run_file(path)
    everything = per_line + dataset
    assert not [f for f in everything if f.check == "internal_error"], [f.message for f in everything][:3]
    unknown = {f.check for f in everything} - set(CHECKS)
    assert not unknown
    for f in per_line:
        assert f.line is not None and f.line >= 1 and f.example == f.line - 1
        assert f.path.startswith("$") and f.message and f.hint
    assert sum(kinds.values()) == len(analyses) > 0


def test_drone_tools_valid_tool_data_has_no_errors(results):
    per_line, dataset, stats, kinds, analyses = results("cookbook_drone_tools.jsonl")
    assert errors(per_line + dataset) == []
    assert kinds == {RecordKind.CHAT: 103}
    assert analyses[0].roles == "S U A*"
    assert stats["system_prompts"]["distinct"] == 1


def test_toy_chat_too_few_missing_user_missing_system(results):
    per_line, dataset, stats, kinds, analyses = results("cookbook_toy_chat.jsonl")
    counts = by_check(per_line + dataset)
    too_few = [f for f in dataset if f.check == "too_few_examples"]
    assert too_few and "Training file has 5 example(s), but must have at least 10 examples" in too_few[0].message
    assert too_few[0].severity.value == "error"
    assert counts["missing_user_message"] == 1
    missing_sys = [f for f in dataset if f.check == "system_prompt_missing"]
    assert len(missing_sys) == 1
    assert analyses[missing_sys[0].example].system_prompt is None
    assert "U" not in analyses[[f for f in per_line if f.check == "missing_user_message"][0].example].roles.split()


def test_debian_extra_keys_are_errors(results):
    per_line, dataset, stats, kinds, analyses = results("debian_admin_extra_keys.jsonl")
    extra = [f for f in per_line if f.check == "extra_top_level_key"]
    assert len(extra) == 2 * 640
    assert {f.path for f in extra} == {"$.id", "$.meta"}
    assert all(f.severity.value == "error" for f in extra)
    assert 'contains an extra "id"' in extra[0].message
    assert {f.check for f in errors(per_line + dataset)} == {"extra_top_level_key"}


def test_llamafactory_sft_near_miss_and_one_duplicate(results):
    per_line, dataset, stats, kinds, analyses = results("llamafactory_nearmiss_sft.jsonl")
    near = [f for f in per_line if f.check == "near_miss_format"]
    assert len(near) == 500
    assert '"value" instead of "text"' in near[0].message and '"loss_weight" instead of "weight"' in near[0].message
    assert kinds == {RecordKind.NEAR_MISS: 500}
    dups = [f for f in dataset if f.check == "duplicate_example"]
    assert len(dups) == 1 and stats["duplicates"]["rows"] == 1
    first, second = stats["duplicates"]["groups"][0]
    lines = Path(dataset_path("llamafactory_nearmiss_sft.jsonl")).read_bytes().split(b"\n")
    assert lines[first - 1] == lines[second - 1] and dups[0].line == second


def test_llamafactory_dpo_near_miss_names_preference_format(results):
    per_line, *_ = results("llamafactory_nearmiss_dpo.jsonl")
    near = [f for f in per_line if f.check == "near_miss_format"]
    assert len(near) == 10 and "chosen_messages" in near[0].message and "preferred_output" in near[0].hint


def test_zava_consecutive_assistant_messages_are_not_errors(results):
    per_line, dataset, stats, kinds, analyses = results("foundry_zava_tooluse_valid.jsonl")
    assert errors(per_line + dataset) == []
    assert sum(1 for a in analyses if "A A" in a.roles or "A A*" in a.roles) >= 20


def test_zava_sft_heavy_tool_graph_clean(results):
    per_line, dataset, stats, kinds, analyses = results("foundry_zava_sft_test.jsonl")
    assert errors(per_line + dataset) == []
    assert sum(a.roles.split().count("T") for a in analyses) == 481


def test_instructor_legacy_functions_valid(results):
    per_line, dataset, *_ = results("instructor_legacy_functions.jsonl")
    assert errors(per_line + dataset) == []


def test_rft_toolcall_is_reinforcement_without_assistant(results):
    per_line, dataset, stats, kinds, analyses = results("foundry_rft_toolcall_valid.jsonl")
    assert kinds == {RecordKind.REINFORCEMENT: 10}
    assert errors(per_line + dataset) == []
    assert "reference_answer" in analyses[0].extra_keys
    assert stats["grader_keys"]["reference_answer"]["rows"] == 10


def test_medmcq_prompt_only_resolved_as_reinforcement_by_majority(results):
    per_line, dataset, stats, kinds, analyses = results("foundry_medmcq_rft_valid.jsonl")
    assert errors(per_line + dataset) == []
    assert stats["format"] == "reinforcement"
    info = [f for f in dataset if f.check == "prompt_only_examples"]
    assert len(info) == 1 and "6150 of 6150" in info[0].message
    per_line_s, dataset_s, *_ = results("foundry_medmcq_rft_valid.jsonl", method="supervised")
    assert by_check(per_line_s)["missing_assistant_message"] == 6150


def test_dpo_orca_is_valid_preference(results):
    per_line, dataset, stats, kinds, analyses = results("foundry_dpo_orca_valid.jsonl")
    assert kinds == {RecordKind.PREFERENCE: 284}
    assert errors(per_line + dataset) == []
    assert all(a.output_key and a.input_key for a in analyses)


def test_thai_legacy_separator(results):
    per_line, dataset, stats, kinds, analyses = results("thai_legacy_prompt_completion.jsonl")
    assert kinds == {RecordKind.PROMPT_COMPLETION: 9}
    sep = [f for f in dataset if f.check == "legacy_prompt_separator"]
    assert sep and "' ->'" in sep[0].message
    checks = by_check(dataset)
    assert checks["too_few_examples"] == 1 and checks["legacy_format_for_chat_model"] == 1
    assert checks["legacy_completion_leading_space"] == 0


def test_azure_legacy_crlf_lines_parse(results):
    per_line, dataset, stats, kinds, analyses = results("azure_prompt_completion_crlf.jsonl")
    assert kinds == {RecordKind.PROMPT_COMPLETION: 10}
    assert by_check(dataset)["legacy_common_completion_prefix"] == 1


def test_pretty_printed_lines_fail_individually(results):
    per_line, dataset, stats, kinds, analyses = results("medical_pretty_printed_crlf.jsonl")
    assert kinds == {RecordKind.INVALID: 400} or set(kinds) <= {RecordKind.INVALID, RecordKind.BLANK}
    assert by_check(per_line)["invalid_json"] >= 390
    assert any("pretty-printed" in f.hint for f in per_line)


def test_llamaindex_three_without_system(results):
    per_line, dataset, *_ = results("llamaindex_finetuning_events.jsonl")
    assert by_check(dataset)["system_prompt_missing"] == 3


def test_medical_chat_classification_distribution(results):
    per_line, dataset, stats, kinds, analyses = results("medical_chat_lf.jsonl")
    assert stats["replies"]["distinct"] == 5
    assert sum(d["count"] for d in stats["replies"]["distribution"]) == 525
    assert by_check(dataset)["reply_imbalance"] == 0


@pytest.mark.parametrize("name", ["foundry_gsm8k_chat_valid.jsonl", "pirate_chat.jsonl", "vi_en_chat_compact.jsonl",
                                  "foundry_stock_toolcall_valid.jsonl", "medical_chat_lf.jsonl"])
def test_clean_chat_files_have_no_errors(results, name):
    per_line, dataset, stats, kinds, analyses = results(name)
    assert errors(per_line + dataset) == []
    assert kinds == {RecordKind.CHAT: len(analyses)}


def dataset_path(name: str) -> Path:
    return {p.name: p for p in dataset_files()}[name]
