"""Fixes for examples over the model's per-example token limit.

Counts come from `tokens.TokenCounter.count_record` (the same formula the
checks and cost use). `truncate_over_limit` keeps the longest prefix of a
chat example that ends on a trained assistant message and fits; examples
that cannot be cut that way (no such prefix, or not chat data) are deleted,
and the report says so for each.

Each plan function is followed by its declaration in the fix registry (registry.py);
both take the model (or a counter and a limit) through the same MODEL_OPTIONS.
"""

from __future__ import annotations

from tunescope.dataset.formats import RecordKind
from tunescope.editing.fixes.plan import FixError, FixPlan, FixReport
from tunescope.editing.fixes.registry import Option, fix
from tunescope.editing.fixes.rows import iter_rows
from tunescope.editing.ops import compact_dumps
from tunescope.tokens.count import TokenCounter
from tunescope.tokens.encodings import EncodingUnavailable
from tunescope.tokens.models import load_models

COUNTED = (RecordKind.CHAT, RecordKind.PREFERENCE, RecordKind.REINFORCEMENT, RecordKind.PROMPT_COMPLETION)


def resolve_counter(model: str | None, counter, limit: int | None, allow_estimate: bool = False):
    """(counter, limit): given ones win, else taken from the model table."""
    if counter is not None and limit is not None:
        return counter, limit
    try:
        info = load_models().get(model)
    except KeyError as exc:
        raise FixError(str(exc)) from None
    if limit is None:
        limit = info.token_limit
    if limit is None:
        raise FixError(f"the model table has no token limit for {info.name}; give one with --limit")
    if counter is None:
        try:
            counter = TokenCounter(info.encoding, allow_estimate=allow_estimate)
        except EncodingUnavailable as exc:
            raise FixError(str(exc)) from None
    return counter, int(limit)


def _over_limit(session, counter, limit):
    for r in iter_rows(session):
        if r.kind not in COUNTED or not isinstance(r.obj, dict):
            continue
        total = counter.count_record(r.obj, r.kind).total
        if total > limit:
            yield r, total


def fix_drop_over_limit(session, model: str | None = None, counter=None, limit: int | None = None,
                        allow_estimate: bool = False) -> FixPlan:
    counter, limit = resolve_counter(model, counter, limit, allow_estimate)
    plan = FixPlan(FixReport("drop_over_limit", f"remove examples over {limit:,} tokens"))
    for r, total in _over_limit(session, counter, limit):
        plan.change(session, r.row, None, f"{total:,} tokens > limit {limit:,}")
    return plan


# `tunescope fix` flags for both fixes (listed once, after the last of them)
MODEL_OPTIONS = (
    Option("--model", "model", "model for the token limit and encoding"),
    Option("--limit", "limit", "token limit (default: the model's)", metavar="TOKENS", type=int),
    Option("--allow-estimate", "allow_estimate", "estimate tokens if an encoding file is missing", switch=True),
)

DROP_OVER_LIMIT = fix(
    "drop_over_limit", fix_drop_over_limit, order=80, menu=70, needs_model=True,
    label="Drop examples over the token limit", description="Delete examples longer than the model allows.",
    cli_flag="--drop-over-limit", cli_help="remove examples over the model's token limit",
    options=MODEL_OPTIONS, exclusive="over_limit", resolves=("over_token_limit",))


def _truncated(obj: dict, counter, limit: int) -> tuple[dict, int, int] | None:
    """Longest prefix ending on a trained assistant message that fits: (obj, tokens, dropped)."""
    msgs = obj.get("messages")
    if not isinstance(msgs, list):
        return None
    for end in range(len(msgs) - 1, 0, -1):
        msg = msgs[end - 1]
        if not (isinstance(msg, dict) and msg.get("role") == "assistant" and msg.get("weight", 1) != 0):
            continue
        head = msgs[:end]
        if not any(isinstance(m, dict) and m.get("role") == "user" for m in head):
            break
        candidate = {**obj, "messages": head}
        total = counter.count_record(candidate, RecordKind.CHAT).total
        if total <= limit:
            return candidate, total, len(msgs) - end
    return None


def fix_truncate_over_limit(session, model: str | None = None, counter=None, limit: int | None = None,
                            allow_estimate: bool = False) -> FixPlan:
    counter, limit = resolve_counter(model, counter, limit, allow_estimate)
    plan = FixPlan(FixReport("truncate_over_limit", f"truncate examples over {limit:,} tokens"))
    for r, total in _over_limit(session, counter, limit):
        cut = _truncated(r.obj, counter, limit) if r.kind == RecordKind.CHAT else None
        if cut is None:
            why = "no prefix ending on an assistant reply fits" if r.kind == RecordKind.CHAT \
                else f"{r.kind.value} examples cannot be truncated"
            plan.change(session, r.row, None, f"{total:,} tokens > limit {limit:,}; deleted: {why}")
            continue
        obj, new_total, dropped = cut
        plan.change(session, r.row, compact_dumps(obj),
                    f"{total:,} -> {new_total:,} tokens: dropped the last {dropped} message(s)")
    return plan


TRUNCATE_OVER_LIMIT = fix(
    "truncate_over_limit", fix_truncate_over_limit, order=90, menu=80, needs_model=True,
    label="Truncate examples over the token limit",
    description="Drop trailing turns until each example fits the model's limit and ends on an assistant reply.",
    cli_flag="--truncate-over-limit", cli_help="drop trailing turns so examples fit and end on an assistant message",
    options=MODEL_OPTIONS, exclusive="over_limit", resolves=("over_token_limit",))
