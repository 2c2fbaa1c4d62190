"""The server's file validation on the real datasets: the verdicts a simulated job reports."""

from __future__ import annotations

import re

import pytest

from tests.conftest import DATASETS
from tunescope.server.jobs.validation import validate_file

GPT = "gpt-4o-mini-2024-07-18"


@pytest.mark.parametrize("name, method, model, n", [
    ("pirate_chat.jsonl", "supervised", GPT, 10),
    ("cookbook_drone_tools.jsonl", "supervised", GPT, 103),
    ("instructor_legacy_functions.jsonl", "supervised", GPT, 10),
    ("foundry_dpo_orca_valid.jsonl", "dpo", GPT, 284),
    ("foundry_rft_toolcall_valid.jsonl", "reinforcement", "o4-mini-2025-04-16", 10),
    ("azure_prompt_completion_crlf.jsonl", "supervised", "babbage-002", 10),
])
def test_valid_datasets_pass_with_their_method(name, method, model, n):
    result = validate_file(DATASETS / name, method, model)
    assert result.ok, result.message
    assert result.n_examples == n
    assert 0 < result.tokens_per_epoch < (DATASETS / name).stat().st_size


@pytest.mark.parametrize("name, method, model, code, pattern", [
    ("cookbook_toy_chat.jsonl", "supervised", GPT, "invalid_n_examples",
     r"^Training file has 5 example\(s\), but must have at least 10 examples$"),
    ("thai_legacy_prompt_completion.jsonl", "supervised", "babbage-002", "invalid_n_examples", r"has 9 example\(s\)"),
    ("medical_pretty_printed_crlf.jsonl", "supervised", GPT, "invalid_training_file",
     r"^The job failed due to an invalid training file\. Invalid file format\. Example 1: .*pretty-printed JSON"),
    ("foundry_dpo_orca_valid.jsonl", "supervised", GPT, "invalid_training_file",
     r"expected either prompt/completion pairs or chat messages\.$"),
    ("llamafactory_nearmiss_dpo.jsonl", "dpo", GPT, "invalid_training_file", r"expected preference data"),
    ("thai_legacy_prompt_completion.jsonl", "supervised", GPT, "invalid_training_file",
     r"Example 1: prompt/completion pairs are only supported by babbage-002 and davinci-002"),
    ("pirate_chat.jsonl", "supervised", "babbage-002", "invalid_training_file", r"Example 1: babbage-002 trains on"),
    ("llamafactory_nearmiss_sft.jsonl", "supervised", GPT, "invalid_training_file",
     r"Invalid file format\. Example \d+(, message \d+)? (?!Example)"),
    ("debian_admin_extra_keys.jsonl", "supervised", GPT, "invalid_file_format",
     r"^The job failed due to a file format error in the training file\. Invalid file format\. Example 1 contains an extra "),
])
def test_bad_datasets_fail_the_way_the_real_api_does(name, method, model, code, pattern):
    result = validate_file(DATASETS / name, method, model)
    assert not result.ok and result.code == code and result.param == "training_file"
    assert re.search(pattern, result.message), result.message


def test_validation_file_problems_name_the_validation_file(tmp_path):
    bad = tmp_path / "valid.jsonl"
    bad.write_text('{"messages": [{"role": "user", "content": "hi"}]}\nnot json\n')
    result = validate_file(bad, "supervised", GPT, role="validation")
    assert result.code == "invalid_validation_file" and result.param == "validation_file"
    assert result.message.startswith("The job failed due to an invalid validation file. Invalid file format. Example 2")
    small = tmp_path / "small.jsonl"
    small.write_text('{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}\n')
    assert validate_file(small, "supervised", GPT, role="validation").ok  # no 10-example minimum there


def _chat(i):
    return '{"messages": [{"role": "user", "content": "q%d"}, {"role": "assistant", "content": "a"}]}' % i


@pytest.mark.parametrize("lines, model, code, message", [
    ([_chat(i) for i in range(3)] + ['{"messages": [{"role": "user", "content": "q"}, {"content": "x"}]}'], GPT,
     "invalid_training_file", "Invalid file format. Example 4, message 2 Discriminator 'role' is missing in value"),
    ([_chat(i) for i in range(12)] + ['[1, 2]'], GPT, "invalid_training_file",
     "Invalid file format. Example 13 is not a JSON object."),
    (['{"prompt": "p", "completion": "c"}'] * 3 + [_chat(i) for i in range(9)], "babbage-002", "invalid_training_file",
     "Invalid file format. Example 4: babbage-002 trains on prompt/completion pairs, but this line has chat messages."),
    (['[' + ", ".join(_chat(i) for i in range(12)) + ']'], GPT, "invalid_training_file",
     "Invalid file format. Example 1 is not a JSON object."),
    ([_chat(i) for i in range(3)] + ["", _chat(3)], GPT, "invalid_n_examples",
     "Training file has 4 example(s), but must have at least 10 examples"),
    ([_chat(i) for i in range(12)] + ['{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", '
                                      '"content": "a", "weight": 2}]}'], GPT, "invalid_training_file",
     "Invalid file format. Example 13, message 2: weight must be either 0 or 1, found 2."),
])
def test_the_first_problem_is_worded_as_the_real_api_words_it(tmp_path, lines, model, code, message):
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = validate_file(path, "supervised", model)
    assert result.code == code
    assert result.message.removeprefix("The job failed due to an invalid training file. ") == message


def test_a_file_that_is_not_text_fails_as_invalid(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_bytes(bytes(range(256)) * 4)
    result = validate_file(path, "supervised", GPT)
    assert result.code == "invalid_training_file" and "binary" in result.message
