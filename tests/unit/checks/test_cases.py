"""Every check: an input that makes the checker emit it, and a close variant that does not.

One `Case` per check, keyed by its constant; coverage is computed from `CHECKS`, so a check
declared without a case fails `test_every_check_has_a_case`. Per-example checks take a JSONL line
(a row, dumped, or raw bytes); file-level checks take the file's bytes (or (name, bytes)).
Dataset-wide checks (`DatasetCase`) take whole files of rows, written out and run through
`check_path`, the checker `tunescope check` uses; overlap checks take a training+validation pair.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import orjson
import pytest

from tests.factories import pref, rft
from tests.unit.checks.test_dataset_rules import PREF, distinct, legacy, qa, rft_row
from tests.unit.checks.test_example import (A, D, GIF, JPG, OK, OTHER_TOOL, PNG, S, U, U2, WEATHER, a, call, calls,
                                            chat, img, tool, u)
from tunescope.checks import CHECKS
from tunescope.checks.example import analyze
from tunescope.checks.example.analyze import INTERNAL_ERROR, NO_TRAINED_TOKENS, OVER_TOKEN_LIMIT, token_findings
from tunescope.checks.example.content import (CHAT_TEMPLATE_TEXT, REPLACEMENT_CHARACTER, SPECIAL_TOKEN_TEXT,
                                              SURROUNDING_WHITESPACE)
from tunescope.checks.example.legacy import (LEGACY_EMPTY_COMPLETION, LEGACY_KEY_CASE, LEGACY_LONG_EXAMPLE,
                                             LEGACY_MISSING_KEY, LEGACY_NOT_STRING)
from tunescope.checks.example.messages import (CONTENT_LIST_EMPTY, CONTENT_NULL, DEVELOPER_ROLE_IN_SUPERVISED, EMPTY_CONTENT,
                                               FUNCTION_MESSAGE_MISSING_NAME, INVALID_CONTENT_TYPE, INVALID_NAME,
                                               INVALID_ROLE, MESSAGE_NOT_OBJECT, MISSING_CONTENT, MISSING_ROLE,
                                               TEXT_INSTEAD_OF_CONTENT, UNKNOWN_MESSAGE_KEY)
from tunescope.checks.example.nearmiss import NEAR_MISS_FORMAT
from tunescope.checks.example.quality.placeholders import UNFILLED_PLACEHOLDER
from tunescope.checks.example.quality.repetition import REPEATED_PHRASE
from tunescope.checks.example.privacy.sensitive import (EMAIL_ADDRESS, IBAN_NUMBER, PAYMENT_CARD_NUMBER,
                                                        PHONE_NUMBER, SECRET_IN_TEXT)
from tunescope.checks.example.parse import (BLANK_LINE, BOM_IN_LINE, INVALID_JSON, INVALID_UTF8, NOT_AN_OBJECT,
                                            NUL_BYTE)
from tunescope.checks.example.preference import (PREFERENCE_INPUT_ENDS_WITH_ASSISTANT, PREFERENCE_INPUT_INVALID,
                                                 PREFERENCE_MULTI_TURN, PREFERENCE_OUTPUTS_IDENTICAL,
                                                 PREFERENCE_OUTPUTS_WHITESPACE_ONLY, PREFERENCE_OUTPUT_INVALID,
                                                 PREFERENCE_OUTPUT_MISSING)
from tunescope.checks.example.reinforcement import RFT_GRADER_KEY_NAME
from tunescope.checks.example.roles import (CONSECUTIVE_USER_MESSAGES, LAST_MESSAGE_NOT_ASSISTANT,
                                            MISSING_ASSISTANT_MESSAGE, MISSING_USER_MESSAGE, MULTIPLE_SYSTEM_MESSAGES,
                                            RFT_LAST_MESSAGE_NOT_USER, SYSTEM_NOT_FIRST)
from tunescope.checks.example.schema import (EMPTY_MESSAGES, EXTRA_TOP_LEVEL_KEY, FORMAT_METHOD_MISMATCH,
                                             MESSAGES_NOT_LIST, MISSING_MESSAGES, UNKNOWN_FORMAT)
from tunescope.checks.example.tools import (ARGUMENTS_INVALID_JSON, ARGUMENTS_NOT_OBJECT, ARGUMENTS_NOT_STRING,
                                            ARGUMENTS_SCHEMA_MISMATCH, DUPLICATE_TOOL_CALL_ID, DUPLICATE_TOOL_NAME,
                                            DUPLICATE_TOOL_RESPONSE, FUNCTIONS_INVALID, FUNCTION_NAME_INVALID,
                                            ORPHAN_TOOL_MESSAGE, PARALLEL_CALLS_DISABLED,
                                            PARALLEL_TOOL_CALLS_NOT_BOOL, PARAMETERS_INVALID_SCHEMA,
                                            TOOLS_AND_FUNCTIONS, TOOLS_NOT_LIST, TOOL_CALLS_INVALID,
                                            TOOL_CALL_MISSING_TYPE, TOOL_CALL_UNKNOWN_FUNCTION,
                                            TOOL_DEFINITION_INVALID, TOOL_MESSAGE_MISSING_ID, UNANSWERED_TOOL_CALL)
from tunescope.checks.example.vision import (CONTENT_PART_INVALID, CONTENT_PART_TYPE_INVALID, IMAGE_DATA_URL_INVALID,
                                             IMAGE_NOT_ALLOWED, IMAGE_TOO_LARGE, IMAGE_TYPE_MISMATCH,
                                             IMAGE_URL_INVALID, TOO_MANY_IMAGES)
from tunescope.checks.example.weight import (ALL_ASSISTANT_WEIGHT_ZERO, WEIGHT_INVALID_VALUE, WEIGHT_NOT_INTEGER,
                                             WEIGHT_ON_NON_ASSISTANT)
from tunescope.checks.dataset.collectors import images
from tunescope.checks.dataset.collectors.conflicts import CONFLICTING_OUTPUTS
from tunescope.checks.dataset.collectors.duplicates import DUPLICATE_EXAMPLE
from tunescope.checks.dataset.collectors.near_duplicates import NEAR_DUPLICATE
from tunescope.checks.dataset.collectors.formats import MIXED_FORMATS
from tunescope.checks.dataset.collectors.grader_keys import RFT_GRADER_KEY_MISSING, RFT_GRADER_KEY_TYPE
from tunescope.checks.dataset.collectors.images import TOO_MANY_IMAGE_EXAMPLES
from tunescope.checks.dataset.collectors.legacy import (LEGACY_CLASSIFICATION, LEGACY_COMMON_COMPLETION_PREFIX,
                                                        LEGACY_COMMON_PROMPT_PREFIX, LEGACY_COMPLETION_ENDING,
                                                        LEGACY_COMPLETION_LEADING_SPACE, LEGACY_COMPLETIONS_IDENTICAL,
                                                        LEGACY_FORMAT_FOR_CHAT_MODEL, LEGACY_NO_COMPLETION_ENDING,
                                                        LEGACY_NO_PROMPT_SEPARATOR, LEGACY_PROMPT_SEPARATOR,
                                                        LEGACY_PROMPTS_IDENTICAL, LEGACY_UPPERCASE)
from tunescope.checks.dataset.collectors.model.method import MODEL_METHOD_UNSUPPORTED
from tunescope.checks.dataset.collectors.model.deadlines import MODEL_NO_VISION, MODEL_RETIRED, MODEL_RETIRING
from tunescope.checks.dataset.collectors.preference import PREFERENCE_LENGTH_BIAS
from tunescope.checks.dataset.collectors.prompt_only import PROMPT_ONLY_EXAMPLES
from tunescope.checks.dataset.collectors.replies import REPLY_DISTRIBUTION, REPLY_IMBALANCE
from tunescope.checks.dataset.collectors.size import FEW_EXAMPLES, TOO_FEW_EXAMPLES, VALIDATION_FEW_EXAMPLES
from tunescope.checks.dataset.collectors.system_prompts import (SYSTEM_PROMPT_MISSING, SYSTEM_PROMPT_VARIANT,
                                                                SYSTEM_PROMPTS)
from tunescope.checks.dataset.collectors.validation import (VALIDATION_INPUT_OVERLAP, VALIDATION_NEAR_OVERLAP,
                                                            VALIDATION_OVERLAP)
from tunescope.checks.file import rules
from tunescope.checks.file.rules import (BINARY_FILE, CRLF_LINE_ENDINGS, FILE_EMPTY, FILE_EXTENSION, FILE_TOO_LARGE,
                                         MIXED_LINE_ENDINGS, NOT_JSONL, NO_FINAL_NEWLINE, UTF8_BOM, inspect_file)
from tunescope.checks.model import CheckOptions, RecordKind
from tunescope.checks.registry import Check, Finding
from tunescope.checks.run.runner import check_path, options_for_model
from tunescope.checks.run.worker import TOKENIZER_FAILURE, check_example
from tunescope.dataset.index import open_index
from tunescope.tokens.count import TokenCounter

ROW = orjson.dumps(OK) + b"\n"


@dataclass(frozen=True)
class Case:
    """A check, an input that makes the checker emit it, and a close variant that does not."""

    check: Check
    bad: object                          # a row (dumped) or bytes; for file-level checks bytes or (name, bytes)
    good: object
    method: str | None = None
    line: int = 1
    token_limit: int | None = None
    setup: Callable[[pytest.MonkeyPatch], None] | None = None   # for both runs: a lowered limit, a fault trap


def _boom(obj) -> None:
    """A checker bug on demand: the patched code raises on rows that carry a "boom" key."""
    if isinstance(obj, dict) and "boom" in obj:
        raise RuntimeError("kaboom")


def _analyzer_bug(mp: pytest.MonkeyPatch) -> None:
    real = analyze._ANALYZERS[RecordKind.CHAT]

    def buggy(obj, ctx, an):
        _boom(obj)
        real(obj, ctx, an)
    mp.setitem(analyze._ANALYZERS, RecordKind.CHAT, buggy)


def _counter_bug(mp: pytest.MonkeyPatch) -> None:
    real = TokenCounter.count_record

    def buggy(self, obj, kind):
        _boom(obj)
        return real(self, obj, kind)
    mp.setattr(TokenCounter, "count_record", buggy)


CASES = [
    Case(FILE_EMPTY, b"", ROW),
    Case(FILE_EXTENSION, ("data.json", ROW), ("data.jsonl", ROW)),
    Case(FILE_TOO_LARGE, ROW * 3, ROW, setup=lambda mp: mp.setattr(rules, "FILES_API_LIMIT", len(ROW) * 2)),
    Case(BINARY_FILE, bytes(range(256)) * 64, ROW),
    Case(UTF8_BOM, b"\xef\xbb\xbf" + ROW, ROW),
    Case(CRLF_LINE_ENDINGS, ROW.replace(b"\n", b"\r\n") * 3, ROW * 3),
    Case(MIXED_LINE_ENDINGS, ROW.replace(b"\n", b"\r\n") + ROW * 2, ROW * 3),
    Case(NO_FINAL_NEWLINE, ROW * 2 + ROW.rstrip(), ROW * 3),
    Case(NOT_JSONL, json.dumps([OK] * 3, indent=2).encode(), ROW * 3),
    Case(BLANK_LINE, b"   \t", OK),
    Case(BOM_IN_LINE, b"\xef\xbb\xbf" + orjson.dumps(OK), OK, line=2),
    Case(NUL_BYTE, b'{"messages": \x00[]}', OK),
    Case(INVALID_UTF8, b'{"messages": "caf\xe9"}', OK),
    Case(INVALID_JSON, b'{"messages": [],}', OK),
    Case(NOT_AN_OBJECT, b"[1, 2]", OK),
    Case(UNKNOWN_FORMAT, {"foo": 1}, OK),
    Case(MISSING_MESSAGES, {"parallel_tool_calls": False}, OK),
    Case(MESSAGES_NOT_LIST, {"messages": {"role": "user"}}, OK),
    Case(EMPTY_MESSAGES, {"messages": []}, OK),
    Case(EXTRA_TOP_LEVEL_KEY, {**OK, "id": 7}, chat(S, U, calls(call()), tools=[WEATHER], parallel_tool_calls=False)),
    Case(FORMAT_METHOD_MISMATCH, OK, pref(), method="dpo"),
    Case(NEAR_MISS_FORMAT, {"instruction": "Add", "input": "1+1", "output": "2"}, OK),
    Case(MESSAGE_NOT_OBJECT, chat("hi", A), OK),
    Case(MISSING_ROLE, chat({"content": "hi"}, A), OK),
    Case(INVALID_ROLE, chat({"role": "human", "content": "hi"}, A), OK),
    Case(DEVELOPER_ROLE_IN_SUPERVISED, chat(D, U, A), OK),
    Case(UNKNOWN_MESSAGE_KEY, chat({**U, "meta": 1}, A), chat(U, a("No.", refusal=None, name="bot"))),
    Case(TEXT_INSTEAD_OF_CONTENT, chat({"role": "user", "text": "hi"}, A), OK),
    Case(MISSING_CONTENT, chat({"role": "user"}, A), chat(U, calls(call()), tools=[WEATHER])),
    Case(CONTENT_NULL, chat(u(None), A), chat(U, {**calls(call()), "content": None}, tools=[WEATHER])),
    Case(INVALID_CONTENT_TYPE, chat(u(5), A), chat(u([{"type": "text", "text": "hi"}]), A)),
    Case(CONTENT_LIST_EMPTY, chat(u([]), A), chat(u([{"type": "text", "text": "hi"}]), A)),
    Case(EMPTY_CONTENT, chat(U, a("  ")), chat(U, calls(call(), content=""), tools=[WEATHER])),
    Case(INVALID_NAME, chat({**U, "name": 5}, A), chat({**U, "name": "bob"}, A)),
    Case(FUNCTION_MESSAGE_MISSING_NAME,
         chat(U, {"role": "assistant", "function_call": {"name": "f", "arguments": "{}"}},
              {"role": "function", "content": "4"}, A),
         chat(U, {"role": "assistant", "function_call": {"name": "f", "arguments": "{}"}},
              {"role": "function", "name": "f", "content": "4"}, A)),
    Case(MISSING_ASSISTANT_MESSAGE, chat(S, U), OK, method="supervised"),
    Case(MISSING_USER_MESSAGE, chat(S, A), OK),
    Case(LAST_MESSAGE_NOT_ASSISTANT, chat(U, A, U2), chat(U, A, U2, A)),
    Case(SYSTEM_NOT_FIRST, chat(U, S, A), OK),
    Case(MULTIPLE_SYSTEM_MESSAGES, chat(S, S, U, A), OK),
    Case(CONSECUTIVE_USER_MESSAGES, chat(U, U2, A), chat(U, A, A)),
    Case(SPECIAL_TOKEN_TEXT, chat(U, a("Done.<|endoftext|>")), chat(U, a("Done. <| endoftext |>"))),
    Case(CHAT_TEMPLATE_TEXT, chat(u("<|im_start|>user hi"), A), chat(u("a <b> c"), A)),
    Case(REPLACEMENT_CHARACTER, chat(u("caf\ufffd"), A), chat(u("café"), A)),
    Case(UNFILLED_PLACEHOLDER, chat(u("Write a haiku about {topic}."), A),
         chat(u('Parse `{topic}` from {"topic": "x"} in Python: f"{topic}"'), a("Use json.loads.")), line=1),
    Case(REPEATED_PHRASE, chat(U, a("I am sorry. " * 6)),
         chat(U, a("I am sorry. I cannot help with that, but I am sorry to say it twice."))),
    Case(SECRET_IN_TEXT, chat(u("key sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"), A), chat(u("key sk-proj-..."), A)),
    Case(EMAIL_ADDRESS, chat(U, a("Mail jane.roe@gmail.com.")), chat(U, a("Mail jane.roe@example.com."))),
    Case(PHONE_NUMBER, chat(U, a("Call +44 20 7946 0958.")), chat(U, a("Call +44 20 79."))),
    Case(PAYMENT_CARD_NUMBER, chat(u("card 4111 1111 1111 1111"), A), chat(u("card 4111 1111 1111 1112"), A)),
    Case(IBAN_NUMBER, chat(u("IBAN DE89 3704 0044 0532 0130 00"), A), chat(u("IBAN DE88 3704 0044 0532 0130 00"), A)),
    Case(SURROUNDING_WHITESPACE, chat(U, a(" Hello\n")), OK),
    Case(TOOLS_NOT_LIST, chat(U, A, tools=orjson.dumps([WEATHER]).decode()), chat(U, A, tools=[WEATHER])),
    Case(TOOL_DEFINITION_INVALID, chat(U, A, tools=[{"type": "function"}]), chat(U, A, tools=[WEATHER])),
    Case(FUNCTION_NAME_INVALID, chat(U, A, tools=[{"type": "function", "function": {"name": "get weather"}}]),
         chat(U, A, tools=[{"type": "function", "function": {"name": "get-weather_2"}}])),
    Case(PARAMETERS_INVALID_SCHEMA,
         chat(U, A, tools=[{"type": "function", "function": {"name": "f", "parameters": {
             "type": "object", "properties": {"x": {"type": "str"}}}}}]),
         chat(U, A, tools=[WEATHER])),
    Case(DUPLICATE_TOOL_NAME, chat(U, A, tools=[WEATHER, WEATHER]), chat(U, A, tools=[WEATHER, OTHER_TOOL])),
    Case(FUNCTIONS_INVALID, chat(U, A, functions=[]), chat(U, A, functions=[WEATHER["function"]])),
    Case(TOOLS_AND_FUNCTIONS, chat(U, A, tools=[WEATHER], functions=[OTHER_TOOL["function"]]),
         chat(U, A, tools=[WEATHER, OTHER_TOOL])),
    Case(PARALLEL_TOOL_CALLS_NOT_BOOL, chat(U, A, parallel_tool_calls="false"), chat(U, A, parallel_tool_calls=False)),
    Case(TOOL_CALLS_INVALID,
         chat(U, calls({"type": "function", "function": {"name": "get_weather", "arguments": "{}"}})),
         chat(U, calls(call()))),
    Case(TOOL_CALL_MISSING_TYPE, chat(U, calls({"id": "c", "function": {"name": "f", "arguments": "{}"}})),
         chat(U, calls({"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}))),
    Case(DUPLICATE_TOOL_CALL_ID, chat(U, calls(call("c1"), call("c1")), tool("c1"), tool("c1"), A),
         chat(U, calls(call("c1"), call("c2")), tool("c1"), tool("c2"), A)),
    Case(PARALLEL_CALLS_DISABLED, chat(U, calls(call("c1"), call("c2")), parallel_tool_calls=False),
         chat(U, calls(call("c1"), call("c2")), parallel_tool_calls=True)),
    Case(TOOL_CALL_UNKNOWN_FUNCTION, chat(U, calls(call(name="get_time", args="{}")), tools=[WEATHER]),
         chat(U, calls(call(name="get_time", args="{}")), tools=[WEATHER, OTHER_TOOL])),
    Case(ARGUMENTS_NOT_STRING, chat(U, calls(call(args={"city": "Paris"}))), chat(U, calls(call()))),
    Case(ARGUMENTS_INVALID_JSON, chat(U, calls(call(args="{city: Paris"))), chat(U, calls(call()))),
    Case(ARGUMENTS_NOT_OBJECT, chat(U, calls(call(args="[1]"))), chat(U, calls(call(args="{}")))),
    Case(ARGUMENTS_SCHEMA_MISMATCH, chat(U, calls(call(args='{"town": "Paris"}')), tools=[WEATHER]),
         chat(U, calls(call()), tools=[WEATHER])),
    Case(TOOL_MESSAGE_MISSING_ID, chat(U, calls(call()), {"role": "tool", "content": "sunny"}, A),
         chat(U, calls(call()), tool(), A)),
    Case(ORPHAN_TOOL_MESSAGE, chat(U, calls(call("c1")), tool("c9"), A), chat(U, calls(call("c1")), tool("c1"), A)),
    Case(DUPLICATE_TOOL_RESPONSE, chat(U, calls(call("c1")), tool("c1"), tool("c1"), A),
         chat(U, calls(call("c1")), tool("c1"), A)),
    Case(UNANSWERED_TOOL_CALL, chat(U, calls(call()), U2, A), chat(U, calls(call()), tool(), A)),
    Case(WEIGHT_NOT_INTEGER, chat(U, a("x", weight="1")), chat(U, a("x", weight=1))),
    Case(WEIGHT_INVALID_VALUE, chat(U, a("x", weight=2)), chat(U, a("x", weight=0), U2, a("y", weight=1))),
    Case(WEIGHT_ON_NON_ASSISTANT, chat({**U, "weight": 1}, A), chat(U, a("x", weight=1))),
    Case(ALL_ASSISTANT_WEIGHT_ZERO, chat(U, a("x", weight=0), U2, a("y", weight=0)),
         chat(U, a("x", weight=0), U2, a("y", weight=1))),
    Case(CONTENT_PART_INVALID, chat(u([{"text": "x"}]), A), chat(u([{"type": "text", "text": "x"}]), A)),
    Case(CONTENT_PART_TYPE_INVALID, chat(u([{"type": "input_audio", "input_audio": {}}]), A),
         chat(img("https://example.com/a.png"), A)),
    Case(IMAGE_NOT_ALLOWED, chat(U, img("https://example.com/a.png", role="assistant")),
         chat(img("https://example.com/a.png"), A)),
    Case(IMAGE_URL_INVALID, chat(u([{"type": "image_url", "image_url": "https://example.com/a.png"}]), A),
         chat(img("https://example.com/a.png"), A)),
    Case(IMAGE_DATA_URL_INVALID, chat(img("data:image/gif;base64," + GIF), A),
         chat(img("data:image/png;base64," + PNG), A)),
    Case(IMAGE_TYPE_MISMATCH, chat(img("data:image/jpeg;base64," + PNG), A),
         chat(img("data:image/jpeg;base64," + JPG), A)),
    Case(IMAGE_TOO_LARGE, chat(img("data:image/png;base64," + PNG + "A" * (14 * 1024 * 1024)), A),
         chat(img("data:image/png;base64," + PNG + "A" * 1024), A)),
    Case(TOO_MANY_IMAGES, chat(u([{"type": "image_url", "image_url": {"url": "https://x.org/i.png"}}] * 11), A),
         chat(u([{"type": "image_url", "image_url": {"url": "https://x.org/i.png"}}] * 10), A)),
    Case(PREFERENCE_INPUT_INVALID, {**pref(), "input": "hi"}, pref()),
    Case(PREFERENCE_OUTPUT_MISSING, {k: v for k, v in pref().items() if k != "non_preferred_output"}, pref()),
    Case(PREFERENCE_OUTPUT_INVALID, {**pref(), "preferred_output": [A, A]}, pref()),
    Case(PREFERENCE_INPUT_ENDS_WITH_ASSISTANT, pref([U, A]), pref([S, U])),
    Case(PREFERENCE_MULTI_TURN, pref([U, A, U2]), pref([U])),
    Case(PREFERENCE_OUTPUTS_IDENTICAL, pref(preferred="Same", non_preferred="Same"), pref()),
    Case(PREFERENCE_OUTPUTS_WHITESPACE_ONLY, pref(preferred="Hi there", non_preferred="Hi  there\n"), pref()),
    Case(RFT_LAST_MESSAGE_NOT_USER, rft(D, U, A), rft(D, U), method="reinforcement"),
    Case(RFT_GRADER_KEY_NAME, rft(D, U, **{"reference-answer": "B"}), rft(D, U, reference_answer="B")),
    Case(LEGACY_KEY_CASE, {"Prompt": "x ->", "completion": " y"}, {"prompt": "x ->", "completion": " y"}),
    Case(LEGACY_MISSING_KEY, {"prompt": "x ->"}, {"prompt": "x ->", "completion": " y"}),
    Case(LEGACY_NOT_STRING, {"prompt": 1, "completion": " y"}, {"prompt": "1", "completion": " y"}),
    Case(LEGACY_EMPTY_COMPLETION, {"prompt": "x ->", "completion": ""}, {"prompt": "x ->", "completion": " y"}),
    Case(LEGACY_LONG_EXAMPLE, {"prompt": "x" * 10_001, "completion": " y"},
         {"prompt": "x" * 9_000, "completion": " y"}),
    Case(INTERNAL_ERROR, {**OK, "boom": 1}, OK, setup=_analyzer_bug),
    Case(TOKENIZER_FAILURE, {**OK, "boom": 1}, OK, setup=_counter_bug),
    Case(OVER_TOKEN_LIMIT, chat(S, U, a("word " * 200)), OK, token_limit=100),
    Case(NO_TRAINED_TOKENS, chat(U, a("")), OK),
]


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter("o200k_base")


def findings_of(case: Case, data, where, counter: TokenCounter) -> list[Finding]:
    """What checking `data` reports: file-level findings for area "file", else one line's, tokens included."""
    if case.check.area == "file":
        name, data = data if isinstance(data, tuple) else ("data.jsonl", data)
        where.mkdir()
        path = where / name
        path.write_bytes(data)
        return inspect_file(open_index(path)).findings
    options = CheckOptions(method=case.method, token_limit=case.token_limit)
    line = data if isinstance(data, bytes) else orjson.dumps(data)
    summary = check_example(line, case.line, case.line - 1, options, counter)
    return summary.analysis.findings + token_findings(summary, options)


