"""Issue 9: histogram bins said "1.1k–1.1k" when both ends rounded to the same compact number."""

from __future__ import annotations

from tunescope.tui.widgets.dataset.stats_pane import bin_label


def test_bin_labels_never_repeat_one_number():
    assert bin_label(1100, 1149) == "1,100–1,149"
    assert bin_label(1000, 2000) == "1k–2k"
    assert bin_label(0, 512) == "0–512"
