"""The dataset screen's loss-mask key: open the mask view of the current example.

The tokenizer comes from `tokenizer` in config.toml, or the one last used in the view this session
(the view asks for one when neither is set). A mixin of the dataset screen, like `dataset_file`.
"""

from __future__ import annotations

import orjson

from tunescope.tui.screens.mask_preview import MaskPreviewScreen


class MaskPreviewKey:
    """Mixed into `DatasetScreen` (which provides review, state, current_row, app, notify)."""

    mask_tokenizer: str | None = None

    def action_mask_preview(self) -> None:
        row = self.current_row()
        if self.state is None or row is None:
            return
        try:
            example = orjson.loads(self.state.data(row))
        except orjson.JSONDecodeError:
            example = None
        if not isinstance(example, dict) or not isinstance(example.get("messages"), list):
            self.notify("The loss mask needs a chat example (a `messages` list); this row is not one.",
                        severity="warning")
            return
        settings = self.app.settings
        tokenizer = self.mask_tokenizer or settings.tokenizer

        def remember(used: str | None) -> None:
            if used:
                self.mask_tokenizer = used

        max_length = settings.mask_max_length
        if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
            self.notify(f"mask_max_length = {max_length!r} in config.toml is not a positive whole number; using 2048",
                        severity="warning")
            max_length = 2048
        self.app.push_screen(MaskPreviewScreen(example, tokenizer, max_length,
                                               self.review.line_of(row)), remember)
