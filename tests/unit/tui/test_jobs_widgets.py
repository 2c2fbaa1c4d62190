"""Pure helpers of the jobs widgets: chart decimation and ticks, sparklines, formatting, best checkpoint."""

from __future__ import annotations

from hypothesis import example, given, strategies as st

from tunescope.jobs.types import Checkpoint, Metrics
from tunescope.tui.widgets.jobs import format as fmt
from tunescope.tui.widgets.jobs.job_detail import best_checkpoint
from tunescope.tui.widgets.jobs.loss_chart import SPARKS, decimate, int_ticks, row_ticks, sparkline


@given(st.lists(st.floats(min_value=0, max_value=10, allow_nan=False), min_size=1, max_size=3000),
       st.integers(min_value=1, max_value=400))
def test_decimate_keeps_at_most_buckets_and_the_range(values, buckets):
    points = list(enumerate(values, start=1))
    out = decimate(points, buckets)
    assert len(out) == min(len(points), buckets)
    assert min(values) - 1e-9 <= min(y for _, y in out) and max(y for _, y in out) <= max(values) + 1e-9
    xs = [x for x, _ in out]
    assert xs == sorted(xs) and xs[0] >= 1 and xs[-1] <= len(values)


def test_decimate_averages_consecutive_points():
    assert decimate([(1, 1.0), (2, 3.0), (3, 5.0), (4, 7.0)], 2) == [(1.5, 2.0), (3.5, 6.0)]


def test_sparkline_spans_low_to_high():
    line = sparkline([3.0, 2.0, 1.0, 0.0], 4)
    assert line == SPARKS[-1] + line[1:3] + SPARKS[0] and len(line) == 4
    assert len(sparkline(list(range(1000)), 30)) == 30
    assert sparkline([], 10) == "" and sparkline([1.0], 0) == ""


@given(st.integers(1, 10_000), st.integers(0, 10_000), st.integers(2, 8))
def test_int_ticks_are_increasing_integers_with_both_ends(first, span, count):
    ticks = int_ticks(first, first + span, count)
    assert ticks[0] == first and ticks[-1] == first + span
    assert ticks == sorted(set(ticks)) and len(ticks) <= max(count, 1)


def test_short_ids_and_tails_keep_both_ends_readable():
    job_id = "ftjob-abcdefghijklmnopqrstuvwx"
    short = fmt.short_id(job_id, 14)
    assert len(short) == 14 and short.startswith("ftjob-") and short.endswith("uvwx")
    model = "ft:gpt-4o-mini-2024-07-18:local:pirate:AbCd1234:ckpt-step-90"
    assert fmt.tail(model, 20) == "…" + model[-19:] and fmt.tail("short", 20) == "short"
    assert fmt.head("abcdef", 4) == "abc…"


def test_eta_says_how_far_off():
    assert fmt.eta(1_000_090, now=1_000_000).endswith("(in 2 min)")
    assert fmt.eta(1_000_030, now=1_000_000).endswith("(in 30 s)")
    assert fmt.eta(1_000_600, now=1_000_000).endswith("(in 10 min)")
    assert fmt.eta(999_000, now=1_000_000).endswith("(any moment)")
    assert fmt.eta(None) == ""


def test_best_checkpoint_is_the_lowest_validation_loss():
    def ck(step, valid=None, full=None):
        return Checkpoint(id=f"c{step}", step=step, model=f"m{step}",
                          metrics=Metrics(step=step, train_loss=1.0, valid_loss=valid, full_valid_loss=full))
    assert best_checkpoint([ck(10, 0.5), ck(20, 0.4), ck(30, 0.45)]).step == 20
    assert best_checkpoint([ck(10, 0.3, full=0.6), ck(20, 0.5)]).step == 20      # full validation wins
    assert best_checkpoint([ck(10), ck(20)]) is None                                # no validation: no star


def test_event_lines_dim_the_time_and_emphasise_numbers():
    from rich.text import Text

    from tunescope.tui.widgets.jobs.event_log import EventHighlighter

    class NoApp:                                      # styles fall back to plain colours without an app
        app = None

    line = Text("Nov 24 12:00:07 Step 92/100: training loss=0.34")
    EventHighlighter(NoApp()).highlight(line)
    spans = {line.plain[s.start:s.end] for s in line.spans}
    assert {"Nov 24 12:00:07 ", "92/100", "0.34"} <= spans
    assert not any(":00" in text for text in spans - {"Nov 24 12:00:07 "})


@given(st.floats(0, 50, allow_nan=False), st.floats(0, 50, allow_nan=False), st.integers(2, 60))
@example(0.0, 1e-9, 2)      # CI found it: a span of 1e-9 was labelled 0.000000 twice
@example(50.0, 50.0001, 60)
def test_row_ticks_put_distinct_values_on_rows_from_top_to_bottom(a, b, rows):
    low, high, values, labels = row_ticks(min(a, b), max(a, b), rows)
    assert low < high and values[0] == high
    assert all(x > y for x, y in zip(values, values[1:])) and len(set(labels)) == len(labels)
    assert -1e-9 <= values[-1] - low < (values[0] - values[1]) / 2 + 1e-9     # the bottom, or near it
    assert len(values) <= 7
    for v in values:    # each value sits exactly on a row: (high - v) / row height is a whole number
        row = (high - v) / (high - low) * (rows - 1)
        assert abs(row - round(row)) < 1e-6


def test_plotext_axis_reads_evenly_on_a_six_row_chart():
    # plotext's own ticks on this chart were 2.20, 1.93, 1.65, 1.10, 0.82, 0.54 (1.38 left out)
    import plotext as plt

    ys = [2.2 - 0.035 * i for i in range(48)]
    low, high, values, labels = row_ticks(min(ys), max(ys), 6)
    plt.clf()
    plt.plotsize(50, 9)
    plt.plot(list(range(1, 49)), ys, marker="braille")
    plt.ylim(low, high)
    plt.yticks(values, labels)
    import re

    built = re.sub(r"\x1b\[[0-9;]*m", "", plt.build())
    plt.clf()
    shown = [line.split("┤")[0].strip() for line in built.splitlines() if "┤" in line]
    assert shown == labels == ["2.20", "1.87", "1.54", "1.21", "0.88", "0.55"]