@pytest.mark.parametrize("case", CASES, ids=[c.check.id for c in CASES])
def test_check_fires_on_failing_input_and_not_on_passing(case, tmp_path, monkeypatch, counter):
    if case.setup is not None:
        case.setup(monkeypatch)
    bad = findings_of(case, case.bad, tmp_path / "bad", counter)
    found = [f for f in bad if f.check == case.check.id]
    assert found, f"{case.check.id} not reported; got {sorted({f.check for f in bad})}"
    f = found[0]
    assert f.severity is case.check.severity and f.message and f.hint
    if case.check.area == "file":
        assert f.path == ""
    else:
        assert f.line == case.line and f.example == case.line - 1 and f.path.startswith("$")
    good = findings_of(case, case.good, tmp_path / "good", counter)
    assert case.check.id not in {f.check for f in good}, [f.message for f in good if f.check == case.check.id]
    if case.check is not INTERNAL_ERROR:
        assert INTERNAL_ERROR.id not in {f.check for f in bad + good}


@dataclass(frozen=True)
class DatasetCase:
    """A dataset-wide check, a file of rows that makes the checker emit it, and a close variant that does not.

    With `validation`, `bad` and `good` are validation files checked against the training rows.
    """

    check: Check
    bad: list
    good: list
    model: str | None = None             # the model both files are checked for ...
    good_model: str | None = None        # ... unless the passing file names its own
    validation: list | None = None       # training rows, when the check compares a validation file
    setup: Callable[[pytest.MonkeyPatch], None] | None = None


