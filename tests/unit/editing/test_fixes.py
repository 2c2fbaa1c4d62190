"""Bulk fixes on real datasets and hand-made edge cases: reports, results, one undo step."""

from __future__ import annotations

import json
import shutil

import orjson
import pytest

from tests.factories import write_jsonl
from tunescope.checks.model import RecordKind
from tunescope.dataset.formats import detect
from tunescope.editing.fixes.plan import FixError
from tunescope.editing.session import EditSession


def open_copy(datasets_dir, name, tmp_path):
    dst = tmp_path / name
    shutil.copyfile(datasets_dir / name, dst)
    return EditSession.open(dst)


def make(tmp_path, lines: list[bytes], name="d.jsonl", eol=b"\n"):
    return EditSession.open(write_jsonl(tmp_path, lines, name, eol=eol))


def current_bytes(session, tmp_path, name="snap.jsonl"):
    out = tmp_path / name
    session.save(out, switch=False)
    return out.read_bytes()


def all_rows(session):
    return list(session.iter_rows())


def test_dedupe_matches_an_independent_canonical_comparison(datasets_dir, tmp_path):
    s = open_copy(datasets_dir, "llamafactory_nearmiss_sft.jsonl", tmp_path)
    seen, expected = {}, []
    for n, line in enumerate((datasets_dir / "llamafactory_nearmiss_sft.jsonl").read_bytes().splitlines()):
        key = json.dumps(json.loads(line), sort_keys=True)
        if key in seen:
            expected.append((n + 1, seen[key] + 1))
        else:
            seen[key] = n
    assert expected  # the README promises one exact duplicate
    before = current_bytes(s, tmp_path)
    preview = s.preview_fix("dedupe")
    assert s.version == 0 and not s.dirty
    assert [(c.line, c.action) for c in preview.changes] == [(line, "deleted") for line, _ in expected]
    assert preview.changes[0].reason == f"duplicate of line {expected[0][1]}"
    report = s.apply_fix("dedupe")
    assert report.changes == preview.changes and len(s) == 500 - len(expected)
    assert s.undo() == report.description and current_bytes(s, tmp_path) == before


def test_dedupe_ignores_key_order_and_spacing_but_not_values(tmp_path):
    s = make(tmp_path, [b'{"a":1,"b":[1,2]}', b'{"b": [1, 2], "a": 1}', b'{"a":1.0,"b":[1,2]}',
                        b"not json", b"not json", b'{"a":1,"b":[1,2]}'])
    report = s.apply_fix("dedupe")
    assert [(c.row, c.reason) for c in report.changes] == [(1, "duplicate of line 1"), (5, "duplicate of line 1")]
    assert all_rows(s) == [b'{"a":1,"b":[1,2]}', b'{"a":1.0,"b":[1,2]}', b"not json", b"not json"]


def test_drop_invalid_removes_each_unusable_kind(tmp_path):
    chat = b'{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]}'
    lines = [chat, b"", b"{broken", b"[1,2]", b'{"foo":1,"bar":2}', b'{"instruction":"a","output":"b"}',
             b'{"prompt":"p","completion":"c"}', b"\xff\xfe"]
    s = make(tmp_path, lines)
    report = s.preview_fix("drop_invalid")
    assert [c.row for c in report.changes] == [1, 2, 3, 4, 5, 7]
    assert report.changes[1].reason.startswith("not valid JSON (")
    assert report.changes[2].reason == "a JSON list, not an object"
    narrow = s.preview_fix("drop_invalid", kinds=["invalid"])
    assert [c.row for c in narrow.changes] == [2, 3, 7]
    s.apply_fix("drop_invalid")
    assert all_rows(s) == [chat, b'{"prompt":"p","completion":"c"}']


def test_strip_whitespace_leaves_legacy_rows(tmp_path):
    chat = {"messages": [{"role": "user", "content": [{"type": "text", "text": " hi "}]},
                         {"role": "assistant", "content": "\n yo \n"}]}
    legacy = b'{"prompt":"q ->","completion":" a\\n"}'
    s = make(tmp_path, [orjson.dumps(chat), legacy])
    report = s.apply_fix("strip_whitespace")
    assert [c.row for c in report.changes] == [0]
    msgs = orjson.loads(s.get(0))["messages"]
    assert msgs[0]["content"][0]["text"] == "hi" and msgs[1]["content"] == "yo"
    assert s.get(1) == legacy


