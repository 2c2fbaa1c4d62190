"""The loss-mask preview of `tunescope check --tokenizer`: it shows render_example's mask, and its flags fire."""

from __future__ import annotations

import json
import re

import pytest

from tunescope import cli
from tunescope.train.mask_preview import TokenizerUnavailable, load_tokenizer, preview_example
from tunescope.train.render import render_example
from tests.train.conftest import CHAT_TEMPLATE

PIRATE_ROW = {"messages": [
    {"role": "system", "content": "You are a helpful pirate assistant."},
    {"role": "user", "content": "What is the capital of France?"},
    {"role": "assistant", "content": "Paris, matey.", "weight": 0},
    {"role": "user", "content": "How do I make a cake?"},
    {"role": "assistant", "content": "Yarrr! Here be a recipe."},
]}
TOOL_ROW = {"tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}],
            "messages": [{"role": "user", "content": "Weather in Paris?"},
                         {"role": "assistant", "content": None, "tool_calls": [
                             {"id": "c1", "type": "function",
                              "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
                         {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
                         {"role": "assistant", "content": "Sunny, matey."}]}
UNTRAINED_ROW = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Ahoy", "weight": 0}]}
LONG_ROW = {"messages": [{"role": "user", "content": "Is Xbox better than PlayStation? " * 5},
                         {"role": "assistant", "content": "Ahoy matey " * 20}]}


def write_rows(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def toolless_tokenizer_dir(tiny_tokenizer, tmp_path_factory):
    """The tiny tokenizer with a template that skips `tool` messages and tool definitions, as some templates do."""
    tokenizer = load_tokenizer(str(tiny_tokenizer.name_or_path))
    tokenizer.chat_template = CHAT_TEMPLATE.replace(
        "{% for m in messages %}", "{% for m in messages if m['role'] != 'tool' %}").replace(
        "{% if tools %}", "{% if false %}")
    path = tmp_path_factory.mktemp("toolless")
    tokenizer.save_pretrained(path)
    return path


def test_preview_mask_is_render_examples_mask_and_tokens_add_up(tiny_tokenizer):
    preview = preview_example(tiny_tokenizer, PIRATE_ROW, 512)
    rendered = render_example(tiny_tokenizer, PIRATE_ROW, 512)
    assert preview.rendered.mask == rendered.mask and preview.rendered.input_ids == rendered.input_ids
    assert [m.role for m in preview.messages] == ["system", "user", "assistant", "user", "assistant"]
    assert sum(m.tokens for m in preview.messages) == rendered.full_length
    assert [m.trained > 0 for m in preview.messages] == [False, False, False, False, True]   # weight 0 untrained
    assert sum(m.trained for m in preview.messages) == rendered.trained_tokens
    assert preview.findings == []
    trained_text = "".join(text for text, trained, _ in preview.pieces() if trained)
    assert trained_text == tiny_tokenizer.decode([t for t, m in zip(rendered.input_ids, rendered.mask) if m])


def test_show_mask_marks_exactly_the_trained_tokens(tiny_model, tiny_tokenizer, tmp_path, capsys):
    data = write_rows(tmp_path / "d.jsonl", [UNTRAINED_ROW, PIRATE_ROW])
    assert cli.main(["check", str(data), "--tokenizer", str(tiny_model), "--show-mask", "2"]) == 0
    out = capsys.readouterr().out
    rendered = render_example(tiny_tokenizer, PIRATE_ROW, 2048)
    marked = "".join(re.findall("\u27e6(.*?)\u27e7", out, flags=re.S))
    assert marked == "Yarrr! Here be a recipe.<|im_end|>\n"
    assert f"{rendered.full_length} tokens, {rendered.trained_tokens} trained" in out
    assert re.search(r"message 5\s+assistant\s+\d+ tokens\s+[1-9]\d* trained", out)

    assert cli.main(["check", str(data), "--tokenizer", str(tiny_model), "--show-mask", "2", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["mask"] == rendered.mask and shown["input_ids"] == rendered.input_ids and not shown["truncated"]


def test_show_mask_shows_where_truncation_cuts(tiny_model, tiny_tokenizer, tmp_path, capsys):
    data = write_rows(tmp_path / "d.jsonl", [LONG_ROW])
    assert cli.main(["check", str(data), "--tokenizer", str(tiny_model), "--show-mask", "1",
                     "--max-length", "40", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    rendered = render_example(tiny_tokenizer, LONG_ROW, 40)
    assert shown["truncated"] and shown["mask"] == rendered.mask and len(shown["mask"]) == 40
    offsets = tiny_tokenizer(rendered.text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    assert shown["cut_at_char"] == offsets[40][0]
    # the user's long question fills the 40 tokens: the reply is cut away whole, so nothing is trained
    assert [f["check"] for f in shown["findings"]] == ["over_max_length", "mask_empty"]
    cli.main(["check", str(data), "--tokenizer", str(tiny_model), "--show-mask", "1", "--max-length", "40"])
    out = capsys.readouterr().out
    before_cut = out.split("\u2702")[0].replace("\u27e6", "").replace("\u27e7", "")
    assert before_cut == rendered.text[: offsets[40][0]]


def test_check_with_tokenizer_counts_and_flags_crafted_examples(toolless_tokenizer_dir, tiny_model, tmp_path,
                                                                capsys):
    data = write_rows(tmp_path / "d.jsonl", [PIRATE_ROW, UNTRAINED_ROW, LONG_ROW, TOOL_ROW])
    code = cli.main(["check", str(data), "--tokenizer", str(toolless_tokenizer_dir), "--max-length", "140",
                     "--format", "json", "--no-cache"])
    report = json.loads(capsys.readouterr().out)
    scan = report["tokenizer"]
    assert code == 1 and "too_few_examples" in json.dumps(report["findings"])   # the usual findings stay
    assert scan["examples"] == 4 and scan["total_tokens"] > scan["trained_tokens"] > 0
    found = sorted((f["line"], f["check"], f["path"]) for f in scan["findings"])
    assert found == [(2, "mask_empty", "$"), (3, "over_max_length", "$"),
                     (4, "template_drops_content", "$.messages[2].content"),
                     (4, "template_drops_content", "$.tools")]
    # the same file under the full template: tools and tool messages render, nothing is dropped
    cli.main(["check", str(data), "--tokenizer", str(tiny_model), "--max-length", "140", "--no-cache"])
    out = capsys.readouterr().out
    assert "Under tokenizer" in out and "mask_empty: 1 example(s)" in out and "template_drops_content" not in out


def test_a_template_that_raises_is_an_error_finding_not_a_traceback(tiny_tokenizer, tmp_path, capsys):
    tokenizer = load_tokenizer(str(tiny_tokenizer.name_or_path))
    tokenizer.chat_template = ("{% for m in messages %}{% if m['role'] == 'tool' %}{{ raise_exception('no tool role') }}"
                               "{% endif %}{{ m['content'] }}{% endfor %}")
    tokenizer.save_pretrained(tmp_path / "raising")
    data = write_rows(tmp_path / "d.jsonl", [PIRATE_ROW, TOOL_ROW])
    code = cli.main(["check", str(data), "--tokenizer", str(tmp_path / "raising"), "--format", "json", "--no-cache"])
    scan = json.loads(capsys.readouterr().out)["tokenizer"]
    assert code == 1 and [(f["line"], f["check"]) for f in scan["findings"]] == [(2, "template_fails")]
    assert "no tool role" in scan["findings"][0]["message"]
    assert cli.main(["check", str(data), "--tokenizer", str(tmp_path / "raising"), "--show-mask", "2"]) == 2
    assert "no tool role" in capsys.readouterr().err


def test_every_tokenizer_check_fires_in_these_tests():
    from tunescope.checks import CHECKS

    source = open(__file__, encoding="utf-8").read()
    assert {cid for cid, c in CHECKS.items() if c.area == "tokenizer"} == {
        "mask_empty", "template_drops_content", "over_max_length", "template_fails"}
    assert all(f'"{cid}"' in source for cid in ("mask_empty", "template_drops_content", "over_max_length",
                                                  "template_fails"))


def test_unavailable_tokenizer_says_why_and_what_to_do(tmp_path, capsys, monkeypatch):
    data = write_rows(tmp_path / "d.jsonl", [PIRATE_ROW])
    assert cli.main(["check", str(data), "--tokenizer", "no-such-org/no-such-model", "--show-mask", "1"]) == 2
    err = capsys.readouterr().err
    assert "no-such-org/no-such-model" in err and "local cache" in err and "Traceback" not in err
    assert cli.main(["check", str(data), "--show-mask", "1"]) == 2
    assert "--show-mask needs --tokenizer" in capsys.readouterr().err
    assert cli.main(["check", str(data), "--tokenizer", str(tmp_path), "--target", "hf"]) == 2
    assert "one at a time" in capsys.readouterr().err
    monkeypatch.setitem(__import__("sys").modules, "transformers", None)
    with pytest.raises(TokenizerUnavailable, match=r"tunescope\[train\]"):
        load_tokenizer(str(tmp_path))
