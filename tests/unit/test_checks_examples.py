"""Every per-example check id: a minimal failing example and a minimal passing one."""

from __future__ import annotations

import base64

import orjson
import pytest

from tunescope.checks.model import CheckOptions, ExampleSummary, RecordKind
from tunescope.checks.example.analyze import analyze_line, token_findings

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


def chat(*messages, **top):
    return {"messages": list(messages), **top}


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


def pref(inp=None, preferred="Good answer", non_preferred="Bad answer", **extra):
    row = {"input": {"messages": inp if inp is not None else [U]},
           "preferred_output": [{"role": "assistant", "content": preferred}],
           "non_preferred_output": [{"role": "assistant", "content": non_preferred}]}
    row.update(extra)
    return row


def rft(*messages, **keys):
    return {"messages": list(messages) or [D, U], **keys}


def u(content):
    return {"role": "user", "content": content}


def a(content, **extra):
    return {"role": "assistant", "content": content, **extra}


OK = chat(S, U, A)
RFT_OPTS = {"method": "reinforcement"}

# (check id, failing row, passing row, options, line)
CASES = [
    ("blank_line", b"   \t", OK, {}, 1),
    ("bom_in_line", b"\xef\xbb\xbf" + orjson.dumps(OK), OK, {}, 2),
    ("nul_byte", b'{"messages": \x00[]}', OK, {}, 1),
    ("invalid_utf8", b'{"messages": "caf\xe9"}', OK, {}, 1),
    ("invalid_json", b'{"messages": [],}', OK, {}, 1),
    ("not_an_object", b"[1, 2]", OK, {}, 1),
    ("unknown_format", {"foo": 1}, OK, {}, 1),
    ("missing_messages", {"parallel_tool_calls": False}, OK, {}, 1),
    ("messages_not_list", {"messages": {"role": "user"}}, OK, {}, 1),
    ("empty_messages", {"messages": []}, OK, {}, 1),
    ("extra_top_level_key", {**OK, "id": 7}, chat(S, U, calls(call()), tools=[WEATHER], parallel_tool_calls=False),
     {}, 1),
    ("format_method_mismatch", OK, pref(), {"method": "dpo"}, 1),
    ("near_miss_format", {"instruction": "Add", "input": "1+1", "output": "2"}, OK, {}, 1),
    ("message_not_object", chat("hi", A), OK, {}, 1),
    ("missing_role", chat({"content": "hi"}, A), OK, {}, 1),
    ("invalid_role", chat({"role": "human", "content": "hi"}, A), OK, {}, 1),
    ("developer_role_in_supervised", chat(D, U, A), OK, {}, 1),
    ("unknown_message_key", chat({**U, "meta": 1}, A), chat(U, a("No.", refusal=None, name="bot")), {}, 1),
    ("text_instead_of_content", chat({"role": "user", "text": "hi"}, A), OK, {}, 1),
    ("missing_content", chat({"role": "user"}, A), chat(U, calls(call()), tools=[WEATHER]), {}, 1),
    ("content_null", chat(u(None), A), chat(U, {**calls(call()), "content": None}, tools=[WEATHER]), {}, 1),
    ("invalid_content_type", chat(u(5), A), chat(u([{"type": "text", "text": "hi"}]), A), {}, 1),
    ("empty_content", chat(U, a("  ")), chat(U, calls(call(), content=""), tools=[WEATHER]), {}, 1),
    ("invalid_name", chat({**U, "name": 5}, A), chat({**U, "name": "bob"}, A), {}, 1),
    ("function_message_missing_name",
     chat(U, {"role": "assistant", "function_call": {"name": "f", "arguments": "{}"}}, {"role": "function", "content": "4"}, A),
     chat(U, {"role": "assistant", "function_call": {"name": "f", "arguments": "{}"}},
          {"role": "function", "name": "f", "content": "4"}, A), {}, 1),
    ("missing_assistant_message", chat(S, U), OK, {"method": "supervised"}, 1),
    ("missing_user_message", chat(S, A), OK, {}, 1),
    ("last_message_not_assistant", chat(U, A, U2), chat(U, A, U2, A), {}, 1),
    ("system_not_first", chat(U, S, A), OK, {}, 1),
    ("multiple_system_messages", chat(S, S, U, A), OK, {}, 1),
    ("consecutive_user_messages", chat(U, U2, A), chat(U, A, A), {}, 1),
    ("special_token_text", chat(U, a("Done.<|endoftext|>")), chat(U, a("Done. <| endoftext |>")), {}, 1),
    ("chat_template_text", chat(u("<|im_start|>user hi"), A), chat(u("a <b> c"), A), {}, 1),
    ("replacement_character", chat(u("caf\ufffd"), A), chat(u("café"), A), {}, 1),
    ("surrounding_whitespace", chat(U, a(" Hello\n")), OK, {}, 1),
    ("tools_not_list", chat(U, A, tools=orjson.dumps([WEATHER]).decode()), chat(U, A, tools=[WEATHER]), {}, 1),
    ("tool_definition_invalid", chat(U, A, tools=[{"type": "function"}]), chat(U, A, tools=[WEATHER]), {}, 1),
    ("function_name_invalid", chat(U, A, tools=[{"type": "function", "function": {"name": "get weather"}}]),
     chat(U, A, tools=[{"type": "function", "function": {"name": "get-weather_2"}}]), {}, 1),
    ("parameters_invalid_schema",
     chat(U, A, tools=[{"type": "function", "function": {"name": "f", "parameters": {
         "type": "object", "properties": {"x": {"type": "str"}}}}}]),
     chat(U, A, tools=[WEATHER]), {}, 1),
    ("duplicate_tool_name", chat(U, A, tools=[WEATHER, WEATHER]), chat(U, A, tools=[WEATHER, OTHER_TOOL]), {}, 1),
    ("functions_invalid", chat(U, A, functions=[]), chat(U, A, functions=[WEATHER["function"]]), {}, 1),
    ("tools_and_functions", chat(U, A, tools=[WEATHER], functions=[OTHER_TOOL["function"]]),
     chat(U, A, tools=[WEATHER, OTHER_TOOL]), {}, 1),
    ("parallel_tool_calls_not_bool", chat(U, A, parallel_tool_calls="false"), chat(U, A, parallel_tool_calls=False),
     {}, 1),
    ("tool_calls_invalid", chat(U, calls({"type": "function", "function": {"name": "get_weather", "arguments": "{}"}})),
     chat(U, calls(call())), {}, 1),
    ("tool_call_missing_type", chat(U, calls({"id": "c", "function": {"name": "f", "arguments": "{}"}})),
     chat(U, calls({"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}})), {}, 1),
    ("duplicate_tool_call_id", chat(U, calls(call("c1"), call("c1")), tool("c1"), tool("c1"), A),
     chat(U, calls(call("c1"), call("c2")), tool("c1"), tool("c2"), A), {}, 1),
    ("parallel_calls_disabled", chat(U, calls(call("c1"), call("c2")), parallel_tool_calls=False),
     chat(U, calls(call("c1"), call("c2")), parallel_tool_calls=True), {}, 1),
    ("tool_call_unknown_function", chat(U, calls(call(name="get_time", args="{}")), tools=[WEATHER]),
     chat(U, calls(call(name="get_time", args="{}")), tools=[WEATHER, OTHER_TOOL]), {}, 1),
    ("arguments_not_string", chat(U, calls(call(args={"city": "Paris"}))), chat(U, calls(call())), {}, 1),
    ("arguments_invalid_json", chat(U, calls(call(args="{city: Paris"))), chat(U, calls(call())), {}, 1),
    ("arguments_not_object", chat(U, calls(call(args="[1]"))), chat(U, calls(call(args="{}"))), {}, 1),
    ("arguments_schema_mismatch", chat(U, calls(call(args='{"town": "Paris"}')), tools=[WEATHER]),
     chat(U, calls(call()), tools=[WEATHER]), {}, 1),
    ("tool_message_missing_id", chat(U, calls(call()), {"role": "tool", "content": "sunny"}, A),
     chat(U, calls(call()), tool(), A), {}, 1),
    ("orphan_tool_message", chat(U, calls(call("c1")), tool("c9"), A), chat(U, calls(call("c1")), tool("c1"), A), {}, 1),
    ("duplicate_tool_response", chat(U, calls(call("c1")), tool("c1"), tool("c1"), A),
     chat(U, calls(call("c1")), tool("c1"), A), {}, 1),
    ("unanswered_tool_call", chat(U, calls(call()), U2, A), chat(U, calls(call()), tool(), A), {}, 1),
    ("weight_not_integer", chat(U, a("x", weight="1")), chat(U, a("x", weight=1)), {}, 1),
    ("weight_invalid_value", chat(U, a("x", weight=2)), chat(U, a("x", weight=0), U2, a("y", weight=1)), {}, 1),
    ("weight_on_non_assistant", chat({**U, "weight": 1}, A), chat(U, a("x", weight=1)), {}, 1),
    ("all_assistant_weight_zero", chat(U, a("x", weight=0), U2, a("y", weight=0)),
     chat(U, a("x", weight=0), U2, a("y", weight=1)), {}, 1),
    ("content_part_invalid", chat(u([{"text": "x"}]), A), chat(u([{"type": "text", "text": "x"}]), A), {}, 1),
    ("content_part_type_invalid", chat(u([{"type": "input_audio", "input_audio": {}}]), A),
     chat(img("https://example.com/a.png"), A), {}, 1),
    ("image_not_allowed", chat(U, img("https://example.com/a.png", role="assistant")),
     chat(img("https://example.com/a.png"), A), {}, 1),
    ("image_url_invalid", chat(u([{"type": "image_url", "image_url": "https://example.com/a.png"}]), A),
     chat(img("https://example.com/a.png"), A), {}, 1),
    ("image_data_url_invalid", chat(img("data:image/gif;base64," + GIF), A), chat(img("data:image/png;base64," + PNG), A),
     {}, 1),
    ("image_type_mismatch", chat(img("data:image/jpeg;base64," + PNG), A), chat(img("data:image/jpeg;base64," + JPG), A),
     {}, 1),
    ("image_too_large", chat(img("data:image/png;base64," + PNG + "A" * (14 * 1024 * 1024)), A),
     chat(img("data:image/png;base64," + PNG + "A" * 1024), A), {}, 1),
    ("too_many_images", chat(u([{"type": "image_url", "image_url": {"url": "https://x.org/i.png"}}] * 11), A),
     chat(u([{"type": "image_url", "image_url": {"url": "https://x.org/i.png"}}] * 10), A), {}, 1),
    ("preference_input_invalid", {**pref(), "input": "hi"}, pref(), {}, 1),
    ("preference_output_missing", {k: v for k, v in pref().items() if k != "non_preferred_output"}, pref(), {}, 1),
    ("preference_output_invalid", {**pref(), "preferred_output": [A, A]}, pref(), {}, 1),
    ("preference_input_ends_with_assistant", pref([U, A]), pref([S, U]), {}, 1),
    ("preference_multi_turn", pref([U, A, U2]), pref([U]), {}, 1),
    ("preference_outputs_identical", pref(preferred="Same", non_preferred="Same"), pref(), {}, 1),
    ("preference_outputs_whitespace_only", pref(preferred="Hi there", non_preferred="Hi  there\n"), pref(), {}, 1),
    ("rft_last_message_not_user", rft(D, U, A), rft(D, U), RFT_OPTS, 1),
    ("rft_grader_key_name", rft(D, U, **{"reference-answer": "B"}), rft(D, U, reference_answer="B"), {}, 1),
    ("legacy_key_case", {"Prompt": "x ->", "completion": " y"}, {"prompt": "x ->", "completion": " y"}, {}, 1),
    ("legacy_missing_key", {"prompt": "x ->"}, {"prompt": "x ->", "completion": " y"}, {}, 1),
    ("legacy_not_string", {"prompt": 1, "completion": " y"}, {"prompt": "1", "completion": " y"}, {}, 1),
    ("legacy_empty_completion", {"prompt": "x ->", "completion": ""}, {"prompt": "x ->", "completion": " y"}, {}, 1),
    ("legacy_long_example", {"prompt": "x" * 10_001, "completion": " y"}, {"prompt": "x" * 9_000, "completion": " y"},
     {}, 1),
]


def encode(row) -> bytes:
    return row if isinstance(row, bytes) else orjson.dumps(row)


def checks_of(row, options: dict, line: int = 1):
    obj, an = analyze_line(encode(row), line, line - 1, CheckOptions(**options))
    return obj, an, {f.check for f in an.findings}


@pytest.mark.parametrize("check,bad,good,options,line", CASES, ids=[c[0] for c in CASES])
def test_check_fires_on_failing_and_not_on_passing(check, bad, good, options, line):
    _, an, found = checks_of(bad, options, line)
    assert check in found, f"{check} not reported; got {sorted(found)}"
    f = next(f for f in an.findings if f.check == check)
    assert f.line == line and f.example == line - 1
    assert f.message and f.hint and f.path.startswith("$")
    _, good_an, good_found = checks_of(good, options, line)
    assert check not in good_found, [f.message for f in good_an.findings if f.check == check]
    assert "internal_error" not in found | good_found


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
