"""The chosen model itself: has OpenAI shut it down, is it about to, and can it train on images?

Dates and replacements come from the model table (`retires`, `replacement`, `[wind_down]`), worded
by `tokens.retirement` so the report, the app and the start-job dialog agree. A model missing from
the table (another provider's) gets none of these findings: nothing is known about it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tunescope.checks.dataset.rows import Rows
from tunescope.checks.registry import E, W, check
from tunescope.tokens.models import load_models
from tunescope.tokens.retirement import job_cutoff, retirement, today

if TYPE_CHECKING:
    from tunescope.checks.dataset.output import DatasetOutput

MODEL_RETIRED = check(
    "model_retired", E, "dataset", "Model shut down",
    "The chosen model has been shut down (with every fine-tune built on it): a job on it cannot start. "
    "The finding says since when and what to use instead (model table `retires`, `replacement`).")
MODEL_RETIRING = check(
    "model_retiring", W, "dataset", "Model shuts down soon",
    "The chosen model shuts down within 90 days, and every fine-tune built on it goes the same day "
    "(model table `retires`; OpenAI's wind-down also ends new jobs after 2027-01-06).")
MODEL_NO_VISION = check(
    "model_no_vision", E, "dataset", "Images for a model without vision",
    "The file has image parts but the chosen model cannot be fine-tuned on images (model table `vision`).",
    tags=("images",))


class ModelDeadlines:
    """Remembers the first row with images; at finish compares the model table with today."""

    checks = (MODEL_RETIRED, MODEL_RETIRING, MODEL_NO_VISION)

    def __init__(self, rows: Rows):
        self.rows = rows
        self.first_image: int | None = None     # row index of the first example with images
        self.image_rows = 0

    def add(self, summary, i: int) -> None:
        if summary.analysis.has_images:
            self.image_rows += 1
            if self.first_image is None:
                self.first_image = i

    def merge(self, other: ModelDeadlines, offset: int) -> None:
        if self.first_image is None and other.first_image is not None:
            self.first_image = other.first_image + offset
        self.image_rows += other.image_rows

    def finish(self, out: DatasetOutput) -> None:
        try:
            table = load_models()
            info = table.get(out.options.model)
        except Exception:  # noqa: BLE001  (an unknown model or a broken table: nothing is known about it)
            return
        on = today()
        gone = retirement(info, on)
        if gone is not None and gone.retired:
            instead = gone.replacement or "another model or provider"
            out.add(MODEL_RETIRED,
                    f"{info.name} was shut down {gone.when()}, with every fine-tune built on it: "
                    "no job can start on it.",
                    f"Use instead: {instead}. Check again with --model NAME for that model's limits."
                    + (f" (Source: {gone.source}.)" if gone.source else ""), path="")
        elif gone is not None and gone.soon:
            cutoff = job_cutoff(table.wind_down, on)
            out.add(MODEL_RETIRING,
                    f"{info.name} shuts down {gone.when()}, and every fine-tune built on it goes the same day."
                    + (f" {cutoff.sentence()}" if cutoff is not None else ""),
                    "Start and evaluate jobs well before then, and plan where the fine-tuned model will run "
                    f"afterwards{': ' + gone.replacement if gone.replacement else ''}.", path="")
        if self.first_image is not None and not info.vision:
            able = [m.name for m in table.models.values() if m.vision and not m.deprecated and not _gone(m, on)]
            line = self.rows.lines[self.first_image]
            out.add(MODEL_NO_VISION,
                    (f"This example has images, and {self.image_rows - 1:,} more do" if self.image_rows > 1 else
                     "This example has images") + f", but {info.name} cannot be fine-tuned on images: "
                    "the job would fail.",
                    (f"Pick a vision model (--model {able[0]}" + (f", or {', '.join(able[1:3])})" if able[1:] else ")")
                     if able else "Pick a model with vision support")
                    + ", or drop the image parts.", line, self.first_image)


def _gone(info, on) -> bool:
    shutdown = retirement(info, on)
    return shutdown is not None and shutdown.retired
