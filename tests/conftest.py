"""Shared test set-up: verified tiktoken encodings, real datasets, isolated dirs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings


ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATASETS = SHARED / "datasets"
TIKTOKEN_CACHE = SHARED / "tiktoken_cache"

if TIKTOKEN_CACHE.is_dir():
    os.environ["TIKTOKEN_CACHE_DIR"] = str(TIKTOKEN_CACHE)
# The encodings bundled in the package would hide every "encoding missing" path the tests exercise; the
# tests of the bundled copies (tests/unit/tokens/test_bundled.py) turn them back on.
os.environ["TUNESCOPE_BUNDLED_ENCODINGS"] = "off"
# "Today" for the model table's deadlines (tokens/retirement.py): a fixed day before OpenAI's wind-down came
# near, so the suite's findings do not change with the wall clock; the wind-down tests set their own day.
TEST_TODAY = "2026-06-01"
os.environ["TUNESCOPE_TODAY"] = TEST_TODAY

# Property tests draw the same examples on every run ("repeatable"), so CI cannot fail on a draw that no
# one has seen; a CI run once failed on a span of 1e-9 that years of random draws might not have hit again.
# To go looking for new failures: HYPOTHESIS_PROFILE=explore (random draws, 1,000 where a test sets no count); add what it
# finds as an @example.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", max_examples=1000, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def dataset_files() -> list[Path]:
    return sorted(DATASETS.glob("*.jsonl")) if DATASETS.is_dir() else []


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """Every test gets its own config/cache/data dirs; never the user's."""
    home = tmp_path_factory.mktemp("tshome")
    monkeypatch.setenv("TUNESCOPE_HOME", str(home))
    for var in ("TUNESCOPE_CONFIG_DIR", "TUNESCOPE_CACHE_DIR", "TUNESCOPE_DATA_DIR", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def datasets_dir() -> Path:
    if not DATASETS.is_dir():
        pytest.skip("../shared/datasets not present")
    return DATASETS


SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def pytest_collection_modifyitems(config, items):
    """Snapshot tests render whole screens to SVG (1-3 s each): slow, so the fast loop (-m "not slow") skips them.

    Marked here rather than in tests/snapshots, whose files stay as they are."""
    for item in items:
        if SNAPSHOTS in Path(item.path).parents:
            item.add_marker(pytest.mark.slow)
