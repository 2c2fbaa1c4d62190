"""The small mutable context every per-example check writes its findings into.

Checks never build Finding objects themselves: `Ctx.add` looks up the default
severity in the catalogue, so an id missing from the catalogue fails loudly in
tests instead of shipping undocumented.
"""

from __future__ import annotations

from tunescope.checks.model import CheckOptions
from tunescope.checks.catalogue import CHECKS
from tunescope.checks.registry import Check
from tunescope.checks.findings import Finding, Severity
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

    def add(self, check: Check | str, message: str, hint: str = "", *, path: str = "$",
            message_index: int | None = None, severity: Severity | None = None) -> None:
        if isinstance(check, str):          # transitional: ids as text until every rule declares its checks
            check = CHECKS[check]
        self.findings.append(Finding(
            check.id, severity or check.severity, message, hint,
            self.line, self.example, message_index, path))

    def where(self, message_index: int | None = None) -> str:
        """Server-style location: 'Example 12, message 3' (both 1-based, as OpenAI prints them)."""
        if message_index is None:
            return f"Example {self.example + 1}"
        return f"Example {self.example + 1}, message {message_index + 1}"

