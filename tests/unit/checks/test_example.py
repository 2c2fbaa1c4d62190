"""Per-example checking beyond the case table (tests/unit/checks/test_cases.py): valid OpenAI features,
locations, messages, internal errors, token findings. The row builders here are shared with that table."""

from __future__ import annotations

import base64
import re

import orjson
import pytest

from tests.factories import messages as chat
from tunescope.checks.example.analyze import analyze_line, relocate_findings, token_findings
from tunescope.checks.findings import Finding, Severity
from tunescope.checks.model import CheckOptions, ExampleSummary, RecordKind

S = {"role": "system", "content": "Be nice."}
D = {"role": "developer", "content": "Be nice."}
U = {"role": "user", "content": "Hi"}
U2 = {"role": "user", "content": "And then?"}
A = {"role": "assistant", "content": "Hello"}
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(40)).decode()
JPG = base64.b64encode(b"\xff\xd8\xff\xe0" + bytes(40)).decode()
GIF = base64.b64encode(b"GIF89a" + bytes(40)).decode()
WEATHER = {"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
    "additionalProperties": False}}}
OTHER_TOOL = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}




def img(url, role="user"):
    return {"role": role, "content": [{"type": "text", "text": "see"}, {"type": "image_url", "image_url": {"url": url}}]}


def call(cid="call_1", name="get_weather", args='{"city": "Paris"}', **extra):
    c = {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}
    c.update(extra)
    return c


def calls(*cs, content=None):
    m = {"role": "assistant", "tool_calls": list(cs)}
    if content is not None:
        m["content"] = content
    return m


def tool(cid="call_1", content="sunny"):
    return {"role": "tool", "tool_call_id": cid, "content": content}


def u(content):
    return {"role": "user", "content": content}


def a(content, **extra):
    return {"role": "assistant", "content": content, **extra}


OK = chat(S, U, A)


def encode(row) -> bytes:
    return row if isinstance(row, bytes) else orjson.dumps(row)


def checks_of(row, options: dict, line: int = 1):
    obj, an = analyze_line(encode(row), line, line - 1, CheckOptions(**options))
    return obj, an, {f.check for f in an.findings}


def test_passing_examples_of_valid_openai_features_have_no_errors():
    """Tool calls with null/absent content, tool role, function role, weight, images, A A: never errors."""
    rows = [
        chat(S, U, calls(call()), tool(), A, A, tools=[WEATHER], parallel_tool_calls=False),
        chat(S, U, {**calls(call()), "content": None}, tool(), a("ok", weight=0), U2, a("fine", weight=1),
             tools=[WEATHER]),
        chat(S, U, {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}},
             {"role": "function", "name": "f", "content": "4"}, A, functions=[{"name": "f"}]),
        chat(img("https://example.com/cat.jpg"), A),
        chat(img("data:image/png;base64," + PNG), A),
    ]
    for row in rows:
        _, an, _ = checks_of(row, {})
        assert an.kind is RecordKind.CHAT
        assert [f for f in an.findings if f.severity.value == "error"] == [], [f.message for f in an.findings]


def test_path_and_message_index_point_at_the_offending_spot():
    _, an, _ = checks_of(chat(S, U, calls(call(args="{bad"))), {})
    f = next(f for f in an.findings if f.check == "arguments_invalid_json")
    assert f.path == "$.messages[2].tool_calls[0].function.arguments" and f.message_index == 2
    _, an, _ = checks_of(chat(S, {"content": "x"}, A), {}, line=101)
    f = next(f for f in an.findings if f.check == "missing_role")
    assert f.message == "Invalid file format. Example 101, message 2 Discriminator 'role' is missing in value."
    assert f.path == "$.messages[1]" and f.message_index == 1


def test_invalid_json_reports_orjson_message_and_column():
    _, an, _ = checks_of(b'{"messages": [1,]}', {}, line=7)
    f = an.findings[0]
    assert an.kind is RecordKind.INVALID
    assert "trailing comma" in f.message and "column" in f.message and "(line 7)" in f.message


def test_invalid_utf8_reports_byte_position():
    _, an, _ = checks_of(b'{"a": "caf\xe9"}', {})
    assert "byte 11" in an.findings[0].message and an.kind is RecordKind.INVALID


