"""`export_file(progress=...)`: the TUI's status bar follows an export every PROGRESS_EVERY examples."""

from __future__ import annotations

from tests import factories
from tunescope.targets import get_target
from tunescope.targets.exporting import PROGRESS_EVERY, export_file


def test_progress_is_called_every_progress_every_examples(tmp_path):
    n = 2 * PROGRESS_EVERY + 7
    path = factories.write_jsonl(tmp_path, [factories.chat(f"q{i}", f"a{i}") for i in range(n)], "d.jsonl")
    seen: list[int] = []
    result = export_file(str(path), get_target("hf"), str(tmp_path / "out.jsonl"), progress=seen.append)
    assert seen == [PROGRESS_EVERY, 2 * PROGRESS_EVERY] and result.written == n
