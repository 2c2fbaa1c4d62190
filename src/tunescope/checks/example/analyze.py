"""Per-example validation: `analyze_line` (bytes -> parsed object + RecordAnalysis) and `token_findings`.

Modules by area: parse (bytes/JSON), schema (top-level keys), messages and
roles (message shape and order), tools (definitions and the call graph),
weight, vision (content parts), content (text scans), chat / preference /
reinforcement / legacy (per format), nearmiss. Each module declares the checks
it emits (checks/registry.py); the internal and token checks are declared here.
Dataset-wide checks live in tunescope.checks.dataset.aggregator.
"""

from __future__ import annotations

import re
from dataclasses import replace

import orjson

from tunescope.checks.model import CheckOptions, ExampleSummary, RecordAnalysis, RecordKind
from tunescope.checks.example.chat import analyze_messages_row
from tunescope.checks.context import Ctx
from tunescope.checks.keys import SORTED, digest_bytes
from tunescope.checks.example.legacy import analyze_legacy
from tunescope.checks.example.nearmiss import analyze_near_miss
from tunescope.checks.example.parse import parse_line
from tunescope.checks.example.preference import analyze_preference
from tunescope.checks.example.privacy.sensitive import scan_sensitive
from tunescope.checks.example.schema import method_mismatch, unknown_format
from tunescope.checks.example.weight import ALL_ASSISTANT_WEIGHT_ZERO
from tunescope.checks.registry import W, Finding, check
from tunescope.dataset.formats import detect
from tunescope.quality.similarity import record_signature
from tunescope.dataset.records import preview, roles

INTERNAL_ERROR = check("internal_error", W, "internal", "Check failed internally",
                       "tunescope could not finish checking this example (a bug); other findings may be missing.")
OVER_TOKEN_LIMIT = check("over_token_limit", W, "tokens", "Over the token limit",
                         "The example exceeds the model's per-example limit and will be truncated from the end (K01).",
                         ref="K01", tags=("tokens",))
NO_TRAINED_TOKENS = check("no_trained_tokens", W, "tokens", "No trained tokens",
                          "No assistant tokens are trained in this example (W05).", ref="W05", tags=("tokens",))

__all__ = ["analyze_line", "token_findings", "relocate_findings"]

_ANALYZERS = {
    RecordKind.CHAT: analyze_messages_row,
    RecordKind.REINFORCEMENT: analyze_messages_row,
    RecordKind.PREFERENCE: analyze_preference,
    RecordKind.PROMPT_COMPLETION: analyze_legacy,
    RecordKind.NEAR_MISS: analyze_near_miss,
}


def analyze_line(data: bytes, line: int, example: int, options: CheckOptions) -> tuple[object | None, RecordAnalysis]:
    """Parse and check one line (bytes without terminator). Never raises.

    Returns the parsed object (None when the line is not a JSON object) and its
    analysis. `line` is 1-based, `example` 0-based.
    """
    ctx = Ctx(line, example, options)
    obj = None
    an = None
    try:
        obj, blank = parse_line(data, ctx)
        if obj is None:
            return None, RecordAnalysis(kind=RecordKind.BLANK if blank else RecordKind.INVALID, findings=ctx.findings)
        kind, near = detect(obj, options.method)
        an = RecordAnalysis(kind=kind, findings=ctx.findings, near_miss=near)
        an.dedupe_key = digest_bytes(orjson.dumps(obj, option=SORTED))
        analyzer = _ANALYZERS.get(kind)
        if analyzer is None:
            unknown_format(ctx, obj)
        else:
            analyzer(obj, ctx, an)
        an.roles, an.preview = roles(obj, kind), preview(obj, kind, near)
        method_mismatch(ctx, kind)
        scan_sensitive(ctx, obj, an, data)
        if options.near_duplicate_threshold and analyzer is not None:     # off: skip the signature's cost
            an.similarity = record_signature(obj, kind)
        return obj, an
    except Exception as exc:  # a checker bug must never lose the example or crash a run
        ctx.add(INTERNAL_ERROR,
                f"tunescope could not finish checking line {line}: {type(exc).__name__}: {exc}",
                "This is a tunescope bug; please report it with the line. Other findings may be missing.")
        if an is None:
            an = RecordAnalysis(kind=RecordKind.UNKNOWN if isinstance(obj, dict) else RecordKind.INVALID,
                                findings=ctx.findings)
        return obj if isinstance(obj, dict) else None, an


def token_findings(summary: ExampleSummary, options: CheckOptions) -> list[Finding]:
    """Findings that need the example's token counts (limit, trained tokens)."""
    tokens = summary.tokens
    if tokens is None:
        return []
    out: list[Finding] = []
    an = summary.analysis
    limit = options.token_limit
    approx = "at most " if tokens.estimated else ""
    if limit and tokens.total > limit:
        over = (f"may be over the {limit:,}-token per-example limit of {options.model} (the count is an upper-bound "
                "estimate: the encoding file is missing); if it is, it will be truncated "
                f"(by up to {tokens.total - limit:,} tokens" if tokens.estimated else
                f"over the {limit:,}-token per-example limit of {options.model}; it will be truncated "
                f"(by {tokens.total - limit:,} tokens")
        out.append(Finding(
            OVER_TOKEN_LIMIT.id, OVER_TOKEN_LIMIT.severity,
            f"Example {summary.example + 1} has {approx}{tokens.total:,} tokens, {over}, "
            "removed from the end, so the final assistant reply is lost first).",
            "Shorten the example (drop early turns, trim long tool outputs or documents) or split it into "
            "several examples.", summary.line, summary.example, None, "$"))
    if an.kind is RecordKind.CHAT and tokens.trained == 0 and " A" in f" {an.roles}" \
            and not any(f.check == ALL_ASSISTANT_WEIGHT_ZERO.id for f in an.findings):
        out.append(Finding(
            NO_TRAINED_TOKENS.id, NO_TRAINED_TOKENS.severity,
            f"Example {summary.example + 1} has no trained assistant tokens: it is billed "
            f"({approx}{tokens.total:,} tokens) but teaches nothing.",
            "Give the assistant reply some content (or weight 1), or delete the example.",
            summary.line, summary.example, None, "$.messages"))
    return out


def relocate_findings(findings: list[Finding], line: int, example: int) -> list[Finding]:
    """Per-example findings moved to another line (e.g. a cached result for identical bytes).

    Rewrites `line`/`example` and the "Example N" / "line N" the messages quote.
    """
    out = []
    for f in findings:
        msg = f.message
        if f.example is not None and f.example != example:
            msg = _renumber(_EXAMPLE_N, msg, f.example + 1, example + 1)
        if f.line is not None and f.line != line:
            msg = _renumber(_LINE_N, msg, f.line, line)
        out.append(replace(f, line=line, example=example, message=msg))
    return out


# precompiled: a pattern built per finding cost ~70 us each (2M cached blank lines: minutes)
_EXAMPLE_N = re.compile(r"\bExample (\d+)\b")
_LINE_N = re.compile(r"\b[Ll]ine (\d+)\b")


def _renumber(pattern: re.Pattern, msg: str, old: int, new: int) -> str:
    """Replace the first number `old` that `pattern` captures in msg by `new`."""
    old_text = str(old)
    for m in pattern.finditer(msg):
        if m.group(1) == old_text:
            return msg[:m.start(1)] + str(new) + msg[m.end(1):]
    return msg
