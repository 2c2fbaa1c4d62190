"""Token counts against a direct tiktoken computation on real files, and every odd shape."""

from __future__ import annotations

import base64
import json
import os
import struct
import zlib

import pytest
import tiktoken

from tunescope.tokens import encodings
from tunescope.checks.model import RecordKind
from tunescope.tokens.images import tile_tokens
from tunescope.tokens.count import TokenCounter, estimate_tokens

PLAIN_CHAT_FILES = ["foundry_gsm8k_chat_valid.jsonl", "pirate_chat.jsonl", "vi_en_chat_compact.jsonl",
                    "medical_chat_lf.jsonl", "llamaindex_finetuning_events.jsonl"]


@pytest.fixture(autouse=True)
def fresh_encodings():
    encodings.clear_loaded()
    yield
    encodings.clear_loaded()


def _records(path):
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _plain(record) -> bool:
    keys = set(record) - {"messages"}
    msgs = record.get("messages")
    return not keys and isinstance(msgs, list) and all(
        isinstance(m, dict) and "name" not in m and all(isinstance(v, str) for v in m.values()) for m in msgs)


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
@pytest.mark.parametrize("filename", PLAIN_CHAT_FILES)
def test_plain_chat_equals_cookbook_formula(datasets_dir, filename, encoding):
    enc = tiktoken.get_encoding(encoding)
    counter = TokenCounter(encoding)
    checked = 0
    for record in _records(datasets_dir / filename):
        if not _plain(record):
            continue
        per = [3 + sum(len(enc.encode_ordinary(v)) for v in m.values()) for m in record["messages"]]
        expected_total = sum(per) + 3
        expected_trained = sum(len(enc.encode_ordinary(m["content"])) for m in record["messages"]
                               if m["role"] == "assistant")
        got = counter.count_record(record, RecordKind.CHAT)
        assert (got.total, got.trained, got.per_message) == (expected_total, expected_trained, tuple(per))
        assert not got.estimated and got.tools == 0 and got.images == 0
        checked += 1
    assert checked >= 10


def test_cache_does_not_change_counts_and_hits_repeats(datasets_dir):
    cached, uncached = TokenCounter("o200k_base"), TokenCounter("o200k_base", cache_size=0)
    for record in _records(datasets_dir / "cookbook_drone_tools.jsonl"):
        assert cached.count_record(record, RecordKind.CHAT) == uncached.count_record(record, RecordKind.CHAT)
    # system prompt, role names and tool definitions repeat on every line
    assert cached.hits > cached.misses


def test_cache_is_bounded():
    counter = TokenCounter("o200k_base", cache_size=10)
    for i in range(100):
        counter.count_text(f"distinct string {i} " + "x" * (i * 3))
    assert len(counter._cache) <= 10
    assert counter.count_text("distinct string 5 " + "x" * 15) == len(
        tiktoken.get_encoding("o200k_base").encode_ordinary("distinct string 5 " + "x" * 15))


def _cookbook_tools(functions, enc, consts):
    """The cookbook's num_tokens_for_tools, written out independently (with .get for missing keys)."""
    func_init, prop_init, prop_key, enum_init, enum_item, func_end = consts
    n = 0
    for f in functions:
        function = f["function"] if "function" in f else f
        desc = function.get("description", "")
        desc = desc[:-1] if desc.endswith(".") else desc
        n += func_init + len(enc.encode(function["name"] + ":" + desc))
        props = function.get("parameters", {}).get("properties", {})
        if props:
            n += prop_init
            for key, prop in props.items():
                n += prop_key
                if "enum" in prop:
                    n += enum_init
                    for item in prop["enum"]:
                        n += enum_item + len(enc.encode(str(item)))
                p_desc = prop.get("description", "")
                p_desc = p_desc[:-1] if p_desc.endswith(".") else p_desc
                n += len(enc.encode(f"{key}:{prop.get('type', '')}:{p_desc}"))
    return n + func_end if functions else 0


@pytest.mark.parametrize("encoding,consts", [("o200k_base", (7, 3, 3, -3, 3, 12)), ("cl100k_base", (10, 3, 3, -3, 3, 12))])
def test_tool_definitions_and_calls_on_drone_file(datasets_dir, encoding, consts):
    enc = tiktoken.get_encoding(encoding)
    counter = TokenCounter(encoding)
    for record in _records(datasets_dir / "cookbook_drone_tools.jsonl"):
        got = counter.count_record(record, RecordKind.CHAT)
        tools = _cookbook_tools(record["tools"], enc, consts)
        messages = 0
        for m in record["messages"]:
            messages += 3 + len(enc.encode(m["role"]))
            if isinstance(m.get("content"), str):
                messages += len(enc.encode(m["content"]))
            for call in m.get("tool_calls", []):
                messages += 3 + len(enc.encode(call["function"]["name"])) + len(enc.encode(call["function"]["arguments"]))
        assert got.tools == tools > 300
        assert got.total == messages + tools + 3


