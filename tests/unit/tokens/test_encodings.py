"""Model -> encoding mapping, offline-safe loading and `tunescope encodings`."""

from __future__ import annotations

import hashlib
import inspect
import os
import socket
import time
from pathlib import Path

import pytest

from tunescope.cli import main
from tunescope import config
from tunescope.tokens import encodings
from tunescope.checks.model import RecordKind
from tunescope.tokens.count import TokenCounter

VERIFIED_DIR = Path(os.environ.get("TIKTOKEN_CACHE_DIR", "/nonexistent"))


@pytest.fixture(autouse=True)
def fresh_encodings():
    encodings.clear_loaded()
    yield
    encodings.clear_loaded()


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("tunescope tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.parametrize("model,expected", [
    ("gpt-4o-mini-2024-07-18", "o200k_base"),
    ("gpt-4.1-nano-2025-04-14", "o200k_base"),
    ("ft:gpt-4.1-2025-04-14:acme:support:AbC123", "o200k_base"),        # tiktoken says cl100k
    ("ft:o4-mini-2025-04-16:acme::XyZ:ckpt-step-100", "o200k_base"),     # tiktoken raises
    ("ft:gpt-4o-mini-2024-07-18:personal:pinolo:9x9umRGJ:ckpt-step-80", "o200k_base"),
    ("o1", "o200k_base"), ("o3-mini", "o200k_base"), ("gpt-5-mini", "o200k_base"),
    ("gpt-4-0613", "cl100k_base"), ("gpt-3.5-turbo-0125", "cl100k_base"),
    ("ft:gpt-3.5-turbo-0613:personal::8wJ6CtY5", "cl100k_base"),
    ("davinci-002", "cl100k_base"), ("babbage-002:ft-acme-2023-09-01", "cl100k_base"),
])
def test_encoding_for_model(model, expected):
    assert encodings.encoding_for_model(model) == expected


def test_unknown_model_encoding_uses_default_or_none():
    assert encodings.encoding_for_model("llama-3-8b") == "o200k_base"
    assert encodings.encoding_for_model("llama-3-8b", default=None) is None
    assert encodings.encoding_for_model("o3x", default=None) is None     # a prefix must end at "-"


def test_known_files_match_tiktoken_source_and_shared_cache():
    import tiktoken_ext.openai_public as public

    source = inspect.getsource(public)
    for info in encodings.KNOWN_ENCODINGS.values():
        assert info.url in source and info.sha256 in source
        shared = VERIFIED_DIR / info.cache_name
        if shared.is_file():
            assert hashlib.sha256(shared.read_bytes()).hexdigest() == info.sha256
        assert info.cache_name == hashlib.sha1(info.url.encode()).hexdigest()


def test_cache_dir_defaults_to_tunescope_cache(monkeypatch):
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    monkeypatch.delenv("DATA_GYM_CACHE_DIR", raising=False)
    assert encodings.ensure_cache_env() == config.cache_dir() / "tiktoken"
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(config.cache_dir() / "tiktoken")


def test_user_cache_dir_is_respected(monkeypatch, tmp_path):
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    monkeypatch.setenv("DATA_GYM_CACHE_DIR", str(tmp_path))
    assert encodings.ensure_cache_env() == tmp_path
    assert "TIKTOKEN_CACHE_DIR" not in os.environ


