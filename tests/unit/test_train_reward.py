"""The offline grader scoring of reinforcement jobs on the real trainer (tunescope.train.reward)."""

from __future__ import annotations

import json

import pytest

from tunescope.train.reward import GraderReward, score, unsupported_reason

CHECK = {"type": "string_check", "name": "c", "input": "{{sample.output_text}}", "reference": "{{item.answer}}",
         "operation": "eq"}
SIMILAR = {"type": "text_similarity", "name": "s", "input": "{{sample.output_text}}", "reference": "{{item.answer}}",
           "evaluation_metric": "fuzzy_match"}


@pytest.mark.parametrize("op, text, expected", [("eq", "Paris", 1.0), ("eq", "paris", 0.0), ("ne", "Rome", 1.0),
                                                ("like", "It is Paris.", 1.0), ("ilike", "it is PARIS", 1.0),
                                                ("like", "it is PARIS", 0.0)])
def test_string_check_operations(op, text, expected):
    assert score({**CHECK, "operation": op}, {"answer": "Paris"}, text) == expected


def test_text_similarity_is_rapidfuzz_ratio_on_normalised_text():
    assert score(SIMILAR, {"answer": "Paris  France"}, " Paris France ") == 1.0
    assert 0.5 < score(SIMILAR, {"answer": "Paris"}, "Pariss") < 1.0


def test_multi_combines_sub_graders_and_reads_output_json():
    json_check = {**CHECK, "input": "{{sample.output_json.city}}"}
    multi = {"type": "multi", "name": "m", "graders": {"exact": json_check, "close": SIMILAR},
             "calculate_output": "0.5 * exact + 0.5 * close"}
    assert score(multi, {"answer": "Paris"}, json.dumps({"city": "Paris"})) == pytest.approx(0.5 * 1 + 0.5 * score(
        SIMILAR, {"answer": "Paris"}, json.dumps({"city": "Paris"})))
    with pytest.raises(ValueError, match="uses something other than"):
        score({**multi, "calculate_output": "__import__('os')"}, {"answer": "x"}, "x")


def test_unsupported_graders_say_why():
    assert unsupported_reason(CHECK) is None and unsupported_reason({"type": "multi", "graders": {"a": SIMILAR}}) is None
    assert "'score_model' is not supported" in unsupported_reason({"type": "score_model"})
    assert "only fuzzy_match" in unsupported_reason({**SIMILAR, "evaluation_metric": "bleu"})
    assert "sub-grader 'p'" in unsupported_reason({"type": "multi", "graders": {"p": {"type": "python"}}})
    with pytest.raises(ValueError):
        GraderReward({"type": "label_model"})


def test_reward_function_scores_each_completion_against_its_row():
    reward = GraderReward(CHECK)
    rows = [json.dumps({"answer": "Paris"}), json.dumps({"answer": "Rome"})]
    assert reward(prompts=[[], []], completions=[[{"role": "assistant", "content": "Paris"}], "Paris"],
                  item=rows) == [1.0, 0.0]