def _image_rows(n: int) -> list:
    return [chat(u([{"type": "image_url", "image_url": {"url": f"https://x.org/{i}.png"}}]), a(f"cat {i}"))
            for i in range(n)]


def _answers(labels) -> list:
    return [qa(f"review {i}", label) for i, label in enumerate(labels)]


_BALANCED = _answers(["positive", "negative", "neutral"][i % 3] for i in range(30))
_SEPARATED = legacy(12, prompt=lambda i: f"text {i}{'.!?'[i % 3]}")
_ENDED = legacy(12, completion=lambda i: f" label {i}{'.!?'[i % 3]}")

DATASET_CASES = [
    DatasetCase(TOO_FEW_EXAMPLES, distinct(5), distinct(10)),
    DatasetCase(FEW_EXAMPLES, distinct(20), distinct(50)),
    DatasetCase(DUPLICATE_EXAMPLE, distinct(12) + [qa("question 3", "answer number 3.")], distinct(13)),
    DatasetCase(NEAR_DUPLICATE, distinct(12) + [qa("Question 3!", "ANSWER number 3")], distinct(13)),
    DatasetCase(CONFLICTING_OUTPUTS, distinct(12) + [qa("question 3", "another answer")], distinct(13)),
    DatasetCase(MIXED_FORMATS, distinct(12) + [PREF(1)], distinct(13)),
    DatasetCase(PROMPT_ONLY_EXAMPLES, [{"messages": [{"role": "user", "content": f"q{i}"}]} for i in range(12)],
                distinct(12)),
    DatasetCase(SYSTEM_PROMPTS, distinct(6) + distinct(6, {"role": "system", "content": "Other."}), distinct(12)),
    DatasetCase(SYSTEM_PROMPT_MISSING, distinct(12) + [qa("no system", "x", None)], distinct(13)),
    DatasetCase(SYSTEM_PROMPT_VARIANT,
                distinct(12) + [qa("q", "a", {"role": "system", "content": "You label sentiment!"})], distinct(13)),
    DatasetCase(REPLY_DISTRIBUTION, _BALANCED, distinct(30)),
    DatasetCase(REPLY_IMBALANCE, _answers("positive" if i < 24 else ["negative", "neutral"][i % 2] for i in range(30)),
                _BALANCED),
    DatasetCase(RFT_GRADER_KEY_MISSING,
                [rft_row(i, answer="A") for i in range(10)] + [rft_row(10, other=1), rft_row(11, other=1)],
                [rft_row(i, answer="A") for i in range(12)], model="o4-mini-2025-04-16"),
    DatasetCase(RFT_GRADER_KEY_TYPE, [rft_row(i, answer="A") for i in range(10)] + [rft_row(10, answer=3)],
                [rft_row(i, answer="A") for i in range(11)], model="o4-mini-2025-04-16"),
    DatasetCase(PREFERENCE_LENGTH_BIAS, [PREF(i) for i in range(12)],
                [PREF(i, *(("Short.", "A long, rambling, much worse answer.") if i % 2 else ())) for i in range(12)]),
    DatasetCase(TOO_MANY_IMAGE_EXAMPLES, _image_rows(12), _image_rows(11) + distinct(1),
                setup=lambda mp: mp.setattr(images, "MAX_IMAGE_EXAMPLES", 11)),
    DatasetCase(MODEL_METHOD_UNSUPPORTED, [rft_row(i, reference_answer=f"c{i}") for i in range(12)],
                [rft_row(i, reference_answer=f"c{i}") for i in range(12)], good_model="o4-mini-2025-04-16"),
    DatasetCase(VALIDATION_FEW_EXAMPLES, [qa(f"fresh {i}", f"fresh answer {i}") for i in range(3)],
                [qa(f"fresh {i}", f"fresh answer {i}") for i in range(10)], validation=distinct(20)),
    DatasetCase(VALIDATION_OVERLAP, [qa("question 4", "answer number 4."), qa("fresh question", "fresh answer")],
                [qa("fresh question", "fresh answer")], validation=distinct(20)),
    DatasetCase(VALIDATION_INPUT_OVERLAP, [qa("question 5", "a different answer"), qa("fresh question", "fresh")],
                [qa("fresh question", "fresh answer")], validation=distinct(20)),
    DatasetCase(VALIDATION_NEAR_OVERLAP, [qa("QUESTION 4?", "something else"), qa("fresh question", "fresh")],
                [qa("fresh question", "fresh answer")], validation=distinct(20)),
    DatasetCase(LEGACY_FORMAT_FOR_CHAT_MODEL, legacy(12), legacy(12), good_model="babbage-002"),
    DatasetCase(LEGACY_CLASSIFICATION, legacy(30, completion=lambda i: [" yes\n", " no\n"][i % 2]), legacy(30)),
    DatasetCase(LEGACY_PROMPTS_IDENTICAL, legacy(12, prompt=lambda i: "same ->"), legacy(12)),
    DatasetCase(LEGACY_PROMPT_SEPARATOR, legacy(12), _SEPARATED),
    DatasetCase(LEGACY_NO_PROMPT_SEPARATOR, _SEPARATED, legacy(12)),
    DatasetCase(LEGACY_COMMON_PROMPT_PREFIX, legacy(12, prompt=lambda i: f"Classify this review please: {i} ->"),
                legacy(12)),
    DatasetCase(LEGACY_COMMON_COMPLETION_PREFIX, legacy(12, completion=lambda i: f" Answer: {i}\n"), legacy(12)),
    DatasetCase(LEGACY_COMPLETIONS_IDENTICAL, legacy(12, completion=lambda i: " same\n"), legacy(12)),
    DatasetCase(LEGACY_COMPLETION_ENDING, legacy(12), _ENDED),
    DatasetCase(LEGACY_NO_COMPLETION_ENDING, _ENDED, legacy(12)),
    DatasetCase(LEGACY_COMPLETION_LEADING_SPACE, legacy(12, completion=lambda i: f"label{i}\n"), legacy(12)),
    DatasetCase(LEGACY_UPPERCASE, legacy(12, prompt=lambda i: f"SHOUTING TEXT {i} ->"), legacy(12)),
]


