"""Fixes for examples over the model's per-example token limit.

Counts come from `tokens.TokenCounter.count_record` (the same formula the
checks and cost use). `truncate_over_limit` keeps the longest prefix of a
chat example that ends on a trained assistant message and fits; examples
that cannot be cut that way (no such prefix, or not chat data) are deleted,
and the report says so for each.
"""

from __future__ import annotations

from tunescope.dataset.formats import RecordKind
from tunescope.editing.ops import compact_dumps
from tunescope.editing.fixes.plan import FixError, FixPlan, FixReport, iter_rows

COUNTED = (RecordKind.CHAT, RecordKind.PREFERENCE, RecordKind.REINFORCEMENT, RecordKind.PROMPT_COMPLETION)


def resolve_counter(model: str | None, counter, limit: int | None, allow_estimate: bool = False):
    """(counter, limit): given ones win, else taken from the model table."""
    if counter is not None and limit is not None:
        return counter, limit
    from tunescope.tokens.models import load_models
    try:
        info = load_models().get(model)
    except KeyError as exc:
        raise FixError(str(exc)) from None
    if limit is None:
        limit = info.token_limit
    if limit is None:
        raise FixError(f"the model table has no token limit for {info.name}; give one with --limit")
    if counter is None:
        from tunescope.tokens.encodings import EncodingUnavailable
        from tunescope.tokens.count import TokenCounter
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
