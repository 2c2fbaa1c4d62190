"""to_jsonl (streaming raw_decode) and the seeded train/validation split."""

from __future__ import annotations

import json
import shutil

import orjson
import pytest

from tunescope.editing.session import EditSession
from tunescope.editing.fixes.plan import FixError
from tunescope.editing.fixes.jsonl import convert_to_jsonl, iter_json_values
from tunescope.editing.fixes.split import choose_validation, split_dataset, split_paths

PRETTY = "medical_pretty_printed_crlf.jsonl"


def whole_document_values(text: str) -> list:
    """Reference: decode the whole text at once with the stdlib."""
    dec, pos, out = json.JSONDecoder(), 0, []
    text = text.strip()
    if text.startswith("["):
        return json.loads(text)
    while pos < len(text):
        value, pos = dec.raw_decode(text, pos)
        out.append(value)
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
    return out


def test_to_jsonl_on_the_pretty_printed_crlf_file(datasets_dir, tmp_path):
    src = datasets_dir / PRETTY
    path = tmp_path / PRETTY
    shutil.copyfile(src, path)
    s = EditSession.open(path)
    assert len(s) == 400
    report = s.apply_fix("to_jsonl")
    expected = whole_document_values(src.read_text(encoding="utf-8"))
    assert len(expected) == 25 and len(s) == 25 and report.count("inserted") == 25
    assert [orjson.loads(row) for row in s.iter_rows()] == expected
    assert [c.line for c in report.changes][:3] == [1, 17, 33]
    s.save()
    out = path.read_bytes()
    assert out.count(b"\r\n") == 25 and out.count(b"\n") == 25  # the file's own CRLF
    assert s.undo() and len(s) == 400
    s.save()
    assert path.read_bytes() == src.read_bytes()


def test_iter_json_values_any_chunking_and_arrays():
    values = [{"a": i, "s": "x\n" * i, "n": [1.5, None, True]} for i in range(40)] + [12345678901234567890]
    text = "[\n" + ",\n".join(json.dumps(v, indent=2) for v in values) + "\n]\n"
    for size in (1, 3, 7, 64, 10_000):
        got = list(iter_json_values(text[i:i + size] for i in range(0, len(text), size)))
        assert [v for _, v in got] == values
    lines = [line for line, _ in iter_json_values([text])]
    assert lines[0] == 2 and lines[1] == lines[0] + json.dumps(values[0], indent=2).count("\n") + 1


def test_iter_json_values_reports_position_of_bad_json():
    text = '{"a": 1}\n{"b": 2,\n  "c": oops}\n'
    with pytest.raises(FixError, match="line 3"):
        list(iter_json_values([text]))


def test_to_jsonl_leaves_jsonl_alone(datasets_dir, tmp_path):
    s = EditSession.open(datasets_dir / "pirate_chat.jsonl")
    report = s.preview_fix("to_jsonl")
    assert report.changes == [] and "already" in report.notes[0]


def test_convert_to_jsonl_streams_an_array_file(tmp_path):
    values = [{"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": "a"}]}
              for i in range(3000)]
    src = tmp_path / "array.json"
    src.write_text(json.dumps(values, indent=1), encoding="utf-8")
    dst = tmp_path / "out.jsonl"
    assert convert_to_jsonl(str(src), str(dst)) == 3000
    assert [json.loads(x) for x in dst.read_bytes().splitlines()] == values
    bad = tmp_path / "bad.json"
    bad.write_text('[{"a": 1}, {"a": ]', encoding="utf-8")
    with pytest.raises(FixError, match="line 1"):
        convert_to_jsonl(str(bad), str(dst))
    assert len(dst.read_bytes().splitlines()) == 3000  # the failed conversion left dst alone


def test_split_is_seeded_reproducible_and_complete(datasets_dir, tmp_path):
    s = EditSession.open(datasets_dir / "vi_en_chat_compact.jsonl")
    rows = list(s.iter_rows())
    train, valid = split_paths(str(tmp_path / "vi.jsonl"))
    assert train.endswith("vi_train.jsonl") and valid.endswith("vi_valid.jsonl")
    res = split_dataset(s, 0.9, 7, train, valid)
    assert (res.n_train, res.n_valid) == (len(rows) - round(len(rows) * 0.1), round(len(rows) * 0.1))
    t = open(train, "rb").read().splitlines()
    v = open(valid, "rb").read().splitlines()
    assert sorted(t + v) == sorted(rows) and len(t) + len(v) == len(rows)
    order = {r: i for i, r in enumerate(rows)}
    assert [order[x] for x in t] == sorted(order[x] for x in t)  # original order kept
    again = tmp_path / "again"
    again.mkdir()
    t2, v2 = split_paths(str(again / "vi.jsonl"))
    split_dataset(s, 0.9, 7, t2, v2)
    assert open(t2, "rb").read() == open(train, "rb").read() and open(v2, "rb").read() == open(valid, "rb").read()
    assert choose_validation(len(rows), 0.9, 8) != choose_validation(len(rows), 0.9, 7)
    assert not s.dirty  # splitting does not change the session


def test_split_keeps_line_bytes_and_skips_blank_rows(tmp_path):
    p = tmp_path / "d.jsonl"
    lines = [b'{"i":%d}' % i for i in range(10)]
    p.write_bytes(b"\r\n".join(lines[:5] + [b""] + lines[5:]) + b"\r\n")
    s = EditSession.open(p)
    s.replace(0, b'{"i":"zero"}')
    res = split_dataset(s, 0.8, 1, str(tmp_path / "t.jsonl"), str(tmp_path / "v.jsonl"))
    assert (res.n_train, res.n_valid, res.skipped_blank) == (8, 2, 1)
    both = (tmp_path / "t.jsonl").read_bytes() + (tmp_path / "v.jsonl").read_bytes()
    assert both.count(b"\r\n") == 10 and b'{"i":"zero"}\r\n' in both


def test_split_refusals(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'{"a":1}\n{"a":2}\n')
    s = EditSession.open(p)
    with pytest.raises(FixError, match="between 0 and 1"):
        split_dataset(s, 1.5, 0, str(tmp_path / "t"), str(tmp_path / "v"))
    with pytest.raises(FixError, match="overwrite the dataset"):
        split_dataset(s, 0.5, 0, str(p), str(tmp_path / "v"))
    with pytest.raises(FixError, match="cannot split 1"):
        choose_validation(1, 0.5, 0)
