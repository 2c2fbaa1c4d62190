"""How `tunescope jobs` answers: one-line errors on stderr, JSON or text on stdout.

Every subcommand module writes through these, so the `tunescope jobs: ` prefix,
the exit code 2 for problems and the JSON layout are the same everywhere.
"""

from __future__ import annotations

import json
import sys


def fail(message: str, code: int = 2) -> int:
    """Print one line on stderr and return the exit code (2: usage, configuration, connection, auth)."""
    print(f"tunescope jobs: {message}", file=sys.stderr)
    return code


def fmt(args) -> str:
    """The output format asked for: "text" (80 columns) or "json"."""
    return getattr(args, "format", "text")


def emit(obj) -> None:
    """One JSON document, indented."""
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def emit_line(obj) -> None:
    """One JSON Lines record, flushed at once (watch output is read while it runs)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()
