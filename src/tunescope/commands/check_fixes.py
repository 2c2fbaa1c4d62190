"""The bulk fixes a checked file can take, as `tunescope check` prints them: the flags of `tunescope fix`
that remove its findings, most errors first (`ranked_fixes`, the order the app's fixes menu opens on),
and the one command line that applies them all, as ruff prints what `--fix` would do."""

from __future__ import annotations

import os
import shlex

import tunescope.editing.fixes  # noqa: F401 - every fix module declares its fixes on import
from tunescope.checks.report_text import count_phrase
from tunescope.editing.fixes.registry import ranked_fixes

__all__ = ["fixes_text", "ranked_fixes"]

WIDTH = 80


def fixes_text(report) -> str:
    """Text-report lines for the fixes that remove some of `report`'s findings ("" when none does)."""
    ranked = ranked_fixes(report)
    if not ranked:
        return ""
    width = max(len(f.cli_flag) for f, _, _ in ranked)
    lines = ["", "Bulk fixes (`tunescope fix`, or `x` in the app):"]
    for f, errors, total in ranked:
        what = count_phrase(total, "finding") + (f", {count_phrase(errors, 'error')}" if errors else "")
        lines.append(f"  {f.cli_flag:<{width}}  {f.label} ({what})")
    flags = [f.cli_flag for f, _, _ in ranked]
    if any(f.needs_model for f, _, _ in ranked):
        flags.append(f"--model {shlex.quote(report.model)}")
    out = f"{os.path.splitext(report.file)[0]}.fixed.jsonl"      # fix writes JSONL, even from a .json array
    words = ["tunescope", "fix", shlex.quote(report.file), *flags, f"-o {shlex.quote(out)}"]
    lines += _shell_lines(words)
    return "\n".join(lines) + "\n"


def _shell_lines(words: list[str], width: int = WIDTH) -> list[str]:
    """One shell command over lines of at most `width` columns, continued with backslashes. A word (an
    option with its value stays one) longer than a line, such as a long path, gets a line of its own."""
    lines, line = [], "  " + words[0]
    for word in words[1:]:
        if len(line) + 1 + len(word) + 2 > width:      # room for " \\" at the end
            lines.append(line + " \\")
            line = "    " + word
        else:
            line += " " + word
    return lines + [line]
