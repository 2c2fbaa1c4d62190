"""Content-quality rules on message text: things the API accepts but a model should not learn.

Unfilled template placeholders (`placeholders.py`) and degenerate repetition (`repetition.py`);
the message walk (`checks/example/messages.py`) calls `scan_quality` once per message text.
"""

from __future__ import annotations

from tunescope.checks.context import Ctx
from tunescope.checks.example.quality.placeholders import report_placeholders
from tunescope.checks.example.quality.repetition import report_repetition


def scan_quality(ctx: Ctx, role: str, text: str, message_index: int, path: str) -> None:
    """Placeholders in any message; repetition in what the model learns to write (assistant replies)."""
    report_placeholders(ctx, text, message_index, path)
    if role == "assistant":
        report_repetition(ctx, text, message_index, path)
