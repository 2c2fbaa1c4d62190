"""Dataset statistics: token histogram against the model limit, totals, cost and file facts.

The pane only formats what the report already computed, reading its typed sections
(TokenSummary, CostEstimate, DuplicateSummary); a section the report lacks (a cancelled
run) shows "—", and a malformed one shows "—" in its own part of the pane only.
"""

from __future__ import annotations

from typing import Any, Iterable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label, Select, Static

from tunescope.checks.report import CheckReport
from tunescope.checks.report_sections import DuplicateSummary, PerExample
from tunescope.tokens.cost import CostEstimate, CostUnavailable
from tunescope.tokens.models import ModelInfo, load_models
from tunescope.tui import keymap

DASH = "—"
BLOCKS = " ▏▎▍▌▋▊▉█"


def as_int(value: Any) -> int | None:
    """An int from an int/float/numeric string, else None (bools are not numbers here)."""
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def num(value: Any) -> str:
    """Thousands-separated integer, or a dash for missing values."""
    if value is None or value == "":
        return DASH
    try:
        return f"{int(round(float(value))):,}"
    except (TypeError, ValueError):
        return str(value)


def short(value: float) -> str:
    """Compact number for axis labels: 950, 1.6k, 12k, 1.2M."""
    value = float(value)
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if abs(value) >= size:
            scaled = value / size
            return f"{scaled:.1f}{unit}" if scaled < 10 and scaled != int(scaled) else f"{int(scaled)}{unit}"
    return f"{int(value)}"


def bin_label(lo: int, hi: int) -> str:
    """A histogram bin's range: compact ("1.1k–1.6k"), exact where compact would say "1.1k–1.1k"."""
    low, high = short(lo), short(hi)
    return f"{low}–{high}" if low != high else f"{lo:,}–{hi:,}"


def human_bytes(size: Any) -> str:
    if size is None:
        return DASH
    size = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return DASH


def bar(fraction: float, width: int) -> str:
    """A left-aligned bar with eighth-block precision; any non-zero value shows."""
    cells = max(0.0, min(1.0, fraction)) * width
    full = int(cells)
    part = int((cells - full) * 8)
    if full == 0 and part == 0 and fraction > 0:
        part = 1
    return "█" * full + (BLOCKS[part] if part and full < width else "")


