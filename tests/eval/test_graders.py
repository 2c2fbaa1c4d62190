"""Every grader on hand-made answers: one passing and one failing case each (the judge through the server)."""

from __future__ import annotations

import json

import pytest

from tests.eval.conftest import BASE, chat_backend, fine_tune
from tests.factories import write_jsonl
from tunescope.eval.examples import example_of
from tunescope.eval.graders import GRADERS, Answer, GraderError, parse_grader
from tunescope.eval.runner import _Judge

CALL = {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}}


def _chat(reply: dict, tools=None) -> object:
    record = {"messages": [{"role": "user", "content": "Weather in Oslo?"}, {"role": "assistant", **reply}]}
    if tools:
        record["tools"] = tools
    return example_of(record, 1)


TEXT = _chat({"content": "Ahoy,  matey!\nArrr"})
SCHEMA = '{"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}}'

CASES = [
    ("exact", TEXT, Answer("Ahoy, matey! Arrr"), Answer("Ahoy, matey!")),
    ("regex:^Ahoy.*Arrr$", TEXT, Answer("Ahoy there Arrr"), Answer("Hello Arrr")),
    ("similarity", TEXT, Answer("Ahoy matey! Arr"), Answer("The weather is fine.")),
    ("json_valid", TEXT, Answer('{"a": 1}'), Answer("{'a': 1}")),
    (f"json_schema:{SCHEMA}", TEXT, Answer('{"city": "Oslo"}'), Answer('{"town": "Oslo"}')),
    ("tool_call", _chat({"content": None, "tool_calls": [CALL]}),
     Answer(None, [{**CALL, "function": {"name": "get_weather", "arguments": '{ "city":"Oslo" }'}}]),
     Answer(None, [{**CALL, "function": {"name": "get_weather", "arguments": '{"city": "Bergen"}'}}])),
]


class NoModel:
    def ask(self, model, messages):
        raise AssertionError("this grader must not ask a model")


@pytest.mark.parametrize(("spec", "example", "good", "bad"), CASES, ids=[c[0].split(":")[0] for c in CASES])
def test_grader_passes_the_good_answer_and_fails_the_bad_one(spec, example, good, bad):
    grader = parse_grader(spec)
    yes, no = grader.grade(example, good, NoModel()), grader.grade(example, bad, NoModel())
    assert yes.passed and yes.score >= grader.threshold
    assert not no.passed and 0.0 <= no.score < grader.threshold
    assert grader.grade(example, Answer(None, error="timed out"), NoModel()).reason == "no answer: timed out"


def test_every_declared_grader_kind_is_tested():
    tested = {parse_grader(c[0]).kind.id for c in CASES} | {"llm_judge", "openai"}
    assert tested == set(GRADERS)


def test_json_schema_failure_says_where():
    grade = parse_grader(f"json_schema:{SCHEMA}").grade(TEXT, Answer('{"city": 3}'), NoModel())
    assert grade.reason.startswith("at city:")


@pytest.mark.parametrize("config", [
    {"type": "string_check", "name": "s", "input": "{{sample.output_text}}", "reference": "{{item.answer}}",
     "operation": "eq"},
    {"type": "text_similarity", "name": "t", "input": "{{sample.output_text}}", "reference": "{{item.answer}}",
     "evaluation_metric": "fuzzy_match", "pass_threshold": 0.9},
    {"type": "multi", "name": "m", "graders": {
        "a": {"type": "string_check", "name": "a", "input": "{{sample.output_json.city}}",
              "reference": "{{item.answer}}", "operation": "ilike"},
        "b": {"type": "string_check", "name": "b", "input": "{{sample.output_text}}", "reference": "{{item.answer}}",
              "operation": "eq"}},
     "calculate_output": "max(a, b)", "pass_threshold": 1},
], ids=["string_check", "text_similarity", "multi"])
def test_openai_grader_configs_from_an_rft_file(tmp_path, config):
    rft = example_of({"messages": [{"role": "user", "content": "Capital of Norway?"}], "answer": "Oslo"}, 3)
    path = tmp_path / "grader.json"
    path.write_text(json.dumps({"grader": config}))
    grader = parse_grader(str(path))
    good = Answer('{"city": "oslo"}') if config["type"] == "multi" else Answer("Oslo")
    assert grader.grade(rft, good, NoModel()).passed
    assert not grader.grade(rft, Answer("Bergen"), NoModel()).passed


def test_unsupported_openai_grader_is_a_message(tmp_path):
    path = tmp_path / "g.json"
    path.write_text(json.dumps({"type": "python", "source": "def grade(): ..."}))
    with pytest.raises(GraderError, match="'python' is not supported"):
        parse_grader(str(path))


def test_llm_judge_and_score_model_through_a_model_on_the_server(make_server, tmp_path):
    srv = make_server()
    judge_file = write_jsonl(tmp_path, [{"messages": [{"role": "user", "content": f"grade answer {i}"},
                                                      {"role": "assistant", "content": "Score: 9"}]}
                                        for i in range(10)], name="judge.jsonl")
    _, judge_model = fine_tune(srv, judge_file)
    backend, counter = chat_backend(srv, tmp_path)
    judge = _Judge(backend)
    good = parse_grader(f"llm_judge:{judge_model}")
    assert good.grade(TEXT, Answer("Ahoy"), judge).passed            # the judge says "Score: 9"
    bad = parse_grader(f"llm_judge:{BASE}")                          # a base model's simulated reply has no score
    verdict = bad.grade(TEXT, Answer("Ahoy"), judge)
    assert not verdict.passed and "no 'Score:' line" in verdict.reason
    config = tmp_path / "score.json"
    config.write_text(json.dumps({"type": "score_model", "name": "sm", "model": judge_model, "range": [0, 10],
                                  "input": [{"role": "user", "content": "Grade: {{sample.output_text}}"}],
                                  "pass_threshold": 0.8}))
    assert parse_grader(str(config)).grade(TEXT, Answer("Ahoy"), judge).passed
    asked = counter.chat
    good.grade(TEXT, Answer("Ahoy"), judge)                          # the judge's answer is cached too
    assert counter.chat == asked
