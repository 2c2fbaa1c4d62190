"""QA: the example count in the header, the size findings and the format agree with each other."""

import json

from tests.factories import write_jsonl
from tunescope.checks.run.runner import check_path, options_for_model


def chat(i, assistant=True):
    msgs = [{"role": "system", "content": "S"}, {"role": "user", "content": f"q{i}"}]
    return json.dumps({"messages": msgs + ([{"role": "assistant", "content": f"a{i}"}] if assistant else [])})


def check(tmp_path, lines):
    p = write_jsonl(tmp_path, lines)
    return check_path(p, options_for_model(), use_cache=False)


def messages(report, check_id):
    return [f.message for f in report.findings if f.check == check_id]


def test_invalid_lines_are_not_counted_as_examples(tmp_path):
    r = check(tmp_path, [chat(i) for i in range(8)] + ["{not json", '{"a": NaN}', "[1, 2]"])
    assert r.examples == 8
    (msg,) = messages(r, "too_few_examples")
    assert "has 8 example(s)" in msg and "3 more line(s)" in msg      # said "has 11 example(s)"
    r = check(tmp_path, [chat(i) for i in range(12)] + ["{not json"])
    assert r.examples == 12 and "has 12 examples" in messages(r, "few_examples")[0]


def test_file_of_blank_lines_says_it_has_no_examples(tmp_path):
    r = check(tmp_path, ["", "   ", "\t", ""])
    assert r.examples == 0
    (msg,) = messages(r, "too_few_examples")                          # was missing entirely
    assert "has 0 example(s)" in msg


def test_a_missing_assistant_reply_does_not_make_the_file_mixed(tmp_path):
    r = check(tmp_path, [chat(i) for i in range(10)] + [chat(10, assistant=False)])
    assert messages(r, "missing_assistant_message")        # read as supervised, and said so
    assert r.format == "chat"                              # was "mixed" (raw kinds: 10 chat, 1 reinforcement)
    assert not messages(r, "mixed_formats")
