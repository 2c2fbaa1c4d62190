"""Which rows a filter keeps: the filter menu's choices, their labels and one predicate per filter.

A filter is a `FilterSpec` (kind, value): `errors`, `warnings`, `over_limit`,
`duplicates`, `check:<id>` or `role:<role>`. Predicates read a `DatasetState`
and run in a worker over every row, so each is a cheap test per row.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, NamedTuple

import orjson

from tunescope.checks import by_tag
from tunescope.dataset.records import ROLE_GLYPH, messages_of
from tunescope.review.state import ERROR, WARNING, DatasetState

FIXED_FILTERS = [("all", "All examples (no filter)"), ("errors", "Examples with errors"),
                 ("warnings", "Examples with warnings"), ("over_limit", "Over the model's token limit"),
                 ("duplicates", "Duplicates"), ("near_duplicates", "Near-duplicates (by similarity)"),
                 ("privacy", "Secrets and personal data")]
FILTER_LABELS = {"errors": "errors", "warnings": "warnings", "over_limit": "over token limit",
                 "duplicates": "duplicates", "near_duplicates": "near-duplicates",
                 "privacy": "secrets and personal data"}
TAG_FILTERS = {"near_duplicates": "similar", "privacy": "privacy"}   # filter kind -> the check tag it keeps
GROUPED_FILTERS = {"duplicates": ("duplicates", "near_duplicates"),     # filter kind -> stats of its groups
                   "near_duplicates": ("near_duplicates",)}
ROLES = ("system", "developer", "user", "assistant", "tool")


class FilterSpec(NamedTuple):
    """One filter: its kind and, for `check` and `role`, the check id or role it keeps."""

    kind: str
    value: str | None = None

    @property
    def key(self) -> str:
        """The filter menu's key for it, e.g. `errors` or `check:empty_content`."""
        return f"{self.kind}:{self.value}" if self.value is not None else self.kind

    @property
    def label(self) -> str:
        if self.kind == "check":
            return f"check {self.value}"
        if self.kind == "role":
            return f"role {self.value}"
        return FILTER_LABELS.get(self.kind, self.kind)


def filter_from_key(key: str) -> FilterSpec | None:
    """The filter a menu key stands for (None for `all`)."""
    kind, _, value = key.partition(":")
    return None if kind == "all" else FilterSpec(kind, value or None)


def filter_options(report) -> list[tuple[str, str]]:
    """(key, label) choices: the fixed filters, then each check present on some line, then each role."""
    options = list(FIXED_FILTERS)
    per_line = Counter(f.check for f in (getattr(report, "findings", None) or []) if f.line is not None)
    for check, count in per_line.most_common():
        options.append((f"check:{check}", f"Check {check} ({count:,})"))
    for role in ROLES:
        article = "an" if role == "assistant" else "a"
        options.append((f"role:{role}", f"Has {article} {role} message"))
    return options


def filter_groups(state: DatasetState, spec: FilterSpec) -> list[list[int]]:
    """The session rows of each duplicate group the shown report lists, for the duplicates filters, in
    order of their first rows (the one a dedupe keeps), each group's rows in order: a copy is judged
    next to what it copies, and the first is not flagged itself. Groups that share a row (an exact copy
    is a near one too) are one; rows since deleted are left out, and groups left with one row. [] for
    other filters and for pretty-printed files (an object spans many rows)."""
    keys = GROUPED_FILTERS.get(spec.kind)
    if keys is None or state.documents is not None:
        return []
    live = state.live
    stats = getattr(live.report if live is not None else state.report, "stats", None) or {}
    origins = live.origins if live is not None else None
    group_of: dict[int, set] = {}          # row -> its (merged) group
    for key in keys:
        for lines in (stats.get(key) or {}).get("groups") or ():
            rows = set()
            for line in lines:
                if origins is not None:       # the live report's lines are the rows it was written from
                    origin = origins[line - 1] if 0 < line <= len(origins) else -1
                    if origin < 0:
                        continue
                    line = origin + 1
                row = state.row_for_line(line)
                if row is not None:
                    rows.add(row)
            for other in {id(g): g for g in map(group_of.get, rows) if g is not None}.values():
                rows |= other
            for row in rows:
                group_of[row] = rows
    groups = {id(g): sorted(g) for g in group_of.values() if len(g) > 1}
    return sorted(groups.values())


def row_predicate(state: DatasetState, spec: FilterSpec) -> Callable[[int], bool]:
    """A test on session rows for one filter."""
    kind, value = spec
    if kind == "errors":
        return lambda row: state.status(row) >= ERROR
    if kind == "warnings":
        return lambda row: state.status(row) >= WARNING and any(
            f.severity.value == "warning" for f in state.findings(row))
    if kind == "over_limit":
        limit = state.token_limit or 0
        return lambda row: bool(limit) and state.tokens(row) > limit
    if kind == "duplicates":   # repeated examples (checks tagged "duplicates"), not repeated tool call ids
        repeats = by_tag("duplicates")
        return lambda row: state.status(row) > 1 and any(f.check in repeats for f in state.findings(row))
    if kind in TAG_FILTERS:
        tagged = by_tag(TAG_FILTERS[kind])
        return lambda row: state.status(row) > 1 and any(f.check in tagged for f in state.findings(row))
    if kind == "check":
        return lambda row: state.status(row) > 1 and any(f.check == value for f in state.findings(row))
    if kind == "role":
        wanted = {value, *(r for r, letter in ROLE_GLYPH.items() if letter == value)}

        def has_role(row: int) -> bool:
            try:
                obj = orjson.loads(state.data(row))
            except orjson.JSONDecodeError:
                return False
            return isinstance(obj, dict) and any(
                isinstance(m, dict) and m.get("role") in wanted for m in messages_of(obj) or ())
        return has_role
    raise ValueError(f"unknown filter {kind!r}")
