"""`tunescope diff OLD NEW`: what a new version of a dataset changed (examples, answers, findings, tokens, cost).

Exit codes: 0 compared; 1 with --fail-on-regression when a check has more errors in NEW than in OLD;
2 bad arguments or files (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from tunescope.dataset.records import one_line

HELP = "show what a new version of a dataset changed: examples, answers, findings, tokens and cost"


def register(sub) -> None:
    p = sub.add_parser("diff", help=HELP, description=HELP + ". Examples are matched by content (key order and "
                       "spacing do not count); a prompt that comes back with another answer is a changed answer.")
    p.add_argument("old", metavar="OLD", help="the earlier version (JSONL)")
    p.add_argument("new", metavar="NEW", help="the new version")
    p.add_argument("--model", default=None, help="model for limits, encoding and price (as for check)")
    p.add_argument("--method", choices=["supervised", "dpo", "reinforcement"], default=None)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--fail-on-regression", action="store_true",
                   help="exit 1 when a check has more errors in NEW than in OLD (for pipelines)")
    p.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"tunescope diff: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from tunescope.checks.run.runner import options_for_model
    from tunescope.checks.version_diff import diff_versions, load_version
    from tunescope.tokens.encodings import EncodingUnavailable

    for path in (args.old, args.new):
        if not os.path.isfile(path):
            return _fail(f"{path}: no such file" if not os.path.exists(path) else f"{path}: not a regular file")
    try:
        options = options_for_model(args.model, args.method)
    except Exception as exc:  # UnknownModel and broken model tables carry their own message
        return _fail(str(exc))
    try:
        old = load_version(args.old, options)
        new = load_version(args.new, options)
    except (OSError, EncodingUnavailable) as exc:
        return _fail(str(exc))
    diff = diff_versions(old, new, options)
    if args.format == "json":
        sys.stdout.write(json.dumps(diff.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(text_report(diff))
    if args.fail_on_regression and diff.regressions:
        worse = ", ".join(f"{c} {a} -> {b}" for c, (a, b) in diff.regressions.items())
        print(f"tunescope diff: more errors in {args.new}: {worse}", file=sys.stderr)
        return 1
    return 0


def _delta(a: float | int | None, b: float | int | None, money: bool = False) -> str:
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


def text_report(diff) -> str:
    """80 columns: the two versions, the examples, the findings by check, then the changes listed."""
    d = diff.to_dict()
    old, new, ex = d["old"], d["new"], d["examples"]
    out = [f"{old['file']} -> {new['file']}",
           f"  examples  {_delta(old['examples'], new['examples'])}",
           f"            {ex['unchanged']:,} unchanged, {_n(ex['changed_answers'], 'changed answer')}, "
           f"{ex['rewritten']:,} rewritten, {ex['removed']:,} removed, {ex['added']:,} added",
           f"  tokens    {_delta(old['tokens'], new['tokens'])}",
           f"  trained   {_delta(old['trained_tokens'], new['trained_tokens'])}"]
    if old["usd"] is not None or new["usd"] is not None:
        out.append(f"  cost      {_delta(old['usd'], new['usd'], money=True)} (estimate)")
    for kind in ("errors", "warnings"):
        out.append(f"  {kind:<9} {_delta(old['summary'][kind], new['summary'][kind])}")
    if d["checks"]:
        out.append("")
        out.append(f"  {'check':<40} {'old':>8} {'new':>8} {'change':>8}")
        for row in d["checks"]:
            change = row["new"] - row["old"]
            mark = "  more errors" if row["check"] in d["regressions"] else ""
            out.append(f"  {row['check'][:40]:<40} {row['old']:>8,} {row['new']:>8,} {change:>+8,}{mark}")
    for title, key, count in (("Changed answers (same prompt)", "changed_answers", ex["changed_answers"]),
                              ("Rewritten (same opening text)", "rewritten", ex["rewritten"]),
                              ("Removed", "removed", ex["removed"]), ("Added", "added", ex["added"])):
        rows = d[key]
        if not rows:
            continue
        more = f" (first {len(rows)} of {count:,})" if count > len(rows) else ""
        out.append("")
        out.append(f"{title}{more}")
        for row in rows:
            if key in ("changed_answers", "rewritten"):
                out.append(f"  line {row['old']['line']} -> line {row['new']['line']}: "
                           f"{one_line(row['new']['preview'], 50)}")
            else:
                out.append(f"  line {row['line']}: {one_line(row['preview'], 64)}")
    return "\n".join(out) + "\n"
