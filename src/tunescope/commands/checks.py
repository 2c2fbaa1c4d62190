"""`tunescope checks [ID]`: list every check tunescope can report, or explain one (as `ruff rule` does).

Reads the check registry (`tunescope.checks.CHECKS`), the same declarations that the checker
emits and docs/checks.md is generated from, so what it prints cannot drift from what runs.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import textwrap

import orjson

import tunescope.jobs.types  # noqa: F401  (declares the findings providers report, area "provider")
import tunescope.targets  # noqa: F401  (declares the destinations' checks, area "target")
import tunescope.train.mask_preview  # noqa: F401  (declares the loss-mask checks of check --tokenizer)
from tunescope.checks import CHECKS, TAGS, Check, by_area

WIDTH = 80


def register(sub) -> None:
    p = sub.add_parser("checks", help="list every check, or explain one",
                       description="List every check tunescope reports (grouped by area), or explain one by id.")
    p.add_argument("check_id", nargs="?", metavar="ID", help="a check id, e.g. weight_not_integer")
    p.add_argument("--format", choices=["text", "json"], default="text", dest="output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.check_id is None:
        if args.output == "json":
            _write_json([c.to_dict() for checks in by_area().values() for c in checks])
        else:
            print(list_text())
        return 0
    found = CHECKS.get(args.check_id)
    if found is None:
        print(f"tunescope checks: {unknown_message(args.check_id)}", file=sys.stderr)
        return 2
    if args.output == "json":
        _write_json(found.to_dict())
    else:
        print(explain_text(found))
    return 0


def list_text() -> str:
    """Every check, grouped by area: id, severity, title."""
    groups = by_area()
    width = max(len(c.id) for c in CHECKS.values())
    out = [f"{len(CHECKS)} checks in {len(groups)} areas; `tunescope checks ID` explains one."]
    for area, checks in groups.items():
        out.append("")
        out.append(f"{area} ({len(checks)})")
        out.extend(f"  {c.id:<{width}} {c.severity.value:<7} {c.title}" for c in checks)
    return "\n".join(out)


def explain_text(c: Check) -> str:
    """All of one check's fields, the description wrapped to the terminal-friendly width."""
    tags = ", ".join(f"{t} ({TAGS[t]})" for t in sorted(c.tags)) or "none"
    lines = [f"{c.id} ({c.severity.value})", c.title, "", textwrap.fill(c.description, WIDTH), "",
             f"area:      {c.area}",
             f"reference: {c.ref + ' (validation-checks.md)' if c.ref else 'none'}"]
    lines += textwrap.wrap(f"tags:      {tags}", WIDTH, subsequent_indent=" " * 11)
    return "\n".join(lines)


def unknown_message(check_id: str) -> str:
    """One line naming the ids closest to a mistyped one."""
    close = difflib.get_close_matches(check_id, list(CHECKS), n=3, cutoff=0.6)
    if close:
        return f"unknown check {check_id!r}; did you mean {', '.join(close)}?"
    return f"unknown check {check_id!r}; `tunescope checks` lists them all"


def _write_json(data) -> None:
    sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