def test_rename_near_miss_llamafactory_sft_becomes_chat(datasets_dir, tmp_path):
    s = open_copy(datasets_dir, "llamafactory_nearmiss_sft.jsonl", tmp_path)
    original = [orjson.loads(x) for x in all_rows(s)]
    report = s.apply_fix("rename_near_miss")
    assert report.count("changed") == len(s) == 500
    for before, data in zip(original, all_rows(s)):
        obj = orjson.loads(data)
        assert detect(obj)[0] == RecordKind.CHAT
        for m_before, m in zip(before["messages"], obj["messages"]):
            texts = [p["text"] for p in m["content"]]
            assert texts == [p["value"] for p in m_before["content"]]
            if m["role"] == "assistant":
                assert m.get("weight") == int(m_before["loss_weight"])
            else:
                assert "weight" not in m and "loss_weight" not in m


def test_rename_near_miss_llamafactory_dpo_becomes_preference(datasets_dir, tmp_path):
    s = open_copy(datasets_dir, "llamafactory_nearmiss_dpo.jsonl", tmp_path)
    original = [orjson.loads(x) for x in all_rows(s)]
    s.apply_fix("rename_near_miss")
    for before, data in zip(original, all_rows(s)):
        obj = orjson.loads(data)
        assert detect(obj)[0] == RecordKind.PREFERENCE
        assert len(obj["input"]["messages"]) == len(before["chosen_messages"]) - 1
        chosen = before["chosen_messages"][-1]["content"][0]["value"]
        rejected = before["rejected_messages"][-1]["content"][0]["value"]
        assert obj["preferred_output"][0]["content"][0]["text"] == chosen
        assert obj["non_preferred_output"][0]["content"][0]["text"] == rejected
        assert obj["preferred_output"][0]["role"] == "assistant"


def test_rename_legacy_and_chosen_rejected_shapes(tmp_path):
    legacy = {"input": {"messages": [{"role": "user", "content": "q"}]},
              "preferred_completion": "good", "non_preferred_completion": [{"role": "assistant", "content": "bad"}]}
    trl = {"prompt": "q", "chosen": "good", "rejected": "bad"}
    ambiguous = {"chosen": "Human: q Assistant: good", "rejected": "Human: q Assistant: bad"}
    s = make(tmp_path, [orjson.dumps(legacy), orjson.dumps(trl), orjson.dumps(ambiguous)])
    report = s.apply_fix("rename_near_miss")
    assert [c.row for c in report.changes] == [0, 1]
    assert any("row 3" in n and "without a prompt" in n for n in report.notes)
    first = orjson.loads(s.get(0))
    assert list(first) == ["input", "preferred_output", "non_preferred_output"]
    assert first["preferred_output"] == [{"role": "assistant", "content": "good"}]
    assert orjson.loads(s.get(1)) == {"input": {"messages": [{"role": "user", "content": "q"}]},
                                      "preferred_output": [{"role": "assistant", "content": "good"}],
                                      "non_preferred_output": [{"role": "assistant", "content": "bad"}]}
    assert orjson.loads(s.get(2)) == ambiguous


def test_drop_extra_keys_only_in_supervised_rows(datasets_dir, tmp_path):
    s = open_copy(datasets_dir, "debian_admin_extra_keys.jsonl", tmp_path)
    original = [orjson.loads(x) for x in all_rows(s)]
    report = s.apply_fix("drop_extra_keys")
    assert report.count("changed") == 640
    for before, data in zip(original, all_rows(s)):
        obj = orjson.loads(data)
        assert set(obj) <= {"messages", "tools", "parallel_tool_calls", "functions"}
        assert obj["messages"] == before["messages"]
    rft = open_copy(datasets_dir, "foundry_rft_toolcall_valid.jsonl", tmp_path)
    assert rft.preview_fix("drop_extra_keys").changes == []  # grader keys are part of RFT data


def test_to_chat_removes_shared_separator_and_adds_system(datasets_dir, tmp_path):
    s = open_copy(datasets_dir, "thai_legacy_prompt_completion.jsonl", tmp_path)
    original = [orjson.loads(x) for x in all_rows(s)]
    report = s.apply_fix("to_chat", system="You answer questions about CMSK.")
    assert report.count("changed") == 9 and any("' ->'" in n for n in report.notes)
    for before, data in zip(original, all_rows(s)):
        msgs = orjson.loads(data)["messages"]
        assert [m["role"] for m in msgs] == ["system", "user", "assistant"]
        assert msgs[1]["content"] == before["prompt"][: -len(" ->")].strip()
        assert msgs[2]["content"] == before["completion"].strip()
    with pytest.raises(FixError, match="system prompt is empty"):
        s.preview_fix("to_chat", system="  ")


