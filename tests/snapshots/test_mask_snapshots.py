"""Snapshot (100x30) of the loss-mask view on the tiny test tokenizer: highlighted trained tokens, counts, the cut.

Update after an intended UI change with `pytest tests/snapshots --snapshot-update` and look at the report.
"""

from __future__ import annotations

import pytest
from textual.app import App

from tests.train.conftest import PIRATE, build_tiny_model
from tests.train.test_mask_preview import PIRATE_ROW
from tunescope.tui.screens import mask_preview
from tunescope.tui.screens.mask_preview import MaskPreviewScreen

pytestmark = pytest.mark.slow     # builds the tiny model's tokenizer (about 10 s)


@pytest.fixture(scope="module")
def tiny_tokenizer_for_snapshot(tmp_path_factory):
    pytest.importorskip("trl", reason="the train extra is not installed (pip install -e '.[test,train]')")
    if not PIRATE.exists():
        pytest.skip("../shared/datasets/pirate_chat.jsonl not present")
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(build_tiny_model(tmp_path_factory.mktemp("tiny-llama")))


class MaskApp(App):
    def on_mount(self) -> None:
        self.push_screen(MaskPreviewScreen(PIRATE_ROW, "tiny-llama", max_length=60, line=7))


def test_mask_view(snap_compare, tiny_tokenizer_for_snapshot, monkeypatch):
    monkeypatch.setattr(mask_preview, "_tokenizer", lambda name: tiny_tokenizer_for_snapshot)

    async def rendered(pilot):
        for _ in range(200):
            if getattr(pilot.app.screen, "preview", None) is not None:
                break
            await pilot.pause(0.05)
        await pilot.pause()

    assert snap_compare(MaskApp(), terminal_size=(100, 30), run_before=rendered)
