"""Bulk fixes: plan (preview) and apply as ONE undo step, each with a line-by-line report.

A fix is a function `(session, **params) -> FixPlan`; it reads the session's
current rows and never changes them. `EditSession.apply_fix(name, **params)`
turns the plan into new piece-table segments in one pass (untouched rows stay
Runs of the original file), and `preview_fix` returns the plan's report.

Fixes: dedupe, drop_invalid, strip_whitespace (here); rename_near_miss,
drop_extra_keys, to_chat (fixes_convert.py); drop_over_limit,
truncate_over_limit (fixes_tokens.py); to_jsonl (fixes_jsonl.py).
Splitting into train/validation files is `fixes_split.split_dataset`.
"""

from __future__ import annotations

import hashlib
import inspect
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Callable, Iterator

import orjson

from tunescope.dataset.formats import RecordKind
from tunescope.editing.ops import compact_dumps, strip_whitespace as strip_obj
from tunescope.editing.table import Piece, Run, line_eol
from tunescope.dataset.index import BOM


class FixError(ValueError):
    """A fix cannot run on this data (bad parameter, unparseable document); nothing changed."""


@dataclass(frozen=True, slots=True)
class FixChange:
    row: int              # 0-based row in the buffer before the fix (for inserts: position in the result)
    line: int | None      # 1-based line in the indexed file; None for rows inserted earlier
    action: str           # "deleted" | "changed" | "inserted"
    reason: str

    def describe(self) -> str:
        where = f"line {self.line}" if self.line is not None else f"row {self.row + 1}"
        return f"{where}: {self.action}: {self.reason}"