def test_blank_line_kind():
    obj, an, _ = checks_of(b"", {})
    assert obj is None and an.kind is RecordKind.BLANK


def test_internal_error_never_raises(monkeypatch):
    import tunescope.checks.example.analyze as checks

    def boom(obj, ctx, an):
        raise RuntimeError("kaboom")
    monkeypatch.setitem(checks._ANALYZERS, RecordKind.CHAT, boom)
    obj, an = analyze_line(orjson.dumps(OK), 3, 2, CheckOptions())
    assert [f.check for f in an.findings] == ["internal_error"] and "kaboom" in an.findings[0].message
    monkeypatch.undo()
    assert "internal_error" not in checks_of(OK, {})[2]


@pytest.fixture(scope="module")
def counter():
    from tunescope.tokens.count import TokenCounter
    return TokenCounter("o200k_base")


def summary_for(row, counter, options: CheckOptions) -> ExampleSummary:
    obj, an = analyze_line(orjson.dumps(row), 1, 0, options)
    return ExampleSummary(example=0, line=1, analysis=an, tokens=counter.count_record(obj, an.kind))


def test_over_token_limit(counter):
    row = chat(S, U, a("word " * 50))
    s = summary_for(row, counter, CheckOptions(token_limit=20))
    found = token_findings(s, CheckOptions(token_limit=20))
    f = next(f for f in found if f.check == "over_token_limit")
    assert f"{s.tokens.total:,} tokens" in f.message and "20-token" in f.message and "truncated" in f.message
    assert "over_token_limit" not in {f.check for f in token_findings(s, CheckOptions(token_limit=s.tokens.total))}


def test_no_trained_tokens(counter):
    opts = CheckOptions()
    bad = summary_for(chat(U, a("")), counter, opts)
    assert bad.tokens.trained == 0
    assert "no_trained_tokens" in {f.check for f in token_findings(bad, opts)}
    good = summary_for(OK, counter, opts)
    assert "no_trained_tokens" not in {f.check for f in token_findings(good, opts)}
    zero = summary_for(chat(U, a("x", weight=0)), counter, opts)   # already all_assistant_weight_zero
    assert "no_trained_tokens" not in {f.check for f in token_findings(zero, opts)}


def test_relocate_findings_rewrites_locations_and_quoted_numbers():
    from tunescope.checks.example.analyze import relocate_findings

    _, an = analyze_line(orjson.dumps(chat(S, {"content": "x"}, A)), 12, 11, CheckOptions())
    _, bad = analyze_line(b'{"messages": [1,]}', 12, 11, CheckOptions())
    moved = relocate_findings(an.findings + bad.findings, 40, 39)
    assert [(f.line, f.example) for f in moved] == [(40, 39)] * len(moved)
    assert moved[0].message.startswith("Invalid file format. Example 40, message 2")
    assert "(line 40)" in moved[-1].message and "Example 40 cannot be parsed" in moved[-1].message
    assert [f.check for f in moved] == [f.check for f in an.findings + bad.findings]


# Folded from test_qa_relocate.py: QA: moving cached findings to another line rewrites the right numbers, without a regex per finding.


def finding(line, example, message):
    return Finding("blank_line", Severity.ERROR, message, "hint", line, example, None, "")


@pytest.mark.regression("qa_relocate")
def test_relocation_rewrites_the_first_exact_number_only():
    f = finding(12, 11, "Line 12 is blank; Example 12 (not Example 1 or line 120) is empty. Line 12 again.")
    (g,) = relocate_findings([f], 30, 29)
    assert g.line == 30 and g.example == 29
    assert g.message == "Line 30 is blank; Example 30 (not Example 1 or line 120) is empty. Line 12 again."
    (h,) = relocate_findings([finding(1, 0, "line 1 and Example 1x and Example 1")], 5, 4)
    assert h.message == "line 5 and Example 1x and Example 5"


@pytest.mark.regression("qa_relocate")
def test_relocation_does_not_compile_a_pattern_per_finding():
    re.purge()
    for i in range(300):     # cached results come from many lines: each has its own numbers
        relocate_findings([finding(i + 1, i, f"Line {i + 1} is empty. Example {i + 1}.")], i + 1001, i + 1000)
    assert len(re._cache) < 10          # was two new patterns per call (600, capped by re's cache)
