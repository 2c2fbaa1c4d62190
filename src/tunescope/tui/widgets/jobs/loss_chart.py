"""The live loss chart: training and validation loss against the step.

Drawn with textual-plotext (braille lines, integer step ticks, x axis spanning
the job's total steps so progress shows), in the app theme's colours. Series
are averaged into at most two points per column before plotting, so a long
job costs the same to draw as a short one. When the widget is too small for
a plot (or plotext is missing) it falls back to one sparkline per series,
which is cheap and still shows the trend.
"""

from __future__ import annotations

from rich.text import Text
from textual.color import Color
from textual.widget import Widget

try:  # an optional dependency: the sparkline fallback works without it
    from textual_plotext import PlotextPlot as _ChartBase
    HAVE_PLOTEXT = True
except ImportError:  # pragma: no cover - exercised only where textual-plotext is absent
    _ChartBase = Widget
    HAVE_PLOTEXT = False

SPARKS = "▁▂▃▄▅▆▇█"
MIN_PLOT_WIDTH = 30
MIN_PLOT_HEIGHT = 6


def decimate(points: list[tuple[int, float]], buckets: int) -> list[tuple[float, float]]:
    """At most `buckets` points: consecutive points averaged (x and y) in equal-count groups."""
    if buckets <= 0 or len(points) <= buckets:
        return [(float(x), y) for x, y in points]
    out = []
    n = len(points)
    for b in range(buckets):
        chunk = points[b * n // buckets:(b + 1) * n // buckets]
        if chunk:
            out.append((sum(x for x, _ in chunk) / len(chunk), sum(y for _, y in chunk) / len(chunk)))
    return out


def sparkline(values: list[float], width: int, low: float | None = None, high: float | None = None) -> str:
    """One character per column (values averaged per column), scaled between low and high."""
    if width <= 0 or not values:
        return ""
    columns = [y for _, y in decimate(list(enumerate(values)), width)]
    low = min(columns) if low is None else low
    high = max(columns) if high is None else high
    span = (high - low) or 1.0
    return "".join(SPARKS[min(len(SPARKS) - 1, int((v - low) / span * (len(SPARKS) - 1) + 0.5))] for v in columns)


def int_ticks(first: int, last: int, count: int) -> list[int]:
    """About `count` evenly spread integer ticks from first to last (both included)."""
    if last <= first:
        return [first]
    count = max(2, min(count, last - first + 1))
    ticks = sorted({round(first + (last - first) * i / (count - 1)) for i in range(count)})
    return ticks


def row_ticks(low: float, high: float, rows: int, most: int = 6) -> tuple[float, float, list[float], list[str]]:
    """(low, high, values, labels) of the y axis, each value on a plot row (the top row is `high`, the
    bottom `low`), at most about `most` of them. plotext's own ticks could outnumber the rows: two
    landed on one row and the axis read 2.20, 1.93, 1.65, 1.10 (1.38 left out, one step looked like two).
    A flat series, or one that moves by less than six decimals can label apart (a span of 1e-9 read
    0.000000 twice), gets a little room around it; labels have the decimals that keep them apart."""
    if high - low < 1e-4:
        pad = max(abs(low) * 0.05, 0.01)
        low, high = low - pad, high + pad
    rows = max(2, rows)
    least = max(1, -(-(rows - 1) // (max(2, most) - 1)))      # label every step-th row, at least this step
    # a step that reaches the bottom row evenly, if it still gives 4 labels or more
    even = [s for s in range(least, rows - 1) if (rows - 1) % s == 0 and (rows - 1) // s >= 3]
    step = even[0] if even else least
    picked = list(range(0, rows, step))
    if rows - 1 - picked[-1] >= step / 2:
        picked.append(rows - 1)         # the bottom row too, unless it would crowd the last label
    values = [high - (high - low) * r / (rows - 1) for r in picked]
    gap = min(a - b for a, b in zip(values, values[1:]))
    decimals = 2
    while decimals < 6 and (len({f"{v:.{decimals}f}" for v in values}) < len(values) or gap < 10 ** -decimals):
        decimals += 1
    return low, high, values, [f"{v:.{decimals}f}" for v in values]


class LossChart(_ChartBase):
    """Train and validation loss of one job; `set_metrics` replaces the series and redraws."""

    HELP = "Training (and validation) loss per step of the selected job; the x axis spans the whole job."

    DEFAULT_CSS = """
    LossChart {
        width: 1fr;
        height: 1fr;
        background: $surface;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.train: list[tuple[int, float]] = []
        self.valid: list[tuple[int, float]] = []
        self.total_steps: int | None = None
        self.empty_text = "No job selected."
        self.draws = 0
        self.scores: list[tuple[int, float]] = []
        """Evaluation pass rate per checkpoint step (from the Compare screen), drawn on a 0-1 right axis."""

    def set_metrics(self, metrics: list, total_steps: int | None = None, empty_text: str | None = None) -> None:
        """Metrics in step order (one per step); only steps with a value join each series."""
        self.train = [(m.step, m.train_loss) for m in metrics if m.train_loss is not None]
        self.valid = [(m.step, m.valid_loss) for m in metrics if m.valid_loss is not None]
        known = [m.total_steps for m in metrics if m.total_steps]
        self.total_steps = total_steps or (max(known) if known else None)
        if empty_text is not None:
            self.empty_text = empty_text
        self._legend()

    def set_scores(self, scores: list[tuple[int, float]]) -> None:
        """The evaluation pass rate (0-1) per checkpoint step; [] removes the overlay."""
        if sorted(scores) != self.scores:
            self.scores = sorted(scores)
            self._legend()

    def _legend(self) -> None:
        legend = "Loss  [$primary]━ train[/]" if self.train else "Loss"
        if self.valid:
            legend += "  [$warning]━ valid[/]"
        if self.scores:
            legend += "  [$success]● eval pass[/]"
        self.border_title = legend
        self.refresh()

    @property
    def points(self) -> int:
        return len(self.train) + len(self.valid)

    def _rgb(self, variable: str, fallback: tuple[int, int, int]) -> tuple[int, int, int]:
        try:
            return Color.parse(self.app.theme_variables[variable]).rgb
        except Exception:  # noqa: BLE001 - a theme without the variable, or an unparsable value
            return fallback

    def render(self):
        self.draws += 1
        if not self.train and not self.valid:
            return Text(self.empty_text)
        width, height = self.size.width, self.size.height
        if not HAVE_PLOTEXT or width < MIN_PLOT_WIDTH or height < MIN_PLOT_HEIGHT:
            return self.sparklines(width)
        plt = self.plt
        plt.clear_data()
        plt.clear_color()
        buckets = max(8, 2 * (width - 8))
        last_step = max([s for s, _ in self.train[-1:] + self.valid[-1:]] or [1])
        end = max(self.total_steps or 0, last_step, 2)
        # validation first: where the curves share a cell (one colour per braille cell), train stays visible
        for series, variable, fallback in ((self.valid, "warning", (255, 165, 0)),
                                          (self.train, "primary", (0, 135, 255))):
            if series:
                xs, ys = zip(*decimate(series, buckets))
                plt.plot(list(xs), list(ys), marker="braille", color=self._rgb(variable, fallback))
        if self.scores:
            xs, ys = zip(*self.scores)
            plt.scatter(list(xs), list(ys), marker="●", color=self._rgb("success", (0, 200, 80)), yside="right")
            plt.ylim(0, 1, yside="right")
        plt.xlim(1, end)
        values = [y for _, y in self.train] + [y for _, y in self.valid]
        low, high, yvalues, ylabels = row_ticks(min(values), max(values), height - 3)   # rows inside the frame
        plt.ylim(low, high)
        plt.yticks(yvalues, ylabels)
        ticks = int_ticks(1, end, max(2, min(6, (width - 8) // 12)))
        plt.xticks(ticks, [str(t) for t in ticks])
        plt.xlabel("")
        plt.title("")
        return super().render()

    def sparklines(self, width: int) -> Text:
        """One line per series: name, sparkline over the steps so far, latest value."""
        text = Text(no_wrap=True, overflow="ellipsis")
        values = [y for _, y in self.train] + [y for _, y in self.valid]
        low, high = min(values), max(values)
        for name, series, variable in (("train", self.train, "primary"), ("valid", self.valid, "warning")):
            if not series:
                continue
            if text:
                text.append("\n")
            last = f" {series[-1][1]:.4f}"
            spark = sparkline([y for _, y in series], max(1, width - 6 - len(last)), low, high)
            text.append(f"{name} ", style="bold")
            text.append(spark, style=self._rich(variable))
            text.append(last)
        if self.scores:
            best = max(self.scores, key=lambda p: (p[1], -p[0]))
            text.append("\neval ", style="bold")
            text.append(" ".join(f"{step}:{score:.0%}" for step, score in self.scores), style=self._rich("success"))
            text.append(f" best step {best[0]}")
        return text

    def _rich(self, variable: str) -> str:
        r, g, b = self._rgb(variable, (128, 128, 128))
        return f"#{r:02x}{g:02x}{b:02x}"
