"""The small mutable context every per-example check writes its findings into.

Checks never build Finding objects themselves: they pass a declared `Check`
constant (checks/registry.py) to `Ctx.add`, which takes its id and default
severity, so a check cannot be emitted without being declared and documented.
"""

from __future__ import annotations

from tunescope.checks.model import CheckOptions
from tunescope.checks.registry import Check, Finding, Severity

PREVIEW_CHARS = 200


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


def one_line(text: str, limit: int = PREVIEW_CHARS) -> str:
    """First `limit` characters of text on one line (newlines and tabs shown as spaces)."""
    head = text[: limit + 1]
    cut = len(text) > len(head)
    if "\n" in head or "\r" in head or "\t" in head:
        head = " ".join(head.split())
    if len(head) > limit or (cut and len(head) == limit):
        return head[: limit - 1] + "…"
    return head + "…" if cut else head        # collapsed whitespace made room, but the text goes on


def describe(value: object) -> str:
    """JSON type name of a parsed value, for messages like 'found a number'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def part_text(content: object) -> str | None:
    """Plain text of a content value: the string itself, or its text parts joined."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, dict):
                t = part.get("text")
                if t is None:
                    t = part.get("value")
                if isinstance(t, str):
                    texts.append(t)
        return "\n".join(texts) if texts else None
    return None
