"""Every check of area "target" has a scenario here that makes the target checker emit it, on the line and
path it names (the example engine's Case table in tests/unit/checks/test_cases.py covers the other areas)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tunescope.checks import CHECKS
from tunescope.targets import TARGETS
from tunescope.targets.checking import TargetChecker
from tunescope.targets.registry import Limit

CHAT = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}


def lines(*rows) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)


SCENARIOS = {
    "target_not_carried": ("vertex", lines({"messages": [{"role": "user", "content": "q"},
                                                         {"role": "assistant", "content": "a", "weight": 0}]}),
                           1, "$.messages[1].weight"),
    "target_schema": ("bedrock", lines({"schemaVersion": "bedrock-conversation-2024",
                                        "messages": [{"role": "user", "content": [{"text": "q"}]},
                                                     {"role": "model", "content": [{"text": "a"}]}]}),
                      1, "$.messages[1].role"),
    "target_token_limit": ("vertex", lines({"contents": [{"role": "user", "parts": [{"text": "word " * 140_000}]},
                                                         {"role": "model", "parts": [{"text": "a"}]}]}), 1, "$"),
    "target_example_count": ("fireworks", lines(CHAT, CHAT), None, ""),
    "target_file_size": ("tiny", lines(CHAT), None, ""),
    "target_unreadable": ("vertex", lines({"contents": [{"role": "user", "parts": [{"text": "q"}]}]}, "{oops"),
                          2, "$"),
    "together_mixed_formats": ("together", lines(CHAT, {"prompt": "p", "completion": "c"}), None, ""),
    "together_extra_keys": ("together", lines({**CHAT, "id": 7}), 1, "$.id"),
    "together_turn_order": ("together", lines({"messages": [{"role": "assistant", "content": "a"}]}), 1,
                            "$.messages[0].role"),
    "vertex_file_uri": ("vertex", lines({"messages": [
        {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x.test/a.png"}}]},
        {"role": "assistant", "content": "a"}]}), 1, "$.messages[0].content[0]"),
    "bedrock_tool_use": ("bedrock", lines({"messages": [
        {"role": "user", "content": "q"},
        {"role": "assistant", "tool_calls": [{"id": "c", "type": "function",
                                              "function": {"name": "f", "arguments": "{}"}}]}]}), 1, "$.messages[1]"),
    "bedrock_turn_order": ("bedrock", lines({"messages": [{"role": "user", "content": "q"},
                                                          {"role": "user", "content": "q2"},
                                                          {"role": "assistant", "content": "a"}]}), 1,
                           "$.messages[1].role"),
    "llamafactory_turn_order": ("llamafactory", lines({"conversations": [{"from": "gpt", "value": "a"},
                                                                         {"from": "human", "value": "q"}]}), 1,
                                "$.conversations[0].from"),
}


def checker_for(name: str) -> TargetChecker:
    if name == "tiny":      # a target whose upload limit is 10 bytes, to reach the file-size rule cheaply
        return TargetChecker(dataclasses.replace(TARGETS["openai"], limits=(Limit("max_file_bytes", 10, "test",
                                                                                  "2026-12-06"),)))
    return TargetChecker(TARGETS[name])


def test_every_target_check_has_a_scenario():
    assert set(SCENARIOS) == {cid for cid, c in CHECKS.items() if c.area == "target"}


@pytest.mark.parametrize("check_id", sorted(SCENARIOS))
def test_target_check_is_emitted_where_it_says(check_id, tmp_path):
    name, text, line, path = SCENARIOS[check_id]
    data = tmp_path / "data.jsonl"
    data.write_text(text, encoding="utf-8")
    report = checker_for(name).run(str(data), data.stat().st_size)
    found = [f for f in report.findings if f.check == check_id]
    assert found, [f.to_dict() for f in report.findings]
    assert (found[0].line, found[0].path) == (line, path)
    assert found[0].severity == CHECKS[check_id].severity
    if name != "tiny":
        assert found[0].message.startswith(name + ":") or check_id == "target_not_carried" \
            and found[0].message.startswith(name)
