"""`tunescope diff OLD NEW`: what a new version of a dataset changed (examples, answers, findings, tokens, cost).

Exit codes: 0 compared; 1 with --fail-on-regression when a check has more errors in NEW than in OLD;
2 bad arguments or files (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

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
    from tunescope.checks.version_diff_text import text_report
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
        sys.stdout.write(text_report(diff.to_dict()))
    if args.fail_on_regression and diff.regressions:
        worse = ", ".join(f"{c} {a} -> {b}" for c, (a, b) in diff.regressions.items())
        print(f"tunescope diff: more errors in {args.new}: {worse}", file=sys.stderr)
        return 1
    return 0
