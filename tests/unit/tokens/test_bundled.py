"""Issue 9: exact token counts out of the box, offline. o200k_base and cl100k_base ship inside the package
and are used whenever tiktoken's cache lacks them (a firewalled GPU box reached over SSH has no cache)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.factories import chat, write_jsonl
from tunescope.tokens import encodings


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    monkeypatch.setenv("TUNESCOPE_BUNDLED_ENCODINGS", "on")
    encodings.clear_loaded()
    yield cache
    encodings.clear_loaded()


@pytest.mark.parametrize("name", sorted(encodings.KNOWN_ENCODINGS))
def test_bundled_files_are_the_verified_encodings(name, empty_cache):
    path = encodings.bundled_file(name)
    assert path is not None and encodings.sha256_file(path) == encodings.KNOWN_ENCODINGS[name].sha256


@pytest.mark.parametrize("name", sorted(encodings.KNOWN_ENCODINGS))
def test_an_empty_cache_still_counts_exactly_with_the_bundled_copy(name, empty_cache):
    enc = encodings.get_encoding(name)
    text = "Hello, world! 12345 ✓ def f(x): return x**2"
    assert enc.encode(text) == _oracle(name, text)              # the same ids as tiktoken on the real cache
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(empty_cache)  # the user's cache dir is left as it was
    assert list(empty_cache.iterdir()) == []                    # and nothing was written into it


def test_turned_off_the_missing_encoding_is_reported(empty_cache, monkeypatch):
    monkeypatch.setenv("TUNESCOPE_BUNDLED_ENCODINGS", "off")
    with pytest.raises(encodings.EncodingUnavailable):
        encodings.get_encoding("o200k_base")


def test_status_says_the_encoding_is_bundled(empty_cache):
    rows = {r["name"]: r for r in encodings.status()}
    assert all(r["bundled"] and not r["present"] for r in rows.values())


def test_check_on_a_machine_without_a_cache_gives_exact_counts(tmp_path, empty_cache):
    path = write_jsonl(tmp_path, [chat(f"question {i}", f"answer {i}") for i in range(12)])
    env = dict(os.environ, TUNESCOPE_HOME=str(tmp_path / "home"))
    r = subprocess.run([sys.executable, "-m", "tunescope", "check", str(path), "--format", "json"],
                       capture_output=True, text=True, env=env, timeout=120)
    report = json.loads(r.stdout)
    assert r.returncode == 0, r.stderr
    assert report["exact_tokens"] is True and report["tokens"]["estimated"] is False


def _oracle(name: str, text: str) -> list[int]:
    """Token ids from tiktoken itself on the verified shared cache (../shared/tiktoken_cache), in a subprocess."""
    from tests.conftest import TIKTOKEN_CACHE
    if not TIKTOKEN_CACHE.is_dir():
        pytest.skip("../shared/tiktoken_cache is not beside the checkout")
    code = f"import tiktoken, json; print(json.dumps(tiktoken.get_encoding({name!r}).encode({text!r})))"
    env = dict(os.environ, TIKTOKEN_CACHE_DIR=str(TIKTOKEN_CACHE))
    return json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                     check=True, timeout=60).stdout)


@pytest.mark.slow
def test_every_shared_dataset_gets_exact_counts_without_a_cache(tmp_path, empty_cache):
    """Issue 9's must-show: no TIKTOKEN_CACHE_DIR to lean on, an empty cache, no network: every real file still
    gets tiktoken counts (from the bundled encodings), never the estimator."""
    from tests.conftest import DATASETS
    files = sorted(str(p) for p in DATASETS.glob("*.jsonl")) if DATASETS.is_dir() else []
    if not files:
        pytest.skip("../shared/datasets is not beside the checkout")
    env = dict(os.environ, TUNESCOPE_HOME=str(tmp_path / "home"))
    r = subprocess.run([sys.executable, "-m", "tunescope", "check", *files, "--format", "json", "--no-cache"],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode in (0, 1, 2), r.stderr
    reports = json.loads(r.stdout)
    assert len(reports) == len(files)
    for path, report in zip(files, reports):
        tokens = report.get("tokens") or {}
        if report.get("facts", {}).get("layout") in ("empty", "binary") or not tokens:
            continue
        assert tokens["estimated"] is False, path
