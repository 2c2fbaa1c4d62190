"""Format detection, the analysis fields, and the registry's entries.

Every check's failing and passing case: tests/unit/checks/test_cases.py.
"""

from __future__ import annotations

import orjson
import pytest

from tunescope.checks.model import CheckOptions, RecordKind
from tunescope.checks.example.analyze import analyze_line
from tunescope.checks import CHECKS, by_area
from tunescope.checks.keys import BOUND
from tunescope.dataset.formats import NEAR_MISSES, detect

U = {"role": "user", "content": "Hi"}
A = {"role": "assistant", "content": "Hello"}

DETECT = [
    ({"messages": [U, A]}, None, RecordKind.CHAT, None),
    ({"messages": [U, A], "tools": [], "parallel_tool_calls": False}, None, RecordKind.CHAT, None),
    ({"messages": [{"role": "developer", "content": "x"}, U]}, None, RecordKind.REINFORCEMENT, None),
    ({"messages": [U], "reference_answer": "B"}, None, RecordKind.REINFORCEMENT, None),
    ({"messages": [U]}, None, RecordKind.REINFORCEMENT, None),                     # ambiguous, aggregator decides
    ({"messages": [U]}, "supervised", RecordKind.CHAT, None),
    ({"messages": [U, A], "reference_answer": "B"}, None, RecordKind.CHAT, None),  # has an answer: SFT + extra key
    ({"messages": [U, A], "reference_answer": "B"}, "reinforcement", RecordKind.REINFORCEMENT, None),
    ({"input": {"messages": [U]}, "preferred_output": [A], "non_preferred_output": [A]}, None,
     RecordKind.PREFERENCE, None),
    ({"prompt": "x ->", "completion": " y"}, None, RecordKind.PROMPT_COMPLETION, None),
    ({"Prompt": "x ->", "Completion": " y"}, None, RecordKind.PROMPT_COMPLETION, None),
    ({"messages": [{"role": "user", "content": [{"type": "text", "value": "hi"}]}, A]}, None,
     RecordKind.NEAR_MISS, "llamafactory"),
    ({"messages": [{**U, "loss_weight": 0.0}, A]}, None, RecordKind.NEAR_MISS, "llamafactory"),
    ({"messages": [{"from": "human", "value": "hi"}]}, None, RecordKind.NEAR_MISS, "sharegpt"),
    ({"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "yo"}]}, None,
     RecordKind.NEAR_MISS, "sharegpt"),
    ({"messages": '[{"role": "user", "content": "hi"}]'}, None, RecordKind.NEAR_MISS, "messages_json_string"),
    ({"chosen_messages": [U, A], "rejected_messages": [U, A]}, None, RecordKind.NEAR_MISS, "chosen_rejected_messages"),
    ({"prompt": "q", "chosen": "a", "rejected": "b"}, None, RecordKind.NEAR_MISS, "chosen_rejected"),
    ({"input": {"messages": [U]}, "preferred_completion": [A], "non_preferred_completion": [A]}, None,
     RecordKind.NEAR_MISS, "legacy_preference_names"),
    ({"instruction": "Add", "input": "1+1", "output": "2"}, None, RecordKind.NEAR_MISS, "alpaca"),
    ({"prompt": "q", "response": "a"}, None, RecordKind.NEAR_MISS, "prompt_response"),
    ({"question": "q", "answer": "a"}, None, RecordKind.NEAR_MISS, "qa_pairs"),
    ({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}, None, RecordKind.NEAR_MISS, "gemini"),
    ({"text": "Once upon a time"}, None, RecordKind.NEAR_MISS, "text_only"),
    ({"foo": 1, "bar": 2}, None, RecordKind.UNKNOWN, None),
]


@pytest.mark.parametrize("obj,method,kind,near", DETECT, ids=[f"{i}-{d[2].value}-{d[3]}" for i, d in enumerate(DETECT)])
def test_detect(obj, method, kind, near):
    assert detect(obj, method) == (kind, near)


def test_every_near_miss_name_is_detected_and_explained():
    names = {d[3] for d in DETECT if d[3]}
    assert names == set(NEAR_MISSES)
    for name in names:
        obj = next(d[0] for d in DETECT if d[3] == name)
        _, an = analyze_line(orjson.dumps(obj), 1, 0, CheckOptions())
        f = next(f for f in an.findings if f.check == "near_miss_format")
        what, meant = NEAR_MISSES[name]
        assert what in f.message and meant in f.hint and an.near_miss == name


def test_analysis_fields_of_a_chat_example():
    row = {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Line one\nline two"},
                        {"role": "assistant", "tool_calls": [{"id": "c", "type": "function",
                                                              "function": {"name": "f", "arguments": "{}"}}]},
                        {"role": "tool", "tool_call_id": "c", "content": "4"},
                        {"role": "assistant", "content": "Four.", "weight": 0},
                        {"role": "assistant", "content": "It is four."}]}
    _, an = analyze_line(orjson.dumps(row), 1, 0, CheckOptions())
    assert an.kind is RecordKind.CHAT
    assert an.roles == "S U A* T A0 A"
    assert an.n_messages == 6 and an.preview == "Line one line two"
    assert an.system_prompt == "Be brief." and an.final_reply == "It is four."
    assert len(an.dedupe_key) == 8 and len(an.input_key) == 8 and len(an.output_key) == 8
    same_keys_other_order = orjson.dumps({"messages": [dict(reversed(list(m.items()))) for m in row["messages"]]})
    assert analyze_line(same_keys_other_order, 1, 0, CheckOptions())[1].dedupe_key == an.dedupe_key
    other_answer = {"messages": row["messages"][:-1] + [{"role": "assistant", "content": "4"}]}
    other = analyze_line(orjson.dumps(other_answer), 1, 0, CheckOptions())[1]
    assert other.input_key == an.input_key and other.output_key != an.output_key


def test_long_texts_are_bounded_but_still_distinct():
    base = "You are a careful assistant. " * 40
    a1 = analyze_line(orjson.dumps({"messages": [{"role": "system", "content": base + "A"}, U, A]}), 1, 0,
                      CheckOptions())[1]
    a2 = analyze_line(orjson.dumps({"messages": [{"role": "system", "content": base + "B"}, U, A]}), 1, 0,
                      CheckOptions())[1]
    assert len(a1.system_prompt) <= BOUND and a1.system_prompt != a2.system_prompt
    long_user = {"messages": [{"role": "user", "content": "word " * 500}, A]}
    assert len(analyze_line(orjson.dumps(long_user), 1, 0, CheckOptions())[1].preview) <= 200


def test_image_flag_and_extra_keys():
    row = {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x.org/a.png"}}]},
                        A], "meta": {}}
    an = analyze_line(orjson.dumps(row), 1, 0, CheckOptions())[1]
    assert an.has_images and an.extra_keys == ("meta",)


def test_catalogue_entries_are_complete():
    for cid, info in CHECKS.items():
        assert cid == info.id and cid.islower() and " " not in cid
        assert info.title and info.description and info.area
    assert sum(len(v) for v in by_area().values()) == len(CHECKS)


def test_sharegpt_message_names_the_actual_mistake():
    from_value = {"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "yo"}]}
    role_content = {"conversations": [U, A]}
    msgs = [analyze_line(orjson.dumps(o), 1, 0, CheckOptions())[1].findings[0].message for o in (from_value, role_content)]
    assert '"from"/"value" instead of "role"/"content"' in msgs[0]
    assert 'expects them under "messages"' in msgs[1]