class TokenHistogram(Widget):
    """Horizontal bars, one per token bin, with a marker line at the model limit."""

    DEFAULT_CSS = """
    TokenHistogram {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.bins: list[tuple[int, int, int]] = []
        self.limit: int | None = None

    def set_data(self, bins: Iterable[Iterable[int]] | None, limit: int | None) -> None:
        """Set bins as (lo, hi, count); runs of empty bins are merged into one row."""
        limit = as_int(limit) or None
        merged: list[tuple[int, int, int]] = []
        for raw in bins if isinstance(bins, (list, tuple)) else []:
            try:
                lo, hi, count = (int(x) for x in list(raw)[:3])
            except (TypeError, ValueError):  # a malformed bin is skipped, never a crash
                continue
            crosses_limit = bool(limit and merged and merged[-1][0] < limit <= lo)
            if merged and count == 0 and merged[-1][2] == 0 and not crosses_limit:
                merged[-1] = (merged[-1][0], hi, 0)
            else:
                merged.append((lo, hi, count))
        self.bins = merged
        self.limit = limit
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        if not self.bins:
            return 1
        return len(self.bins) + (1 if self.limit else 0) + 1

    def render(self) -> Content:
        if not self.bins:
            return Content(f"Tokens per example: {DASH} (no token counts yet)")
        width = max(20, self.size.width)
        labels = [bin_label(lo, hi) for lo, hi, _ in self.bins]
        label_w = max(len(s) for s in labels)
        count_w = max(len(f"{c:,}") for *_, c in self.bins)
        bar_w = max(4, width - label_w - count_w - 4)
        top = max(c for *_, c in self.bins) or 1
        lines = [Content.from_markup(f"[b]{'tokens':>{label_w}}[/b]  [dim]examples per bin[/]")]
        marked = False
        for (lo, hi, count), label in zip(self.bins, labels):
            if self.limit and not marked and lo >= self.limit:
                lines.append(self._marker(label_w + bar_w + count_w + 3))
                marked = True
            if self.limit and lo >= self.limit:
                style = "$text-error"
            elif self.limit and hi > self.limit:
                style = "$text-warning"
            else:
                style = "$text-primary"
            lines.append(Content.assemble(
                (f"{label:>{label_w}} ", "dim"), ("▕", "dim"),
                (f"{bar(count / top, bar_w):<{bar_w}}", style), f" {count:>{count_w},}",
            ))
        if self.limit and not marked:
            lines.append(self._marker(label_w + bar_w + count_w + 3, above=False))
        return Content("\n").join(lines)

    def _marker(self, width: int, above: bool = True) -> Content:
        """The limit line: red with bins over it below, green when every example fits."""
        text = f" limit {self.limit:,} " + ("▼ over " if above else "(every example is below) ")
        colour = "$text-error" if above else "$text-success"
        pad = max(0, width - len(text))
        return Content.assemble(("┄" * (pad // 2), colour), (text, f"bold {colour}"), ("┄" * (pad - pad // 2), colour))


class StatsPane(VerticalScroll):
    """Token histogram with the model limit, totals, estimated cost and file facts."""

    HELP = (
        "Statistics for the whole file: tokens per example (bars past the model's limit "
        "are marked), totals, duplicates, the estimated training cost for the chosen "
        "model, and file facts. Pick another model in the selector to re-estimate."
    )

    BINDINGS = keymap.STATS_BINDINGS

    DEFAULT_CSS = """
    StatsPane {
        height: 1fr;
        width: 1fr;
        background: $surface;
        & > #stats-model-row {
            height: auto;
            padding: 0 1;
            & > Label { padding: 0 1 0 0; color: $text-muted; }
            & > Select { width: 1fr; max-width: 48; }
        }
        & .stats-heading {
            margin-top: 1;
            padding: 0 1;
            background: $panel;
            color: $text;
            text-style: bold;
        }
        & .stats-body { padding: 0 1; }
    }
    """

    class ModelChanged(Message):
        """The user chose another model: recompute limits and cost for it."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.current_model: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="stats-model-row"):
            yield Label("Model")
            # no blank entry to pick: the list holds models only (filled by show_model_table on mount)
            yield Select([("…", "")], id="stats-model", allow_blank=False, compact=True)
        yield Static("Estimated cost", classes="stats-heading", id="stats-cost-heading", markup=False)
        yield Static(DASH, classes="stats-body", id="stats-cost")
        yield Static("Tokens per example", classes="stats-heading", id="stats-tokens-heading")
        yield TokenHistogram(id="stats-histogram")
        yield Static(DASH, classes="stats-body", id="stats-token-summary")
        yield Static("Dataset", classes="stats-heading")
        yield Static(DASH, classes="stats-body", id="stats-dataset")
        yield Static("File", classes="stats-heading")
        yield Static(DASH, classes="stats-body", id="stats-file")

    # -- data in -------------------------------------------------------------

    def show_model_table(self, current: str | None) -> None:
        """Fill the model selector from the model table; a broken user table is said, not raised."""
        try:
            self.set_models(load_models().names(), current)
        except Exception as exc:  # noqa: BLE001 - the rest of the pane works without the selector
            self.notify(f"model table unavailable: {exc}", severity="warning")

    def set_models(self, names: Iterable[str], current: str | None) -> None:
        """Fill the model selector; setting it this way never posts ModelChanged."""
        names = list(dict.fromkeys(names))
        if current and current not in names:
            names.insert(0, current)
        self.current_model = current
        select = self.query_one("#stats-model", Select)
        with select.prevent(Select.Changed):
            select.set_options([(Content(name), name) for name in names])     # names from models.toml: no markup
            if current:
                select.value = current

    def set_report(self, report: CheckReport, model_info: ModelInfo | None = None) -> None:
        """Show a report's typed sections (tokens, cost, duplicates, stats) and file facts.

        Each section is formatted on its own; a malformed field shows "—" in its
        section instead of breaking the pane.
        """
        tokens = report.tokens
        per = tokens.per_example if tokens else None
        limit = as_int(per.limit if per else None) or as_int(model_info.token_limit if model_info else None)
        model = (model_info.name if model_info else None) or report.model or self.current_model
        model = model if isinstance(model, str) else None
        estimated = (tokens is not None and tokens.estimated is True) or report.exact_tokens is False

        heading = "Tokens per example" + (f" · limit {limit:,} ({model})" if limit else "")
        if estimated:
            heading += " · ≈ estimated"
        self.query_one("#stats-tokens-heading", Static).update(heading)
        self.query_one(TokenHistogram).set_data(tokens.histogram if tokens else None, limit)
        self.query_one("#stats-cost-heading", Static).update(f"Estimated cost{f' for {model}' if model else ''}")
        sections = {
            "#stats-token-summary": lambda: self._token_summary(per, limit, estimated),
            "#stats-dataset": lambda: self._dataset(report),
            "#stats-cost": lambda: self._cost(report.cost, model),
            "#stats-file": lambda: self._file(report, estimated),
        }
        for selector, build in sections.items():
            try:
                content = build()
            except Exception:  # malformed report field: show a dash, keep the pane alive
                content = Content(DASH)
            self.query_one(selector, Static).update(content)

    # -- formatting ----------------------------------------------------------

    @staticmethod
    def _token_summary(per: PerExample | None, limit: int | None, estimated: bool = False) -> Content:
        if per is None:
            return Content(DASH)
        parts = [f"{k} {num(getattr(per, k))}" for k in ("min", "p5", "p50", "p95", "max", "mean")]
        text = Content(" · ".join(parts).replace("p50", "median"))
        over = as_int(per.over_limit) or 0
        if limit:
            if over:
                text += Content.from_markup(
                    "\n[$text-error]✖ $n over the $limit-token limit[/] (truncated in training)",
                    n=f"{over:,} example{'s' if over != 1 else ''}", limit=num(limit),
                )
            elif estimated:   # an estimate never reassures: the counts are upper bounds or include guesses
                text += Content.from_markup("\n[$text-warning]≈[/] by estimate within the $limit-token limit "
                                            "(counts not exact: no guarantee)", limit=num(limit))
            else:
                text += Content.from_markup("\n[$text-success]✔[/] every example fits the $limit-token limit",
                                            limit=num(limit))
        return text

    @staticmethod
    def _dataset(report: CheckReport) -> Content:
        tokens = report.tokens
        msgs = report.stats.get("messages_per_example")   # the message_counts collector's entry
        if isinstance(msgs, dict):
            msgs_text = f"{num(msgs.get('min'))}–{num(msgs.get('max'))} (median {num(msgs.get('p50'))})"
        else:
            msgs_text = num(msgs)
        lines = [
            f"examples {num(report.examples)} · messages per example {msgs_text}",
            (f"tokens {num(tokens.total if tokens else None)} · "
             f"trained (assistant) {num(tokens.trained if tokens else None)}"),
            f"duplicates {StatsPane._duplicates(report.duplicates)}",
        ]
        return Content("\n".join(lines))

    @staticmethod
    def _duplicates(dups: DuplicateSummary | None) -> str:
        if dups is None:
            return DASH
        if dups.rows == 0:
            return "none"
        rows, groups = dups.rows, len(dups.groups)
        return f"{rows:,} duplicate row{'s' if rows != 1 else ''} in {groups:,} group{'s' if groups != 1 else ''}"

    @staticmethod
    def _cost(cost: CostEstimate | CostUnavailable | None, model: str | None) -> Content:
        if cost is None:
            return Content(DASH)
        if isinstance(cost, CostUnavailable):
            return Content.from_markup("[$text-warning]▲[/] $error", error=cost.error)
        auto = " (auto)" if cost.epochs_auto else ""
        note = getattr(cost, "note", "")
        if cost.epochs is None and note:        # not billed per token (per hour, cannot train, nothing to train)
            return Content(f"n/a: {note}")
        text = Content(f"{num(cost.epochs)} epoch{'s' if cost.epochs != 1 else ''}{auto} · "
                       f"{num(cost.billed_tokens)} billed tokens")
        usd, price = cost.usd_reported, cost.price_per_1m
        if note:
            text += Content(f"\n{note}")
        if isinstance(usd, (int, float)):
            price_text = f"${float(price):,.2f}" if isinstance(price, (int, float)) else DASH
            at_most = "at most " if getattr(cost, "upper_bound", False) else ""
            text += Content.from_markup("\n[b $text-success]≈ $usd[/] at $price per 1M training tokens",
                                        usd=f"{at_most}${float(usd):,.2f}", price=price_text)
        else:
            text += Content(f"\nno published per-token price for {model or 'this model'}")
        source = " ".join(str(v or "") for v in (cost.price_source, cost.price_date)).strip()
        if source:
            text += Content.from_markup("\n[dim]price: $source[/]", source=source)
        return text

    @staticmethod
    def _file(report: CheckReport, estimated: bool) -> Content:
        facts = report.facts
        bad = any(f.check == "invalid_utf8" for f in report.findings)
        text_encoding = "not valid UTF-8 (see findings)" if bad else "UTF-8"
        yes_no = {True: "yes", False: "no", None: DASH}
        lines = [
            (f"format {report.format or facts.layout or DASH} · encoding {text_encoding} · "
             f"BOM {yes_no.get(facts.bom, DASH)}"),
            (f"line endings {facts.line_endings or DASH} · final newline {yes_no.get(facts.final_newline, DASH)} · "
             f"size {human_bytes(facts.size)} · lines {num(facts.lines)}"),
            f"tokenizer {report.encoding or DASH}",
        ]
        text = Content("\n".join(lines))
        if estimated:
            text += Content.from_markup("\n[$text-warning]▲ token counts are estimates[/] (tokenizer files unavailable)")
        return text

    # -- events --------------------------------------------------------------

    @on(Select.Changed, "#stats-model")
    def _model_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value
        if value is Select.NULL or not isinstance(value, str) or not value or value == self.current_model:
            return
        self.current_model = value
        self.post_message(self.ModelChanged(value))

    def action_choose_model(self) -> None:
        select = self.query_one("#stats-model", Select)
        select.focus()
        select.expanded = True
