"""Fixes that tidy rows without changing their format: strip whitespace, drop invalid lines, dedupe.

Each plan function is followed by its declaration in the fix registry (registry.py).
"""

from __future__ import annotations

import hashlib
import json

import orjson

from tunescope.dataset.formats import RecordKind, near_miss_text
from tunescope.editing.fixes.plan import FixPlan, FixReport, line_of
from tunescope.editing.fixes.registry import fix
from tunescope.editing.fixes.rows import iter_rows
from tunescope.editing.ops import compact_dumps
from tunescope.editing.ops import strip_whitespace as strip_obj


def fix_strip_whitespace(session) -> FixPlan:
    """Strip leading/trailing whitespace from every message content (not legacy rows)."""
    plan = FixPlan(FixReport("strip_whitespace", "strip whitespace around message contents"))
    for r in iter_rows(session):
        if isinstance(r.obj, dict) and r.kind != RecordKind.PROMPT_COMPLETION and strip_obj(r.obj):
            plan.change(session, r.row, compact_dumps(r.obj), "whitespace stripped from contents")
    return plan


STRIP_WHITESPACE = fix(
    "strip_whitespace", fix_strip_whitespace, order=50, menu=10,
    label="Strip whitespace", description="Remove whitespace and newlines around message texts.",
    cli_flag="--strip-whitespace", cli_help="strip whitespace around message contents",
    resolves=("surrounding_whitespace",))


DROP_KINDS = (RecordKind.INVALID, RecordKind.BLANK, RecordKind.UNKNOWN, RecordKind.NEAR_MISS)


def fix_drop_invalid(session, kinds=DROP_KINDS, method: str | None = None) -> FixPlan:
    """Remove rows that are not valid JSON objects or not in a supported training format
    (blank, invalid, unknown shape, near miss; `kinds` narrows that). The kinds are the
    ones the checks report (parse, then formats.detect, as checks.analyze_line does)."""
    kinds = {RecordKind(k) for k in kinds}
    plan = FixPlan(FixReport("drop_invalid", "remove invalid or unsupported lines"))
    for r in iter_rows(session, method):
        kind, why = r.kind, r.problem
        if kind not in kinds:
            continue
        if kind == RecordKind.NEAR_MISS:
            why = f"{near_miss_text(r.near_miss or '')[0]} (rename_near_miss may convert it)"
        elif kind == RecordKind.UNKNOWN:
            why = why or "a JSON object in no supported format (keys: " + ", ".join(list(r.obj)[:5]) + ")"
        plan.change(session, r.row, None, why or kind.value)
    return plan


DROP_INVALID = fix(
    "drop_invalid", fix_drop_invalid, order=60, menu=30,
    label="Drop invalid lines", description="Delete blank lines, lines that are not JSON, and non-objects.",
    cli_flag="--drop-invalid", cli_help="remove blank, invalid JSON, unknown-format and near-miss lines",
    resolves=("blank_line", "invalid_json", "not_an_object"))


def canonical_key(obj) -> bytes:
    """Digest of the canonical JSON (sorted keys, no spaces): equal data, equal key."""
    try:
        canon = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        canon = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.blake2b(canon, digest_size=16).digest()


def fix_dedupe(session) -> FixPlan:
    """Remove later copies of an example. Two rows are duplicates when their parsed JSON
    is equal: key order and spacing do not matter, values (and their types) do.
    Rows that are not JSON objects are left to drop_invalid."""
    plan = FixPlan(FixReport("dedupe", "remove duplicate examples"))
    first_row: dict[bytes, int] = {}
    for r in iter_rows(session):
        if not isinstance(r.obj, dict):
            continue
        key = canonical_key(r.obj)
        kept = first_row.setdefault(key, r.row)
        if kept != r.row:
            kept_line = line_of(session, kept)
            where = f"line {kept_line}" if kept_line is not None else f"row {kept + 1}"
            plan.change(session, r.row, None, f"duplicate of {where}")
    return plan


DEDUPE = fix(
    "dedupe", fix_dedupe, order=70, menu=20,
    label="Remove exact duplicates", description="Keep the first of each group of identical examples.",
    cli_flag="--dedupe", cli_help="remove exact duplicates (same JSON), keep the first",
    resolves=("duplicate_example",))
