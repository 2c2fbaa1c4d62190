"""The TUI's loss-mask view (key L on the dataset screen), driven with Pilot against the tiny tokenizer."""

from __future__ import annotations

import re

from textual.widgets import Input, Static

from tests.functional.app_helpers import app_for, ready, settle, wait_for, write_rows
from tests.train.test_mask_preview import LONG_ROW, PIRATE_ROW
from tunescope.config import Settings
from tunescope.train.render import render_example
from tunescope.tui.screens.mask_preview import MaskPreviewScreen


def shown(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_mask_view_highlights_the_trained_tokens_and_counts_each_message(tiny_model, tiny_tokenizer, tmp_path):
    data = write_rows(tmp_path / "d.jsonl", [PIRATE_ROW, LONG_ROW])
    app = app_for(data, settings=Settings(tokenizer=str(tiny_model), mask_max_length=512))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, MaskPreviewScreen) and app.screen.preview is not None,
                       what="the mask preview")
        view = app.screen
        rendered = render_example(tiny_tokenizer, PIRATE_ROW, 512)
        text = view.query_one("#mask-text", Static).render()
        assert "Yarrr! Here be a recipe." in str(text)
        # the highlighted runs (TRAINED_STYLE has a background; nothing else in the view does) are the trained tokens
        highlighted = "".join(str(text)[s.start:s.end] for s in text.spans
                              if getattr(s.style, "background", None) is not None)
        trained = tiny_tokenizer.decode([t for t, m in zip(rendered.input_ids, rendered.mask) if m])
        assert highlighted == trained == "Yarrr! Here be a recipe.<|im_end|>\n"
        summary = shown(view, "#mask-summary")
        assert re.search(r"5\s+assistant\s+\d+ tokens\s+[1-9]\d* trained", summary)
        assert "no mask findings" in summary
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, MaskPreviewScreen)


async def test_mask_view_asks_for_a_tokenizer_and_says_when_it_cannot_load(tiny_model, tmp_path):
    data = write_rows(tmp_path / "d.jsonl", [LONG_ROW])
    app = app_for(data, settings=Settings(mask_max_length=40))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, MaskPreviewScreen), what="the mask view")
        view = app.screen
        assert "Type a tokenizer" in shown(view, "#mask-status")
        view.query_one(Input).value = str(tmp_path / "nowhere")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "cannot load tokenizer" in shown(view, "#mask-status"), what="the reason")
        view.query_one(Input).value = str(tiny_model)
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.preview is not None, what="the preview")
        assert "cut at 40" in shown(view, "#mask-summary") and "over_max_length" in shown(view, "#mask-summary")
        assert "✂ cut at 40 tokens ✂" in shown(view, "#mask-text")
        await pilot.press("escape")
        await settle(pilot)
        assert screen.mask_tokenizer == str(tiny_model)       # reused for the next example
