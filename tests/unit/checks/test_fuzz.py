"""Property tests: arbitrary bytes and arbitrary JSON in every position never crash the checks."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunescope.checks import CHECKS
from tunescope.checks.dataset.aggregator import DatasetAggregator
from tunescope.checks.example.analyze import analyze_line
from tunescope.checks.model import CheckOptions, ExampleSummary

scalars = st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False) \
    | st.text(max_size=20) | st.sampled_from(["user", "assistant", "system", "tool", "function", "developer",
                                              "text", "image_url", "function", "call_1", "<|endoftext|>", "{}", "["])
keys = st.sampled_from(["messages", "role", "content", "tool_calls", "tool_call_id", "function", "name", "arguments",
                        "type", "text", "image_url", "url", "weight", "tools", "parameters", "properties",
                        "required", "input", "preferred_output", "non_preferred_output", "prompt", "completion",
                        "functions", "function_call", "parallel_tool_calls", "value", "loss_weight", "id",
                        "detail", "reference_answer"]) | st.text(max_size=8)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
                           max_leaves=40)


def check_never_crashes(data: bytes) -> None:
    options = CheckOptions()
    obj, an = analyze_line(data, 3, 2, options)
    assert not [f for f in an.findings if f.check == "internal_error"], [f.message for f in an.findings]
    assert {f.check for f in an.findings} <= set(CHECKS)
    agg = DatasetAggregator(options)
    agg.add(ExampleSummary(example=2, line=3, analysis=an))
    agg.finish()


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, json_values, max_size=6))
def test_arbitrary_objects(obj):
    check_never_crashes(orjson.dumps(obj))


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(keys, json_values, max_size=5), max_size=5), st.sampled_from(["messages", "input"]))
def test_arbitrary_messages(messages, where):
    row = {"messages": messages} if where == "messages" else {
        "input": {"messages": messages}, "preferred_output": messages[:1], "non_preferred_output": messages[-1:]}
    check_never_crashes(orjson.dumps(row))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=60))
def test_arbitrary_bytes(data):
    check_never_crashes(data)