def _on_day(day: str):
    return lambda mp: mp.setenv("TUNESCOPE_TODAY", day)


# OpenAI's wind-down, seen on 2026-12-06: nano shut down on 2026-10-23, gpt-4.1-mini goes on 2027-01-14.
DATASET_CASES += [
    DatasetCase(MODEL_RETIRED, distinct(12), distinct(12), model="gpt-4.1-nano-2025-04-14",
                good_model="gpt-4.1-mini-2025-04-14", setup=_on_day("2026-12-06")),
    DatasetCase(MODEL_RETIRING, distinct(12), distinct(12), model="gpt-4.1-mini-2025-04-14",
                good_model="gpt-3.5-turbo-0125", setup=_on_day("2026-12-06")),
    DatasetCase(MODEL_NO_VISION, _image_rows(12), _image_rows(12), model="gpt-4o-mini-2024-07-18",
                good_model="gpt-4o-2024-08-06"),
]


def _write(path, rows: list):
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def dataset_findings(case: DatasetCase, rows: list, model: str | None, where) -> list[Finding]:
    """What `check_path` reports for `rows`; for a validation case, the validation file's findings."""
    where.mkdir()
    options = options_for_model(model)
    if case.validation is None:
        return check_path(_write(where / "data.jsonl", rows), options, use_cache=False).findings
    report = check_path(_write(where / "train.jsonl", case.validation), options,
                        validation=_write(where / "valid.jsonl", rows), use_cache=False)
    return report.validation.findings


