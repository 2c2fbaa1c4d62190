"""The loss mask built by prefix rendering, against hand-computed masks, and truncation."""

from __future__ import annotations

import pytest

from tunescope.train.render import render_example, template_messages


def tokens_of(tokenizer, text):
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def test_weight_zero_message_gets_no_loss(tiny_tokenizer):
    example = {"messages": [
        {"role": "system", "content": "You are a helpful pirate assistant."},
        {"role": "user", "content": "What is the capital of France?"},
        {"role": "assistant", "content": "Paris, matey.", "weight": 0},
        {"role": "user", "content": "How do I make a cake?"},
        {"role": "assistant", "content": "Yarrr! Here be a recipe."},
    ]}
    rendered = render_example(tiny_tokenizer, example, 512)
    # hand-computed: the prompt up to the last reply is not trained, the reply and its end of turn are
    head = ("<|im_start|>system\nYou are a helpful pirate assistant.<|im_end|>\n<|im_start|>user\nWhat is the capital "
            "of France?<|im_end|>\n<|im_start|>assistant\nParis, matey.<|im_end|>\n<|im_start|>user\nHow do I make a "
            "cake?<|im_end|>\n<|im_start|>assistant\n")
    reply = "Yarrr! Here be a recipe.<|im_end|>\n"
    assert rendered.text == head + reply
    expected = [0] * len(tokens_of(tiny_tokenizer, head)) + [1] * len(tokens_of(tiny_tokenizer, reply))
    assert rendered.input_ids == tokens_of(tiny_tokenizer, head + reply)
    assert rendered.mask == expected
    trained = [t for t, m in zip(rendered.input_ids, rendered.mask) if m]
    assert tiny_tokenizer.decode(trained) == reply


def test_every_assistant_message_is_trained_by_default(tiny_tokenizer):
    example = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Ahoy"},
                            {"role": "user", "content": "Bye"}, {"role": "assistant", "content": "Arrr"}]}
    rendered = render_example(tiny_tokenizer, example, 512)
    trained = tiny_tokenizer.decode([t for t, m in zip(rendered.input_ids, rendered.mask) if m])
    assert trained == "Ahoy<|im_end|>\nArrr<|im_end|>\n"


def test_truncation_keeps_the_start_and_reports_it(tiny_tokenizer):
    example = {"messages": [{"role": "user", "content": "Is Xbox better than PlayStation? " * 5},
                            {"role": "assistant", "content": "Ahoy matey " * 20}]}
    full = render_example(tiny_tokenizer, example, 10_000)
    cut = render_example(tiny_tokenizer, example, 40)
    assert not full.truncated and cut.truncated and cut.full_length == len(full.input_ids) > 40
    assert cut.input_ids == full.input_ids[:40] and cut.mask == full.mask[:40]


def test_tools_and_string_arguments_reach_the_template(tiny_tokenizer):
    example = {"tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}],
               "messages": [{"role": "user", "content": "Weather in Paris?"},
                            {"role": "assistant", "content": None, "tool_calls": [
                                {"id": "c1", "type": "function",
                                 "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
                            {"role": "function", "name": "get_weather", "content": "sunny"},
                            {"role": "assistant", "content": "Sunny, matey."}]}
    rendered = render_example(tiny_tokenizer, example, 512)
    assert "Tools: [{" in rendered.text and "get_weather" in rendered.text
    assert '"arguments": {"city": "Paris"}' in rendered.text  # a dict, not a JSON string
    assert "<|im_start|>tool\nsunny" in rendered.text          # legacy function role as tool
    trained = tiny_tokenizer.decode([t for t, m in zip(rendered.input_ids, rendered.mask) if m])
    assert trained.startswith("<tool_call>") and trained.endswith("Sunny, matey.<|im_end|>\n")
    assert "sunny<|im_end|>" not in trained


def test_template_messages_leave_the_row_untouched():
    row = [{"role": "assistant", "content": None, "weight": 1,
            "tool_calls": [{"function": {"name": "f", "arguments": "{}"}}]}]
    fixed = template_messages(row)
    assert fixed[0]["tool_calls"][0]["function"]["arguments"] == {} and "weight" not in fixed[0]
    assert row[0]["tool_calls"][0]["function"]["arguments"] == "{}" and row[0]["weight"] == 1


@pytest.mark.parametrize("spec", ["tiny", "=x", "tiny=", "ft:a=b"])
def test_bad_base_model_flag_says_what_is_wrong(spec):
    from tunescope.train.settings import parse_base_model

    with pytest.raises(ValueError, match="--base-model"):
        parse_base_model(spec)
