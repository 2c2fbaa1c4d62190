"""Where the checks disagreed with OpenAI's documentation (issue 9, "Checks"): each case failed before.

False errors (valid data flagged), missed errors (invalid data passed) and wording, each with its
evidence in the issue: the schema, the SDK's types or a peer's behaviour.
"""

from __future__ import annotations

import json

import orjson
import pytest

from tests.factories import pref
from tests.unit.checks.test_dataset_rules import distinct
from tests.unit.checks.test_example import A, U, WEATHER, a, call, calls, chat, u
from tunescope.checks.model import CheckOptions
from tunescope.checks.run.runner import check_path, options_for_model
from tunescope.checks.run.worker import check_example
from tunescope.tokens.count import TokenCounter

ERROR = "error"


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter("o200k_base")


def findings(row, counter, method=None):
    line = row if isinstance(row, bytes) else orjson.dumps(row)
    return check_example(line, 1, 0, CheckOptions(method=method), counter).analysis.findings


def ids(row, counter, severity=None):
    return {f.check for f in findings(row, counter) if severity is None or f.severity.value == severity}


# -- false errors ---------------------------------------------------------------------------------

def test_null_function_call_and_tool_calls_on_a_text_reply_are_valid(counter):
    """The SDK's own model_dump() writes "function_call": null and "tool_calls": null."""
    dumped = {"role": "assistant", "content": "Hello", "function_call": None, "tool_calls": None,
              "refusal": None, "audio": None}
    assert ids(chat(U, dumped), counter, ERROR) == set()


def test_empty_messages_row_gets_one_finding_not_a_cascade(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in distinct(12) + [{"messages": []}]))
    report = check_path(path, options_for_model(), use_cache=False, workers=1)
    on_line = [f.check for f in report.findings if f.line == 13]
    assert on_line == ["empty_messages"], on_line
    assert "mixed_formats" not in report.counts_by_check and report.format == "chat"


def test_lone_surrogate_says_what_is_wrong(counter):
    found = findings(b'{"messages": [{"role": "user", "content": "hi \\ud83d there"}]}', counter)
    msg = next(f.message for f in found if f.check == "invalid_json")
    assert "lone UTF-16 surrogate escape \\ud83d" in msg and "emoji" in msg and "no low surrogate" not in msg


# -- missed errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("output, expected", [
    ({"role": "assistant", "content": None}, "content_null"),
    ({"role": "assistant", "content": "Fine.", "weight": 5}, "weight_invalid_value"),
    ({"role": "assistant", "content": "Fine.", "mood": "happy"}, "unknown_message_key"),
    ({"role": "assistant", "content": None, "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{city: Paris"}}]},
     "arguments_invalid_json"),
    ({"role": "assistant", "content": []}, "content_list_empty"),
], ids=["null content", "weight 5", "unknown key", "non-JSON arguments", "empty parts"])
@pytest.mark.parametrize("side", ["preferred_output", "non_preferred_output"])
def test_preference_outputs_are_checked_like_assistant_messages(output, expected, side, counter):
    row = pref()
    row["input"]["tools"] = [WEATHER]
    row[side] = [output]
    found = [f for f in findings(row, counter) if f.check == expected]
    assert found and found[0].path.startswith(f"$.{side}[0]"), [f.check for f in findings(row, counter)]
    assert expected not in ids(pref(), counter)


def test_json_extension_is_an_error_with_the_api_words(tmp_path):
    path = tmp_path / "data.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in distinct(12)))
    report = check_path(path, options_for_model(), use_cache=False, workers=1)
    found = [f for f in report.findings if f.check == "file_extension"]
    assert found and found[0].severity.value == ERROR and not report.ok
    assert "Invalid file format for Fine-Tuning API. Must be .jsonl" in found[0].message


def test_tool_call_without_type_and_user_content_list_empty_are_errors(counter):
    no_type = chat(U, calls({"id": "c", "function": {"name": "get_weather", "arguments": "{}"}}))
    assert "tool_call_missing_type" in ids(no_type, counter, ERROR)
    assert "content_list_empty" in ids(chat(u([]), A), counter, ERROR)


@pytest.mark.parametrize("role", ["user", "system"])
def test_weight_values_are_checked_on_every_role(role, counter):
    msg = {"role": role, "content": "x", "weight": 5}
    found = ids(chat(msg, A), counter)
    assert "weight_invalid_value" in found and "weight_on_non_assistant" in found


def test_special_tokens_in_tool_definitions_and_refusals(counter):
    tool = {"type": "function", "function": {"name": "lookup", "description": "Finds it.<|endoftext|>",
                                             "parameters": {"type": "object", "properties": {
                                                 "q": {"type": "string", "description": "<|fim_suffix|>"}}}}}
    found = [f for f in findings(chat(U, A, tools=[tool]), counter) if f.check == "special_token_text"]
    assert {f.path for f in found} == {"$.tools[0].function.description", "$.tools[0].function.parameters"}
    refusal_part = {"role": "assistant", "content": [{"type": "refusal", "refusal": "No.<|endoftext|>"}]}
    assert "special_token_text" in ids(chat(U, refusal_part), counter)
    assert "special_token_text" in ids(chat(U, a(None, refusal="No <|endofprompt|>")), counter)
    assert "special_token_text" not in ids(chat(U, A, tools=[WEATHER]), counter)


@pytest.mark.parametrize("params, where", [
    ({"type": "object", "properties": {"name": {"type": "string", "minLength": "3"}}}, "minLength"),
    ({"type": "object", "properties": {"name": {"type": "string"}}, "required": True}, "required"),
    ({"type": "object", "properties": {"n": {"type": "integer", "maximum": "ten"}}}, "maximum"),
])
def test_tool_parameters_are_validated_against_the_metaschema(params, where, counter):
    tool = {"type": "function", "function": {"name": "f", "parameters": params}}
    found = [f for f in findings(chat(U, A, tools=[tool]), counter) if f.check == "parameters_invalid_schema"]
    assert found and found[0].path.endswith(where) and found[0].severity.value == ERROR


# -- wording ---------------------------------------------------------------------------------------

def test_messages_never_say_a_assistant(counter):
    rows = [chat(U, {**A, "mood": 1}), chat(U, a("x", tool_call_id="c")), chat(U, {**A, "content": None}),
            chat(U, {"role": "assistant", "content": [{"type": "image_url", "image_url": {"url": "https://x/i.png"}}]}),
            chat(U, calls(call()), {"role": "tool", "tool_call_id": "call_1", "content": "s", "weight": 1})]
    texts = [f.message + " " + f.hint for row in rows for f in findings(row, counter)]
    assert any("an assistant message" in t for t in texts)
    assert not any(" a assistant" in t.lower() for t in texts), [t for t in texts if " a assistant" in t]
