"""Examples with images: at most 50,000 per file (V10)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tunescope.checks.dataset.rows import Rows
from tunescope.checks.registry import E, check

if TYPE_CHECKING:
    from tunescope.checks.dataset.output import DatasetOutput

MAX_IMAGE_EXAMPLES = 50_000

TOO_MANY_IMAGE_EXAMPLES = check(
    "too_many_image_examples", E, "dataset", "Over 50,000 image examples",
    "At most 50,000 examples may contain images (V10).", ref="V10")


class Images:
    """Counts examples with images; writes stats["image_examples"]."""

    checks = (TOO_MANY_IMAGE_EXAMPLES,)

    def __init__(self, rows: Rows):
        self.image_rows = 0

    def add(self, summary, i: int) -> None:
        if summary.analysis.has_images:
            self.image_rows += 1

    def merge(self, other: Images, offset: int) -> None:
        self.image_rows += other.image_rows

    def finish(self, out: DatasetOutput) -> None:
        out.stats["image_examples"] = self.image_rows
        if self.image_rows > MAX_IMAGE_EXAMPLES:
            out.add(TOO_MANY_IMAGE_EXAMPLES, f"{self.image_rows:,} examples contain images; at most "
                    f"{MAX_IMAGE_EXAMPLES:,} are allowed.", "Drop or split off image examples.")