def test_tool_formula_by_hand():
    enc = tiktoken.get_encoding("o200k_base")
    n = lambda s: len(enc.encode(s))  # noqa: E731
    tools = [{"type": "function", "function": {
        "name": "get_weather", "description": "Get the weather.",
        "parameters": {"type": "object", "properties": {
            "city": {"type": "string", "description": "City name."},
            "unit": {"type": "string", "enum": ["c", "f"]}}}}}]
    expected = (7 + n("get_weather:Get the weather") + 3 + 3 + n("city:string:City name")
                + 3 - 3 + 3 + n("c") + 3 + n("f") + n("unit:string:") + 12)
    assert TokenCounter("o200k_base").count_tools(tools) == expected


def test_legacy_functions_and_function_call(datasets_dir):
    enc = tiktoken.get_encoding("o200k_base")
    counter = TokenCounter("o200k_base")
    record = next(_records(datasets_dir / "instructor_legacy_functions.jsonl"))
    got = counter.count_record(record, RecordKind.CHAT)
    call = record["messages"][-1]["function_call"]
    call_tokens = 3 + len(enc.encode(call["name"])) + len(enc.encode(call["arguments"]))
    assert got.trained == call_tokens
    assert got.per_message[-1] == 3 + len(enc.encode("assistant")) + call_tokens
    assert got.tools == _cookbook_tools(record["functions"], enc, (7, 3, 3, -3, 3, 12))
    assert got.total == sum(got.per_message) + got.tools + 3


def test_weight_name_none_and_garbage_never_crash():
    enc = tiktoken.get_encoding("o200k_base")
    n = lambda s: len(enc.encode(s))  # noqa: E731
    counter = TokenCounter("o200k_base")
    record = {"messages": [
        {"role": "system", "content": "Be brief.", "name": "boss"},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello there", "weight": 0},
        {"role": "user", "content": None},
        {"role": "assistant", "content": "Bye", "weight": 1},
    ]}
    got = counter.count_record(record, RecordKind.CHAT)
    assert got.per_message[0] == 3 + n("system") + n("Be brief.") + n("boss") + 1
    assert got.per_message[3] == 3 + n("user")
    assert got.trained == n("Bye")          # weight 0 message not trained
    assert got.total == sum(got.per_message) + 3
    odd = [
        {"messages": "not a list"}, {"messages": [1, None, "text", ["x"]]},
        {"messages": [{"role": "assistant", "content": {"weird": "dict"}, "tool_calls": "nope",
                       "function_call": ["x"], "weight": "0"}]},
        {"messages": [{"role": "assistant", "tool_calls": [None, {"function": None}, {"function": {"arguments": {"a": "b"}}}]}]},
        {"messages": [], "tools": [None, {"type": "function", "function": {"parameters": {"properties": {"x": None}}}}]},
    ]
    for rec in odd:
        for kind in RecordKind:
            result = counter.count_record(rec, kind)
            assert result.total >= 0
    assert counter.count_record(None, RecordKind.INVALID).total == 0
    assert counter.count_record(["a"], RecordKind.CHAT).total == 0


def _png(width: int, height: int) -> str:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    data = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return "data:image/png;base64," + base64.b64encode(data + b"\0" * 3000).decode()


def _jpeg(width: int, height: int) -> str:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0" + b"\0" * 9
    sof = b"\xff\xc0" + struct.pack(">HBHH", 11, 8, height, width) + b"\x01\x01\x11\x00"
    return "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8" + app0 + sof + b"\0" * 100).decode()


def test_images_estimated_and_url_not_counted_as_text():
    enc = tiktoken.get_encoding("o200k_base")
    counter = TokenCounter("o200k_base")
    parts = [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": _png(1024, 1024), "detail": "high"}},
        {"type": "image_url", "image_url": {"url": _jpeg(4096, 2048)}},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}},
        {"type": "image_url", "image_url": {"url": "https://example.com/unknown-size.png"}},
    ]
    record = {"messages": [{"role": "user", "content": parts}, {"role": "assistant", "content": "A cat."}]}
    got = counter.count_record(record, RecordKind.CHAT)
    assert tile_tokens(1024, 1024) == 765 and tile_tokens(2048, 4096) == 1105
    assert got.images == 765 + 1105 + 85 + 765
    assert got.per_message[0] == 3 + len(enc.encode("user")) + len(enc.encode("What is this?")) + got.images
    assert got.total == sum(got.per_message) + 3
    audio = {"messages": [{"role": "user", "content": [
        {"type": "input_audio", "input_audio": {"data": "QUJD" * 5000, "format": "wav"}},
        {"type": "text", "value": "near-miss text"}]}]}
    got = counter.count_record(audio, RecordKind.CHAT)
    assert got.total == 3 + len(enc.encode("user")) + len(enc.encode("near-miss text")) + 3


