"""Preference (DPO) pairs whose preferred output is systematically the longer one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tunescope.checks.dataset.limits import MIN_EXAMPLES
from tunescope.checks.dataset.rows import Rows
from tunescope.checks.model import RecordKind
from tunescope.checks.registry import I, check

if TYPE_CHECKING:
    from tunescope.checks.dataset.output import DatasetOutput

LONGER_SHARE = 0.8           # flag when the preferred output is longer in at least this share of pairs

PREFERENCE_LENGTH_BIAS = check(
    "preference_length_bias", I, "dataset", "Preferred outputs longer",
    "Preferred outputs are systematically longer than non-preferred ones.")


class PreferenceLength:
    """Counts pairs and how often the preferred output is longer, with total lengths."""

    checks = (PREFERENCE_LENGTH_BIAS,)

    def __init__(self, rows: Rows):
        self.pairs = self.longer = self.pref_len = self.nonpref_len = 0

    def add(self, summary, i: int) -> None:
        an = summary.analysis
        facts = an.facts
        if an.kind is RecordKind.PREFERENCE and facts:
            self.pairs += 1
            self.longer += facts["pref_len"] > facts["nonpref_len"]
            self.pref_len += facts["pref_len"]
            self.nonpref_len += facts["nonpref_len"]

    def merge(self, other: PreferenceLength, offset: int) -> None:
        self.pairs += other.pairs
        self.longer += other.longer
        self.pref_len += other.pref_len
        self.nonpref_len += other.nonpref_len

    def finish(self, out: DatasetOutput) -> None:
        pairs = self.pairs
        if pairs >= MIN_EXAMPLES and self.longer >= LONGER_SHARE * pairs:
            out.add(PREFERENCE_LENGTH_BIAS,
                    f"The preferred output is longer in {self.longer} of {pairs} pairs (mean "
                    f"{self.pref_len // pairs} vs {self.nonpref_len // pairs} characters); DPO may learn that "
                    "longer is better.", "Include pairs where the shorter answer is preferred.")
