"""dataset.records: the one roles summary, preview and message-text helpers (checker, edits and list)."""

from __future__ import annotations

import json

import pytest

from tunescope.checks.example.analyze import analyze_line
from tunescope.checks.model import CheckOptions
from tunescope.dataset.records import (
    content_text,
    message_texts,
    messages_of,
    one_line,
    part_text,
    preview,
    printable,
    roles,
    row_info,
)


def line(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


CHAT = {"messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "  Hello\nthere "},
                     {"role": "assistant", "content": None, "weight": 0, "tool_calls": [{"id": "1"}]},
                     {"role": "tool", "content": "x"}, {"role": "assistant", "content": "done"}]}
DPO = {"input": {"messages": [{"role": "user", "content": "Q"}]},
       "preferred_output": [{"role": "assistant", "content": "a"}],
       "non_preferred_output": [{"role": "assistant", "content": "b"}]}


@pytest.mark.parametrize("obj, expected_roles, expected_preview", [
    (CHAT, "S U A0* T A", "Hello there"),
    (DPO, "U", "Q"),                                                        # the prompt side only
    ({"prompt": " p ", "completion": "c"}, "P C", "p"),
    ({"Prompt": "cased", "completion": "c"}, "P C", "cased"),
    ({"messages": [{"role": "developer", "content": "d"}, {"role": "assistant", "content": "r"}]}, "S A", "r"),
    ({"messages": [{"role": "developer", "content": "d"}, {"role": "user", "content": "u"}]}, "D U", "u"),   # RFT
    ({"messages": [{"role": "User", "content": "u"}, "x", {"content": "c"}, {"role": "assistant",
                                                                        "content": "a", "weight": False}]},
     "? ? ? A", "a"),
    ({"conversations": [{"from": "human", "value": "hi"}]}, "", "hi"),      # a near miss: no roles, its text
    ({"foo": 1}, "", ""),
])
def test_roles_and_preview_are_what_the_checker_records(obj, expected_roles, expected_preview):
    _, analysis = analyze_line(line(obj), 1, 0, CheckOptions())
    assert (analysis.roles, analysis.preview) == (expected_roles, expected_preview)
    assert (roles(obj, analysis.kind), preview(obj, analysis.kind, analysis.near_miss)) == (analysis.roles,
                                                                                         analysis.preview)


def test_row_info_describes_every_line_and_never_prints_control_characters():
    info = row_info(line(CHAT))
    assert info.roles == "S U A0* T A" and info.preview == "Hello there" and info.parsed
    assert row_info(line({"foo": 1, "bar": 2})).preview == "{foo, bar}"   # no text: the keys
    assert row_info(b"   ").preview == "(blank line)"
    assert row_info(b'{"a": 1,}').preview.startswith("(not JSON)")
    assert row_info(b"[1, 2]").preview.startswith("(JSON list")
    escaped = row_info(line({"messages": [{"role": "user", "content": "a\x1b[31mred\x00"}]})).preview
    assert "\x1b" not in escaped and "\x00" not in escaped and printable("\x07") == "?"


def test_messages_of_returns_the_list_itself_or_none():
    assert messages_of(CHAT) is CHAT["messages"]
    assert messages_of(DPO) is DPO["input"]["messages"]
    assert messages_of({"prompt": "p"}) is None and messages_of({"messages": None}) is None


def test_text_of_a_content_value():
    parts = [{"type": "text", "text": "a"}, {"type": "image_url", "image_url": {"url": "u"}}, {"value": "b"}]
    assert part_text(parts) == "a\nb" and part_text([{"type": "image_url"}]) is None and part_text(3) is None
    assert content_text(None) == "" and content_text("x") == "x"
    texts = message_texts({"messages": [{"role": "assistant", "content": "c", "tool_calls": [
        {"function": {"name": "f", "arguments": "{}"}}]}], "preferred_output": [{"content": "p"}]})
    assert texts == ["c", "f", "{}", "p"]


def test_one_line_collapses_line_breaks_and_cuts_long_texts():
    assert one_line("a\nb\tc") == "a b c" and one_line("a  b") == "a  b"
    assert one_line("x" * 300) == "x" * 199 + "…" and len(one_line("word " * 100, 50)) == 50