def test_preference_counts_input_and_both_outputs(datasets_dir):
    enc = tiktoken.get_encoding("o200k_base")
    counter = TokenCounter("o200k_base")
    for record in list(_records(datasets_dir / "foundry_dpo_orca_valid.jsonl"))[:50]:
        msg = lambda m: 3 + sum(len(enc.encode_ordinary(v)) for v in m.values())  # noqa: E731
        inp = sum(msg(m) for m in record["input"]["messages"])
        outs = [m for side in ("preferred_output", "non_preferred_output") for m in record[side]]
        got = counter.count_record(record, RecordKind.PREFERENCE)
        assert got.total == inp + sum(msg(m) for m in outs) + 3
        assert got.trained == sum(len(enc.encode_ordinary(m["content"])) for m in outs)
        assert len(got.per_message) == len(record["input"]["messages"]) + len(outs)


def test_reinforcement_counts_messages_and_tools_not_grader_keys(datasets_dir):
    enc = tiktoken.get_encoding("o200k_base")
    counter = TokenCounter("o200k_base")
    for record in _records(datasets_dir / "foundry_rft_toolcall_valid.jsonl"):
        got = counter.count_record(record, RecordKind.REINFORCEMENT)
        msgs = sum(3 + sum(len(enc.encode(v)) for v in m.values()) for m in record["messages"])
        tools = _cookbook_tools(record["tools"], enc, (7, 3, 3, -3, 3, 12))
        assert got.tools == tools and got.total == msgs + tools + 3 and got.trained == 0


def test_prompt_completion(datasets_dir):
    enc = tiktoken.get_encoding("cl100k_base")
    counter = TokenCounter("cl100k_base")
    for record in _records(datasets_dir / "thai_legacy_prompt_completion.jsonl"):
        got = counter.count_record(record, RecordKind.PROMPT_COMPLETION)
        p, c = len(enc.encode(record["prompt"])), len(enc.encode(record["completion"]))
        assert (got.total, got.trained, got.per_message) == (p + c, c, (p, c))


def test_special_token_text_counted_as_text():
    counter = TokenCounter("o200k_base")
    record = {"messages": [{"role": "user", "content": "a <|endoftext|> b"}]}
    got = counter.count_record(record, RecordKind.CHAT)
    enc = tiktoken.get_encoding("o200k_base")
    assert got.total == 3 + len(enc.encode("user")) + len(enc.encode_ordinary("a <|endoftext|> b")) + 3
    assert len(enc.encode_ordinary("<|endoftext|>")) > 1


def test_estimate_mode_when_encoding_missing(tmp_path, monkeypatch, datasets_dir):
    verified_dir = os.environ["TIKTOKEN_CACHE_DIR"]
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    with pytest.raises(encodings.EncodingUnavailable):
        TokenCounter("o200k_base")
    counter = TokenCounter("o200k_base", allow_estimate=True)
    assert counter.estimated
    records = list(_records(datasets_dir / "foundry_gsm8k_chat_valid.jsonl"))
    est = [counter.count_record(r, RecordKind.CHAT) for r in records]
    assert all(e.estimated and e.total > 0 for e in est)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", verified_dir)
    encodings.clear_loaded()
    real = TokenCounter("o200k_base")
    exact_sum = sum(real.count_record(r, RecordKind.CHAT).total for r in records)
    est_sum = sum(e.total for e in est)
    # an estimate errs high (never reassures) but stays usable on English text
    assert all(e.total >= real.count_record(r, RecordKind.CHAT).total for e, r in zip(est, records))
    assert 1.0 <= est_sum / exact_sum < 2.5
    assert estimate_tokens("你好世界你好世界") > estimate_tokens("abcdefgh")



def test_every_shared_file_counts_under_every_kind():
    from tests.conftest import dataset_files

    counter = TokenCounter("o200k_base")
    counted = 0
    for path in dataset_files():
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                for kind in RecordKind:
                    result = counter.count_record(record, kind)
                    assert result.total >= result.trained >= 0
                counted += 1
    assert counted > 1000 or not dataset_files()