def test_to_chat_keeps_crlf_line_endings(datasets_dir, tmp_path):
    s = open_copy(datasets_dir, "azure_prompt_completion_crlf.jsonl", tmp_path)
    s.apply_fix("to_chat")
    s.save()
    data = (tmp_path / "azure_prompt_completion_crlf.jsonl").read_bytes()
    assert data.count(b"\r\n") == 10 and data.count(b"\n") == 10
    assert all(b'"messages"' in line for line in data.splitlines())


def _chat(turns: list[tuple[str, str]]) -> bytes:
    return orjson.dumps({"messages": [{"role": r, "content": c} for r, c in turns]})


def test_over_limit_drop_and_truncate_with_real_token_counts(tmp_path):
    from tunescope.tokens.count import TokenCounter
    counter = TokenCounter("o200k_base")
    long_reply = "word " * 3000
    fits = _chat([("user", "hi"), ("assistant", "hello")])
    cut = _chat([("system", "s"), ("user", "q1"), ("assistant", "a1"), ("user", "q2"), ("assistant", long_reply)])
    hopeless = _chat([("user", "q"), ("assistant", long_reply)])
    pref = orjson.dumps({"input": {"messages": [{"role": "user", "content": "q"}]},
                         "preferred_output": [{"role": "assistant", "content": long_reply}],
                         "non_preferred_output": [{"role": "assistant", "content": "no"}]})
    s = make(tmp_path, [fits, cut, hopeless, pref])
    limit = 1000
    drop = s.preview_fix("drop_over_limit", counter=counter, limit=limit)
    assert [(c.row, c.action) for c in drop.changes] == [(1, "deleted"), (2, "deleted"), (3, "deleted")]
    report = s.apply_fix("truncate_over_limit", counter=counter, limit=limit)
    assert [(c.row, c.action) for c in report.changes] == [(1, "changed"), (2, "deleted"), (3, "deleted")]
    assert "dropped the last 2 message(s)" in report.changes[0].reason
    obj = orjson.loads(s.get(1))
    assert [m["content"] for m in obj["messages"]] == ["s", "q1", "a1"]
    assert counter.count_record(obj, RecordKind.CHAT).total <= limit
    assert all_rows(s) == [fits, s.get(1)] and len(s) == 2


def test_unknown_fix_and_bad_parameters_are_refused(tmp_path):
    s = make(tmp_path, [b'{"a":1}'])
    with pytest.raises(FixError, match="unknown fix"):
        s.apply_fix("sparkle")
    with pytest.raises(FixError, match="unexpected keyword"):
        s.apply_fix("dedupe", colour="red")
    assert s.version == 0


def test_bulk_fixes_are_single_undo_steps_restoring_exact_bytes(datasets_dir, tmp_path):
    s = open_copy(datasets_dir, "llamafactory_nearmiss_sft.jsonl", tmp_path)
    states = [current_bytes(s, tmp_path)]
    s.replace(0, b'{"hand":"edit"}')
    states.append(current_bytes(s, tmp_path))
    for name in ("rename_near_miss", "dedupe", "strip_whitespace", "drop_invalid"):
        report = s.apply_fix(name)
        if report.changes:
            states.append(current_bytes(s, tmp_path))
    assert len(states) >= 4
    for expected in reversed(states[:-1]):
        s.undo()
        assert current_bytes(s, tmp_path) == expected
    assert not s.can_undo
    for expected in states[1:]:
        s.redo()
        assert current_bytes(s, tmp_path) == expected


def test_bulk_fix_memory_is_proportional_to_the_edited_bytes(tmp_path):
    """100k rows rewritten by a fix: a few hundred bytes each, not orjson's 4 KB buffers."""
    import subprocess
    import sys
    p = tmp_path / "big.jsonl"
    p.write_bytes(b"".join(b'{"messages":[{"role":"user","content":" q%d "},{"role":"assistant","content":"a"}]}\n'
                           % i for i in range(100_000)))
    code = (
        "import sys, psutil\n"
        "from tunescope.editing.session import EditSession\n"
        "s = EditSession.open(sys.argv[1])\n"
        "before = psutil.Process().memory_info().rss\n"
        "report = s.apply_fix('strip_whitespace')\n"
        "assert report.count('changed') == 100_000\n"
        "print((psutil.Process().memory_info().rss - before) // 2**20)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) < 120, f"{out.stdout.strip()} MB for 100k edited rows"
