"""The two content-quality rules users asked for (issue 9): unfilled placeholders and looping replies.

Code and JSON contain braces and repeat themselves legitimately: the rules must not flag them.
Every shared dataset is scanned: the only hits are the two real ones its README documents.
"""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import dataset_files
from tunescope.checks.example.quality.placeholders import find_placeholders
from tunescope.checks.example.quality.repetition import _back_to_back, _may_loop, _same_sentence, repeated_phrase
from tunescope.dataset.records import part_text


@pytest.mark.parametrize("text, found", [
    ("Hello {{ customer_name }}, your order shipped.", ["{{ customer_name }}"]),
    ("Write a haiku about {topic}.", ["{topic}"]),
    ("Dear <CUSTOMER_NAME>, thanks!", ["<CUSTOMER_NAME>"]),
    ("Best regards,\n[Your Name]", ["[Your Name]"]),
    ("It happened on [insert date and time] in town.", ["[insert date and time]"]),
])
def test_placeholders_are_found(text, found):
    assert find_placeholders(text) == found


@pytest.mark.parametrize("text", [
    '{"name": "Ada", "tags": {"a": 1}}',
    "Use `{name}` in the template, or ```\nprint(f'{name}')\n```",
    r"The fraction \frac{a}{b} and the set \{x\}",
    "In JavaScript write `${name}` or ${name} inside backticks.",
    'Python: print(f"{total} items")',
    "def greet(name):\n    return {name: 1}\n",
    "<b>bold</b><BR> and <EOS> tokens, List<T> generics",
    "function f() { return {a}; } const x = {b}; let y = {c};",
    "Regex a{3} and {1,2} quantifiers",
])
def test_code_json_and_markup_are_not_placeholders(text):
    assert find_placeholders(text) == []


@pytest.mark.parametrize("text", [
    "I'm sorry. " * 6,
    "The answer is 4. The answer is 4. The answer is 4. The answer is 4. Done.",
    "no " * 13,
    "Eat a banana!" * 40,
    "哈" * 40,
])
def test_looping_replies_are_found(text):
    assert repeated_phrase(text) is not None


@pytest.mark.parametrize("text", [
    "Very, very good. It was really, really nice, and we'll go again soon.",
    "| a | b |\n| --- | --- |\n" + "| 1 | 2 |\n" * 20,
    "```python\n" + "print('x')\n" * 30 + "```\nThat prints x thirty times.",
    "Step 1: open the file. Step 2: read the file. Step 3: close the file. Step 4: check the file.",
    "0, " * 50,
])
def test_ordinary_replies_do_not_loop(text):
    assert repeated_phrase(text) is None


def _texts(obj):
    for key in ("messages",):
        for m in obj.get(key) or []:
            if isinstance(m, dict):
                yield m.get("role"), part_text(m.get("content"))
    inp = obj.get("input")
    if isinstance(inp, dict):
        for m in inp.get("messages") or []:
            if isinstance(m, dict):
                yield m.get("role"), part_text(m.get("content"))
    for key in ("preferred_output", "non_preferred_output"):
        for m in obj.get(key) or []:
            if isinstance(m, dict):
                yield "assistant", part_text(m.get("content"))


def test_the_shared_datasets_hold_exactly_the_real_cases(datasets_dir):
    """Every hit in the shared datasets is a real one (read by hand): nothing else is flagged."""
    placeholders, loops = set(), set()
    for path in dataset_files():
        for n, line in enumerate(path.read_bytes().splitlines(), 1):
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(obj, dict):
                continue
            for role, text in _texts(obj):
                if not isinstance(text, str) or role == "tool":
                    continue
                placeholders.update((path.name, p) for p in find_placeholders(text))
                if role == "assistant" and repeated_phrase(text):
                    loops.add((path.name, n))
    assert loops == {("cookbook_toy_chat.jsonl", 5)}                   # "Eat a banana!" x1,538 (its README)
    assert placeholders == {
        ("foundry_dpo_orca_valid.jsonl", "[insert date and time]"),    # a generated news story never filled in
        # LLaMA-Factory's identity data: {{name}}/{{author}} are meant to be replaced before training
        ("llamafactory_nearmiss_sft.jsonl", "{{name}}"), ("llamafactory_nearmiss_sft.jsonl", "{{author}}"),
        ("llamafactory_nearmiss_sft.jsonl", "[Your Name]"), ("llamafactory_nearmiss_sft.jsonl", "[insert date]"),
        ("llamafactory_nearmiss_sft.jsonl", "[insert time]"), ("llamafactory_nearmiss_sft.jsonl", "[insert name]"),
        ("llamafactory_nearmiss_sft.jsonl", "[insert email, phone number, etc]"),
    }


_LOOP_WORDS = ["i", "am", "sorry.", "the", "cat", "sat", "ok", "very", "no!", "yes?"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_LOOP_WORDS), max_size=30), st.lists(st.sampled_from(_LOOP_WORDS), min_size=1,
       max_size=9), st.integers(1, 14), st.integers(0, 30))
def test_the_loop_prefilter_never_hides_a_loop(prose, phrase, repeats, at):
    """_may_loop rules a reply out before the eight comparison passes: it must never rule out one
    _back_to_back finds (phrases of 1-9 words, so runs just over and under the limits)."""
    words = prose[:at] + phrase * repeats + prose[at:]
    if _back_to_back(words) is not None:
        assert _may_loop(words)


def test_the_loop_prefilter_rules_out_ordinary_prose():
    words = ("the cat sat on the mat and the dog lay by the door while the rain fell on the roof of "
             "the old house near the river").split() * 3
    assert not _may_loop(words)
    assert _may_loop(words + ["no", "no"] * 6)


def test_a_reply_with_few_sentence_ends_is_not_split():
    assert _same_sentence("Sorry. Sorry. Sorry") is None                  # two ends: at most three parts
    assert _same_sentence("i am sorry. i am sorry. i am sorry. i am sorry.") == ("i am sorry.", 4)
    assert _same_sentence("i am sorry\ni am sorry\ni am sorry\ni am sorry") == ("i am sorry", 4)
