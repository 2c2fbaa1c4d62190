"""Write docs/checks.md from the check registry (run after adding or changing a check).

    python scripts/gen_checks_doc.py [--check]

The page is generated, never edited by hand: one table per area with each check's id, severity,
title, description, validation-checks.md reference and tags, in the order `tunescope checks`
lists them. tests/unit/checks/test_docs.py fails when the committed page is stale; --check does
the same here (exit 1, nothing written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import tunescope.jobs.types  # noqa: F401  (declares the findings providers report, area "provider")
import tunescope.targets  # noqa: F401  (declares the destinations' checks, area "target")
import tunescope.train.mask_preview  # noqa: F401  (declares the loss-mask checks of check --tokenizer)
from tunescope.checks import CHECKS, TAGS, by_area
from tunescope.checks.registry import Severity

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "checks.md"
COMMAND = "python scripts/gen_checks_doc.py"
SEVERITY_MEANING = {   # as Severity's docstring says
    Severity.ERROR: "the provider would reject the file, or the row is unusable",
    Severity.WARNING: "accepted, but likely wrong or wasteful",
    Severity.INFO: "a fact worth knowing",
}


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    groups = by_area()
    out = [
        "<!-- Generated from the check registry by scripts/gen_checks_doc.py; do not edit by hand. -->",
        "# Checks",
        "",
        f"Every check tunescope reports: {len(CHECKS)} checks in {len(groups)} areas. Each is declared once, "
        "beside the code that emits it (`src/tunescope/checks/registry.py`); `tunescope checks ID` prints one. "
        "References point at the validation-checks list (J01, S03, T05...).",
        "",
        "Severities: " + "; ".join(f"**{s.value}**: {SEVERITY_MEANING[s]}" for s in Severity) + ". The table "
        "gives each check's default; a finding may be raised above it (`file_too_large` is an error over 8 GB).",
        "",
        "Tags group checks across areas:",
        "",
        "| tag | meaning |",
        "|---|---|",
        *(f"| `{tag}` | {cell(meaning)} |" for tag, meaning in TAGS.items()),
        "",
        "Areas: " + ", ".join(f"[{area}](#{area}) ({len(checks)})" for area, checks in groups.items()) + ".",
    ]
    for area, checks in groups.items():
        out += ["", f"## {area}", "", "| id | severity | title | description | reference | tags |",
                "|---|---|---|---|---|---|"]
        for c in checks:
            tags = ", ".join(f"`{t}`" for t in sorted(c.tags))
            out.append(f"| `{c.id}` | {c.severity.value} | {cell(c.title)} | {cell(c.description)} | {c.ref} | {tags} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/checks.md is stale; write nothing")
    args = parser.parse_args(argv)
    text = render()
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else None
    if args.check:
        if current != text:
            print(f"{DOC.relative_to(ROOT)} is stale: run `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        DOC.write_text(text, encoding="utf-8")
        print(f"wrote {DOC.relative_to(ROOT)} ({len(CHECKS)} checks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
