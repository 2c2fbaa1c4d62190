"""`tunescope check` text output fits 80 columns: every line, long paths and every real dataset included."""

from __future__ import annotations

import pytest

from tests.conftest import DATASETS
from tunescope.checks.report_text import WIDTH, render_text
from tunescope.checks.run.runner import check_path, options_for_model

FILES = sorted(DATASETS.glob("*.jsonl"))


def long_copy(tmp_path, source):
    folder = tmp_path / ("a_rather_long_folder_name_for_datasets_" * 2) / "and_another_level_below_it"
    folder.mkdir(parents=True)
    target = folder / "customer_support_conversations_final_v2.jsonl"
    target.write_bytes(source.read_bytes())
    return target


def test_a_long_path_is_shortened_from_the_left_keeping_the_file_name(tmp_path):
    path = long_copy(tmp_path, FILES[0])
    text = render_text(check_path(str(path), options_for_model(None, None), workers=1, use_cache=False))
    first = text.splitlines()[0]
    assert len(first) == WIDTH and first.startswith("…") and first.endswith("customer_support_conversations_final_v2.jsonl")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_line_of_every_real_report_fits(path):
    text = render_text(check_path(str(path), options_for_model("gpt-4o-mini", None), workers=1, use_cache=False))
    assert [line for line in text.splitlines() if len(line) > WIDTH] == []