@dataclass
class FixReport:
    fix: str
    description: str
    changes: list[FixChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # things seen but left alone, and why

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def summary(self) -> str:
        parts = [f"{self.count(a)} {a}" for a in ("deleted", "changed", "inserted") if self.count(a)]
        return f"{self.description}: " + (", ".join(parts) if parts else "nothing to change")


@dataclass
class FixPlan:
    """What a fix would do: row -> new bytes (None deletes it), or a whole new set of rows."""

    report: FixReport
    rows: dict[int, bytes | None] = field(default_factory=dict)
    replacement: list[bytes] | None = None

    def change(self, session, row: int, data: bytes | None, reason: str) -> None:
        self.rows[row] = data
        self.report.changes.append(FixChange(row, _line_of(session, row),
                                             "deleted" if data is None else "changed", reason))

    def segments(self, session) -> list:
        """The session's rows after this plan, as piece-table segments."""
        if self.replacement is not None:
            return [Piece(data) for data in self.replacement]
        changed = sorted(self.rows)
        out: list = []
        for first, seg in _iter_segments(session):
            lo = bisect_left(changed, first)
            hi = bisect_left(changed, first + seg.count)
            if lo == hi:
                out.append(seg)
                continue
            if isinstance(seg, Piece):
                data = self.rows[first]
                if data is not None:
                    out.append(Piece(data, seg.index, seg.origin, seg.eol))
                continue
            at = seg.start
            for row in changed[lo:hi]:
                line = seg.start + row - first
                if line > at:
                    out.append(Run(seg.index, at, line - at))
                data = self.rows[row]
                if data is not None:
                    out.append(Piece(data, seg.index, line, line_eol(seg.index, line)))
                at = line + 1
            if at < seg.start + seg.count:
                out.append(Run(seg.index, at, seg.start + seg.count - at))
        return out


def _iter_segments(session):
    row = 0
    for seg in session.segments:
        yield row, seg
        row += seg.count


def _line_of(session, row: int) -> int | None:
    origin = session.origin(row)
    return None if origin is None else origin + 1


# -- reading rows ---------------------------------------------------------------
@dataclass(slots=True)
class Row:
    row: int
    data: bytes
    obj: object | None
    kind: RecordKind
    near_miss: str | None = None
    problem: str = ""     # why the row is invalid/unknown, for reports


def classify(data: bytes, method: str | None = None) -> Row:
    """Parse one row and name its format (formats.detect), never raising."""
    if not data.strip():
        return Row(0, data, None, RecordKind.BLANK, problem="blank line")
    if data.startswith(BOM):  # a BOM inside the file (concatenated files): the checks parse past it
        data = data[len(BOM):]
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as err:   # orjson calls this "surrogates not allowed"
            return Row(0, data, None, RecordKind.INVALID, problem=f"not UTF-8 text (byte {err.start + 1})")
        return Row(0, data, None, RecordKind.INVALID, problem=f"not valid JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(obj, dict):
        return Row(0, data, obj, RecordKind.INVALID, problem=f"a JSON {type(obj).__name__}, not an object")
    from tunescope.dataset.formats import detect
    kind, near = detect(obj, method)
    return Row(0, data, obj, kind, near, problem="")


def iter_rows(session, method: str | None = None) -> Iterator[Row]:
    for i, data in enumerate(session.iter_rows()):
        r = classify(data, method)
        r.row = i
        yield r


def canonical_key(obj) -> bytes:
    """Digest of the canonical JSON (sorted keys, no spaces): equal data, equal key."""
    try:
        canon = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        import json
        canon = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.blake2b(canon, digest_size=16).digest()


# -- fixes in this module -----------------------------------------------------------
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
            kept_line = _line_of(session, kept)
            where = f"line {kept_line}" if kept_line is not None else f"row {kept + 1}"
            plan.change(session, r.row, None, f"duplicate of {where}")
    return plan


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
            from tunescope.dataset.formats import near_miss_text
            why = f"{near_miss_text(r.near_miss or '')[0]} (rename_near_miss may convert it)"
        elif kind == RecordKind.UNKNOWN:
            why = why or "a JSON object in no supported format (keys: " + ", ".join(list(r.obj)[:5]) + ")"
        plan.change(session, r.row, None, why or kind.value)
    return plan


def fix_strip_whitespace(session) -> FixPlan:
    """Strip leading/trailing whitespace from every message content (not legacy rows)."""
    plan = FixPlan(FixReport("strip_whitespace", "strip whitespace around message contents"))
    for r in iter_rows(session):
        if isinstance(r.obj, dict) and r.kind != RecordKind.PROMPT_COMPLETION and strip_obj(r.obj):
            plan.change(session, r.row, compact_dumps(r.obj), "whitespace stripped from contents")
    return plan


# -- registry -----------------------------------------------------------------------
def _registry() -> dict[str, Callable[..., FixPlan]]:
    from tunescope.editing.fixes import convert as fixes_convert
    from tunescope.editing.fixes import jsonl as fixes_jsonl
    from tunescope.editing.fixes import tokens as fixes_tokens
    return {
        "dedupe": fix_dedupe,
        "drop_invalid": fix_drop_invalid,
        "strip_whitespace": fix_strip_whitespace,
        "rename_near_miss": fixes_convert.fix_rename_near_miss,
        "drop_extra_keys": fixes_convert.fix_drop_extra_keys,
        "to_chat": fixes_convert.fix_to_chat,
        "drop_over_limit": fixes_tokens.fix_drop_over_limit,
        "truncate_over_limit": fixes_tokens.fix_truncate_over_limit,
        "to_jsonl": fixes_jsonl.fix_to_jsonl,
    }


FIX_NAMES = ("dedupe", "drop_invalid", "strip_whitespace", "rename_near_miss", "drop_extra_keys",
             "to_chat", "drop_over_limit", "truncate_over_limit", "to_jsonl")


def plan_fix(session, name: str, **params) -> FixPlan:
    fixes = _registry()
    if name not in fixes:
        raise FixError(f"unknown fix {name!r}; known: {', '.join(FIX_NAMES)}")
    fn = fixes[name]
    try:
        inspect.signature(fn).bind(session, **params)
    except TypeError as exc:
        raise FixError(f"fix {name}: {exc}") from None
    return fn(session, **params)
