"""Keep one example per group of near-duplicates (the group's first row), as the near_duplicate
check groups them: same signatures (tunescope.quality.similarity), same LSH grouping."""

from __future__ import annotations

from tunescope.editing.fixes.plan import FixError, FixPlan, FixReport, line_of
from tunescope.editing.fixes.registry import Option, fix
from tunescope.editing.fixes.rows import iter_rows
from tunescope.quality.near_groups import near_groups
from tunescope.quality.similarity import record_signature

DEFAULT_THRESHOLD = 0.8


def fix_dedupe_near(session, threshold: float | None = None) -> FixPlan:
    """Delete every near-duplicate but the first of its group (prompt and reply both at least
    `threshold` alike, default 0.8); rows with no prompt text are left alone."""
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    if not 0.5 <= threshold <= 1:
        raise FixError(f"near-duplicate threshold {threshold} is out of range: give a similarity from 0.5 to 1")
    plan = FixPlan(FixReport("dedupe_near", "keep one example per group of near-duplicates"))
    signatures = bytearray()
    rows: list[int] = []
    for r in iter_rows(session):
        sig = record_signature(r.obj, r.kind) if isinstance(r.obj, dict) else None
        if sig is not None:
            signatures += sig
            rows.append(r.row)
    for group in near_groups(signatures, threshold):
        kept = rows[group[0]]
        line = line_of(session, kept)
        where = f"line {line}" if line is not None else f"row {kept + 1}"
        for k in group[1:]:
            plan.change(session, rows[k], None, f"near-duplicate of {where}")
    return plan


DEDUPE_NEAR = fix(
    "dedupe_near", fix_dedupe_near, order=73, menu=23,
    label="Remove near-duplicates",
    description="Keep the first of each group of examples whose prompt and reply are nearly the same.",
    cli_flag="--dedupe-near", cli_help="remove near-duplicates (prompt and reply alike by MinHash), keep the first",
    options=(Option("--near-threshold", "threshold", "with --dedupe-near: similarity from 0.5 to 1 (default 0.8)",
                    metavar="SIMILARITY", type=float),),
    resolves=("near_duplicate",))
