"""The small mutable context every per-example check writes its findings into.

Checks never build Finding objects themselves: they pass a declared `Check`
constant (checks/registry.py) to `Ctx.add`, which takes its id and default
severity, so a check cannot be emitted without being declared and documented.
"""

from __future__ import annotations

from tunescope.checks.model import CheckOptions
from tunescope.checks.registry import Check, Finding, Severity
from tunescope.dataset.records import describe, one_line, part_text  # noqa: F401  (the checks import them from here)


class Ctx:
    """Location of the example being checked plus the findings so far."""

    __slots__ = ("line", "example", "options", "findings", "method")

    def __init__(self, line: int, example: int, options: CheckOptions):
        self.line = line
        self.example = example
        self.options = options
        self.method = options.method
        self.findings: list[Finding] = []

    def add(self, check: Check, message: str, hint: str = "", *, path: str = "$",
            message_index: int | None = None, severity: Severity | None = None) -> None:
        """Record a finding of `check` (its default severity unless `severity` is given)."""
        self.findings.append(Finding(
            check.id, severity or check.severity, message, hint,
            self.line, self.example, message_index, path))

    def where(self, message_index: int | None = None) -> str:
        """Server-style location: 'Example 12, message 3' (both 1-based, as OpenAI prints them)."""
        if message_index is None:
            return f"Example {self.example + 1}"
        return f"Example {self.example + 1}, message {message_index + 1}"


def an(word: str) -> str:
    """`word` with its indefinite article: "an assistant", "a user" (messages never say "a assistant")."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
