"""The diff of two dataset versions in words: the 80-column report `tunescope diff` prints, and the rows of
changes the app lists (checks/version_diff.py computes; this only words it, from `VersionDiff.to_dict()`)."""

from __future__ import annotations

from dataclasses import dataclass

from tunescope.dataset.records import one_line

CHANGE_KINDS = (("changed_answers", "Changed answers (same prompt)", "answer"),
                ("rewritten", "Rewritten (same opening text)", "rewritten"),
                ("removed", "Removed", "removed"), ("added", "Added", "added"))
"""(key in VersionDiff.to_dict(), section title, a listed row's label), in the order they are shown."""


@dataclass(frozen=True)
class ChangeRow:
    """One listed change: its kind (a CHANGE_KINDS key), its lines in each version (None on the side it is
    not in) and the preview of the example."""

    kind: str
    old_line: int | None
    new_line: int | None
    preview: str


def change_rows(d: dict) -> list[ChangeRow]:
    """Every listed change, kind by kind in CHANGE_KINDS order."""
    rows = []
    for key, _title, _label in CHANGE_KINDS:
        for row in d[key]:
            if "old" in row:        # a pair: changed answer or rewritten
                rows.append(ChangeRow(key, row["old"]["line"], row["new"]["line"], row["new"]["preview"]))
            elif key == "removed":
                rows.append(ChangeRow(key, row["line"], None, row["preview"]))
            else:
                rows.append(ChangeRow(key, None, row["line"], row["preview"]))
    return rows


def summary_lines(d: dict) -> list[str]:
    """The two versions, the examples, tokens, cost, errors and warnings, then every check whose count moved."""
    old, new, ex = d["old"], d["new"], d["examples"]
    out = [f"{old['file']} -> {new['file']}",
           f"  examples  {delta(old['examples'], new['examples'])}",
           f"            {ex['unchanged']:,} unchanged, {_n(ex['changed_answers'], 'changed answer')}, "
           f"{ex['rewritten']:,} rewritten, {ex['removed']:,} removed, {ex['added']:,} added",
           f"  tokens    {delta(old['tokens'], new['tokens'])}",
           f"  trained   {delta(old['trained_tokens'], new['trained_tokens'])}"]
    if old["usd"] is not None or new["usd"] is not None:
        out.append(f"  cost      {delta(old['usd'], new['usd'], money=True)} (estimate)")
    for kind in ("errors", "warnings"):
        out.append(f"  {kind:<9} {delta(old['summary'][kind], new['summary'][kind])}")
    if d["checks"]:
        out.append("")
        out.append(f"  {'check':<40} {'old':>8} {'new':>8} {'change':>8}")
        for row in d["checks"]:
            change = row["new"] - row["old"]
            mark = "  more errors" if row["check"] in d["regressions"] else ""
            out.append(f"  {row['check'][:40]:<40} {row['old']:>8,} {row['new']:>8,} {change:>+8,}{mark}")
    return out


def text_report(d: dict) -> str:
    """80 columns: `summary_lines`, then the changes listed with their lines."""
    out = summary_lines(d)
    ex = d["examples"]
    for key, title, _label in CHANGE_KINDS:
        rows = d[key]
        if not rows:
            continue
        more = f" (first {len(rows)} of {ex[key]:,})" if ex[key] > len(rows) else ""
        out.append("")
        out.append(f"{title}{more}")
        for row in rows:
            if "old" in row:
                out.append(f"  line {row['old']['line']} -> line {row['new']['line']}: "
                           f"{one_line(row['new']['preview'], 50)}")
            else:
                out.append(f"  line {row['line']}: {one_line(row['preview'], 64)}")
    return "\n".join(out) + "\n"


def delta(a: float | int | None, b: float | int | None, money: bool = False) -> str:
    """"a -> b (+change)", "a (same)", or "- -> b" when a side has no figure."""
    if a is None or b is None:
        return f"{'-' if a is None else _fmt(a, money)} -> {'-' if b is None else _fmt(b, money)}"
    change = b - a
    sign = "+" if change > 0 else ""
    return f"{_fmt(a, money)} -> {_fmt(b, money)} ({sign}{_fmt(change, money)})" if change else f"{_fmt(a, money)} (same)"


def _fmt(value, money: bool) -> str:
    if money:       # a small file's cost is cents: four decimals show its change
        sign = "-" if value < 0 else ""
        return f"{sign}${abs(value):,.2f}" if abs(value) >= 1 else f"{sign}${abs(value):.4f}"
    return f"{value:,}"


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
