"""Plain-text rendering of a CheckReport for the terminal (80 columns, no colour library)."""

from __future__ import annotations

import textwrap
from collections import defaultdict

from tunescope.checks.findings import Severity
from tunescope.checks.report import CheckReport
from tunescope.checks.report_sections import TokenSummary
from tunescope.tokens.cost import CostEstimate, CostUnavailable
from tunescope.tokens.models import load_models
from tunescope.tokens.retirement import deadline_line

WIDTH = 80
SEV_MARK = {Severity.ERROR: "E", Severity.WARNING: "W", Severity.INFO: "i"}


def _n(v) -> str:
    return "-" if v is None else f"{v:,}"


def count_phrase(n: int, word: str) -> str:
    """The count with its word, plural unless one ("3 errors", "1 example")."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _header(text: str) -> list[str]:
    return textwrap.wrap(text, width=WIDTH, initial_indent="  ", subsequent_indent="    ")


def _lines_list(lines: list[int], limit: int = 12, unlisted: int = 0) -> str:
    shown = ", ".join(str(x) for x in lines[:limit])
    more = max(0, len(lines) - limit) + unlisted
    return shown + (f", ... (+{more:,})" if more else "")


def _deadline(model: str) -> str | None:
    """The model's shutdown or OpenAI's job cutoff when near (tokens.retirement); None otherwise."""
    try:
        table = load_models()
        info = table.get(model)
    except Exception:  # noqa: BLE001  (unknown model or broken table: the findings already say so)
        return None
    return deadline_line(info, table.wind_down)


def render_text(report: CheckReport, max_findings: int = 20) -> str:
    out: list[str] = []
    s = report.summary
    t = report.tokens or TokenSummary()
    pe = t.per_example
    out.append(report.file if len(report.file) <= WIDTH else "…" + report.file[-(WIDTH - 1):])   # keeps the name
    out.extend(_header(f"format {report.format}, {count_phrase(report.examples, 'example')} on "
                       f"{count_phrase(report.lines, 'line')}, {report.facts.size:,} bytes, {report.facts.line_endings}"))
    out.append(f"  {count_phrase(s['errors'], 'error')}, {count_phrase(s['warnings'], 'warning')}, {count_phrase(s['infos'], 'info')}")
    out.extend(_header(f"model {report.model} ({report.encoding}), limit {_n(pe.limit)} tokens/example"))
    deadline = _deadline(report.model)
    if deadline:
        out.extend(_header(f"deadline: {deadline}"))
    if t.estimated:
        out.extend(_header(f"token counts are ESTIMATES and upper bounds (they err high): the {report.encoding} "
                           "encoding file is missing (see `tunescope encodings status`)"))
    if t.assumed_image_tokens:
        out.extend(_header(f"{t.assumed_image_tokens:,} of the tokens are guesses for images of unknown size "
                           "(1024x1024 assumed): counts are not exact"))
    if pe.count:
        out.append(f"  tokens/example min {_n(pe.min)}  p5 {_n(pe.p5)}  median {_n(pe.p50)}  "
                   f"p95 {_n(pe.p95)}  max {_n(pe.max)}")
        out.append(f"  total {_n(t.total)} tokens, trained {_n(t.trained)}, over limit {pe.over_limit:,}")
    groups = report.duplicates.groups if report.duplicates else []
    if groups:
        out.append(f"  duplicates: {report.duplicates.rows:,} extra copies in {len(groups):,} groups "
                   f"(lines {_lines_list(groups[0], 4)}{', ...' if len(groups) > 1 else ''})")
    c = report.cost
    if isinstance(c, CostEstimate):
        usd = c.usd_reported
        price = "n/a" if usd is None else ("at most " if c.upper_bound else "") + f"${usd:,.2f}"
        if c.epochs is None:
            out.extend(_header(f"cost n/a: {c.note}" if c.note else "cost n/a"))
        else:
            auto = " (auto)" if c.epochs_auto else ""
            out.append(f"  {count_phrase(c.epochs, 'epoch')}{auto}, {_n(c.billed_tokens)} billed tokens, est. {price}")
            if c.note:
                out.extend(_header(c.note))
        if c.price_per_1m is not None:
            src = f"  price ${c.price_per_1m}/1M training tokens as of {c.price_date or '?'}"
            out.extend(textwrap.wrap(f"{src}; source: {c.price_source or 'model table'}", width=WIDTH,
                                     subsequent_indent="    "))
        elif c.price_per_hour is not None:
            out.append(f"  billed per hour of training (${c.price_per_hour}/h), not per token")
    elif isinstance(c, CostUnavailable) and c.error:
        out.append(f"  cost: {c.error}")
    if report.cancelled:
        out.append("  (cancelled: partial results)")
    groups: dict[str, list] = defaultdict(list)
    for f in report.sorted_findings():
        groups[f.check].append(f)
    if groups:
        out.append("")
        out.append("Findings by check")
    wrap = textwrap.TextWrapper(width=WIDTH, initial_indent="      ", subsequent_indent="      ")
    totals = report.counts_by_check
    for check, items in groups.items():
        first = items[0]
        total = max(totals.get(check, 0), len(items))      # findings past the per-check cap are only counted
        lines = sorted({f.line for f in items if f.line})
        where = f" lines {_lines_list(lines, unlisted=total - len(items))}" if lines else ""
        out.extend(textwrap.wrap(f"[{SEV_MARK[first.severity]}] {check} x{total:,}{where}", width=WIDTH,
                                 initial_indent="  ", subsequent_indent="      "))
        for f in items[:max_findings]:
            loc = f"line {f.line}" if f.line else "file"
            if f.path and f.path != "$":
                loc += f" {f.path}"
            out.extend(textwrap.wrap(f"{loc}: {f.message}", width=WIDTH, initial_indent="    ",
                                     subsequent_indent="      "))
            if f.hint and f is first:
                out.extend(wrap.wrap(f"fix: {f.hint}"))
        if total > max_findings:
            out.append(f"    ... {total - max_findings:,} more (--max-findings N, or --format json)")
    return "\n".join(out) + "\n"