@pytest.mark.parametrize("case", DATASET_CASES, ids=[c.check.id for c in DATASET_CASES])
def test_dataset_check_fires_on_failing_file_and_not_on_passing(case, tmp_path, monkeypatch):
    if case.setup is not None:
        case.setup(monkeypatch)
    bad = dataset_findings(case, case.bad, case.model, tmp_path / "bad")
    found = [f for f in bad if f.check == case.check.id]
    assert found, f"{case.check.id} not reported; got {sorted({f.check for f in bad})}"
    assert found[0].severity is case.check.severity and found[0].message and found[0].hint
    good = dataset_findings(case, case.good, case.good_model or case.model, tmp_path / "good")
    assert case.check.id not in {f.check for f in good}, [f.message for f in good if f.check == case.check.id]
    assert INTERNAL_ERROR.id not in {f.check for f in bad + good}


def test_every_check_has_a_case():
    covered = [case.check.id for case in CASES] + [case.check.id for case in DATASET_CASES]
    # checks of area "target" are not run by the example engine: tests/unit/targets/test_target_checks.py
    # requires a scenario for each of them; nor are those of area "tokenizer" (check --tokenizer):
    # tests/train/test_mask_preview.py makes each of them fire; those of area "provider" are what a backend
    # reports about an upload (tests/jobs cover them)
    engine = {cid for cid, c in CHECKS.items() if c.area not in ("target", "tokenizer", "provider")}
    assert engine - set(covered) == set(), "add a Case (or DatasetCase) to tests/unit/checks/test_cases.py"
    assert len(covered) == len(set(covered)), "one case per check"


def test_cases_name_the_registered_checks():
    for case in CASES + DATASET_CASES:
        assert CHECKS.get(case.check.id) is case.check, case.check.id
