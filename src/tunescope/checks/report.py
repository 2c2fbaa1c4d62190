"""The result of checking a file, and its JSON form (documented in the README)."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

from tunescope.checks.model import ExampleSummary
from tunescope.checks.file.rules import FileFacts
from tunescope.checks.findings import Finding, Severity
from tunescope.checks.report_sections import DuplicateSummary, PerExample, TokenSummary
from tunescope.tokens.cost import CostEstimate, CostUnavailable

HISTOGRAM_BINS = 20


class TokenStats:
    """Running token totals; memory is 4 bytes per example."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self.totals = array("I")
        self.total = 0
        self.trained = 0
        self.sum_capped = 0
        self.over_limit = 0
        self.estimated = False
        self.images = 0                # tokens of images whose size was assumed (guesses), included in total

    def add(self, summary: ExampleSummary) -> None:
        t = summary.tokens
        if t is None:
            return
        self.totals.append(t.total)
        self.total += t.total
        self.trained += t.trained
        self.images += t.assumed_images
        self.estimated = self.estimated or t.estimated
        if self.limit and t.total > self.limit:
            self.over_limit += 1
            self.sum_capped += self.limit
        else:
            self.sum_capped += t.total

    def merge(self, other: "TokenStats") -> None:
        self.totals.extend(other.totals)
        self.total += other.total
        self.trained += other.trained
        self.sum_capped += other.sum_capped
        self.over_limit += other.over_limit
        self.images += other.images
        self.estimated = self.estimated or other.estimated

    def summary(self) -> TokenSummary:
        values = _sorted(self.totals)
        n = len(values)

        def at(q: float) -> int | None:
            return values[min(n - 1, int(n * q))] if n else None

        per_example = PerExample(
            count=n, min=values[0] if n else None, p5=at(0.05), p50=at(0.5), p95=at(0.95),
            max=values[-1] if n else None, mean=round(self.total / n, 1) if n else None,
            over_limit=self.over_limit, limit=self.limit)
        return TokenSummary(total=self.total, trained=self.trained, billable_per_epoch=self.sum_capped,
                            estimated=self.estimated, assumed_image_tokens=self.images, per_example=per_example,
                            histogram=histogram(values, self.limit))


def _sorted(totals: array) -> array:
    """The totals sorted, as a compact array (a list of two million ints would take ~70 MB)."""
    import numpy as np   # the main process sorts once per file; workers never need numpy for this

    return array("I", np.sort(np.frombuffer(totals, dtype=np.uint32)).tobytes()) if len(totals) else array("I")


def histogram(values: list[int] | array, limit: int | None, bins: int = HISTOGRAM_BINS) -> list[list[int]]:
    """[[lo, hi, count], ...] over sorted values (lo inclusive, hi exclusive).

    Equal-width bins up to the maximum; when examples exceed the limit, limit + 1
    is a bin edge, so no bin mixes examples within the limit with examples over it.
    """
    if not values:
        return []
    top = max(values[-1], 1) + 1
    edge = limit + 1 if limit else None            # values <= limit are within it
    if edge and edge < top:
        below = max(1, min(bins - 1, round(bins * edge / top)))
        edges = [i * edge // below for i in range(below)]
        above = bins - below
        edges += [edge + i * (top - edge) // above for i in range(above)]
    else:
        edges = [i * top // bins for i in range(bins)]
    edges = sorted(set(edges)) + [top]
    counts = [bisect_left(values, edges[i + 1]) - bisect_left(values, edges[i]) for i in range(len(edges) - 1)]
    return [[edges[i], edges[i + 1], counts[i]] for i in range(len(counts))]


@dataclass
class CheckReport:
    """Everything `tunescope check` prints, the TUI shows and the server validates with."""

    file: str
    model: str
    encoding: str
    facts: FileFacts
    format: str = "unknown"
    examples: int = 0
    findings: list[Finding] = field(default_factory=list)
    tokens: TokenSummary | None = None          # None (JSON {}) when the run was cancelled
    cost: CostEstimate | CostUnavailable | None = None
    duplicates: DuplicateSummary | None = None
    # One entry per dataset collector (kinds, format, system_prompts, replies, ...): open-ended, so a
    # mapping the collectors fill in rather than one class every collector would have to change.
    stats: dict[str, object] = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)
    exact_tokens: bool = True                   # False when counts are estimated or include assumed image sizes
    elapsed: float = 0.0
    cancelled: bool = False
    validation: "CheckReport | None" = None
    omitted: Counter = field(default_factory=Counter)   # (check, severity) -> findings counted, not kept

    @property
    def omitted_by_check(self) -> dict[str, int]:
        out: Counter = Counter()
        for (check, _sev), n in self.omitted.items():
            out[check] += n
        return dict(out)

    @property
    def lines(self) -> int:
        return self.facts.lines

    @property
    def summary(self) -> dict:
        c = Counter(f.severity for f in self.findings)
        for (_check, sev), n in self.omitted.items():
            c[sev] += n
        return {"errors": c[Severity.ERROR], "warnings": c[Severity.WARNING], "infos": c[Severity.INFO]}

    @property
    def counts_by_check(self) -> dict[str, int]:
        c = Counter(f.check for f in self.findings)
        c.update(self.omitted_by_check)
        return dict(c.most_common())

    @property
    def ok(self) -> bool:
        return self.summary["errors"] == 0

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (-f.severity.rank, f.check, f.line or 0))

    def to_json(self) -> dict:
        out = {
            "file": self.file, "format": self.format, "model": self.model, "encoding": self.encoding,
            "exact_tokens": self.exact_tokens, "examples": self.examples, "lines": self.lines,
            "summary": self.summary, "counts_by_check": self.counts_by_check,
            "findings": [f.to_dict() for f in self.findings],
            "tokens": _section(self.tokens), "cost": _section(self.cost), "duplicates": _section(self.duplicates),
            "file_facts": self.facts.to_dict(), "kinds": self.kinds, "stats": self.stats,
            "elapsed_seconds": round(self.elapsed, 3),
        }
        if self.omitted:   # counted in summary/counts_by_check, not listed
            out["findings_omitted"] = self.omitted_by_check
        if self.validation is not None:
            v = self.validation
            out["validation"] = {"file": v.file, "format": v.format, "examples": v.examples,
                                 "summary": v.summary, "counts_by_check": v.counts_by_check,
                                 "findings": [f.to_dict() for f in v.findings], "tokens": _section(v.tokens)}
        return out


def _section(section) -> dict:
    """A typed report section's JSON form; {} where the report has none."""
    return {} if section is None else section.to_dict()