def test_missing_file_fails_fast_with_actionable_message(monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    start = time.monotonic()
    with pytest.raises(encodings.EncodingUnavailable) as err:
        TokenCounter("o200k_base")
    assert time.monotonic() - start < 1.0
    message = str(err.value)
    assert "\n" not in message
    info = encodings.KNOWN_ENCODINGS["o200k_base"]
    assert str(tmp_path / info.cache_name) in message
    assert info.url in message and "tunescope encodings import PATH" in message
    assert err.value.path == tmp_path / info.cache_name


def test_corrupt_file_is_reported_not_downloaded(monkeypatch, tmp_path, no_network):
    info = encodings.KNOWN_ENCODINGS["cl100k_base"]
    (tmp_path / info.cache_name).write_bytes(b"garbage")
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    with pytest.raises(encodings.EncodingUnavailable, match="corrupt"):
        encodings.get_encoding("cl100k_base")
    assert (tmp_path / info.cache_name).read_bytes() == b"garbage"     # tiktoken would delete and re-fetch


def test_unknown_encoding_name():
    with pytest.raises(encodings.EncodingUnavailable, match="unknown encoding"):
        encodings.get_encoding("p51k_base")


def test_import_real_file_then_counting_works(monkeypatch, tmp_path, capsys, no_network):
    cache = tmp_path / "cache"
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    info = encodings.KNOWN_ENCODINGS["o200k_base"]
    source = VERIFIED_DIR / info.cache_name
    if not source.is_file():
        pytest.skip("shared tiktoken cache not present")
    downloaded = tmp_path / "o200k_base.tiktoken"
    downloaded.write_bytes(source.read_bytes())
    with pytest.raises(encodings.EncodingUnavailable):
        TokenCounter("o200k_base")

    assert main(["encodings", "import", str(downloaded)]) == 0
    assert "installed o200k_base" in capsys.readouterr().out
    installed = cache / info.cache_name
    assert hashlib.sha256(installed.read_bytes()).hexdigest() == info.sha256
    assert not [p for p in cache.iterdir() if p.name.endswith(".tmp")]

    counter = TokenCounter("o200k_base")
    got = counter.count_record({"messages": [{"role": "user", "content": "hello world"}]}, RecordKind.CHAT)
    assert got.total == 3 + 1 + 2 + 3 and not got.estimated

    assert main(["encodings", "status"]) == 0
    out = capsys.readouterr().out
    assert str(cache) in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ") and line.split()}
    assert "present" in lines["o200k_base"] and "missing" in lines["cl100k_base"]


def test_import_refuses_wrong_file(monkeypatch, tmp_path, capsys):
    cache = tmp_path / "cache"
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    wrong = tmp_path / "o200k_base.tiktoken"
    wrong.write_bytes(b"not an encoding\n")
    assert main(["encodings", "import", str(wrong)]) == 2
    err = capsys.readouterr().err
    assert "not a known encoding file" in err and str(wrong) in err and "\n" == err[-1] and err.count("\n") == 1
    assert not cache.exists() or not any(cache.iterdir())
    assert main(["encodings", "import", str(tmp_path / "absent")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_import_name_mismatch(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "cache"))
    source = VERIFIED_DIR / encodings.KNOWN_ENCODINGS["cl100k_base"].cache_name
    if not source.is_file():
        pytest.skip("shared tiktoken cache not present")
    assert main(["encodings", "import", str(source), "--name", "o200k_base"]) == 2
    assert "is cl100k_base, not o200k_base" in capsys.readouterr().err
    assert main(["encodings", "import", str(source), "--name", "cl100k_base"]) == 0


def test_vocabulary_is_kept_as_marshal_and_a_damaged_copy_is_rebuilt(monkeypatch):
    """The second load reads tunescope's marshal copy (not tiktoken's base64 file); a damaged copy is ignored."""
    import tiktoken
    import tiktoken_ext.openai_public as plugin

    from tunescope.tokens import encodings

    text = "Re-checks load the vocabulary once: 12345 tokens, \u00e9t\u00e9, \u6f22\u5b57."
    calls = []
    real = dict(plugin.ENCODING_CONSTRUCTORS)
    monkeypatch.setitem(plugin.ENCODING_CONSTRUCTORS, "o200k_base",
                        lambda: calls.append(1) or real["o200k_base"]())
    encodings.clear_loaded()
    try:
        first = encodings.get_encoding("o200k_base").encode_ordinary(text)
        path = encodings._ranks_path("o200k_base", tiktoken.__version__)
        assert calls == [1] and path.is_file()
        encodings.clear_loaded()
        assert encodings.get_encoding("o200k_base").encode_ordinary(text) == first
        assert calls == [1]                                   # read back, not rebuilt
        data = bytearray(path.read_bytes())
        data[-100] ^= 0xFF                                    # one flipped byte in the ranks
        path.write_bytes(bytes(data))
        encodings.clear_loaded()
        assert encodings.get_encoding("o200k_base").encode_ordinary(text) == first
        assert calls == [1, 1]                                # the digest caught it: rebuilt from the source
    finally:
        encodings.clear_loaded()
