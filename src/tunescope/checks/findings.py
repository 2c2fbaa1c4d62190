"""The one shape every problem tunescope reports takes, from byte-level to dataset-level."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    """How bad a finding is.

    error: the provider would reject the file, or the row is unusable.
    warning: accepted, but likely wrong or wasteful.
    info: a fact worth knowing.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.ERROR: 2, Severity.WARNING: 1, Severity.INFO: 0}


@dataclass(frozen=True, slots=True)
class Finding:
    """A single problem, located as precisely as the data allows.

    `line` is 1-based (physical line in the file); `example` is the 0-based
    index of the example (= line index for JSONL); `message_index` is 0-based
    within `messages` (or the relevant list) when the finding concerns one
    message; `path` is a JSONPath such as `$.messages[2].content` ("$" for the
    whole line, "" for file-level findings).
    """

    check: str
    severity: Severity
    message: str
    hint: str = ""
    line: int | None = None
    example: int | None = None
    message_index: int | None = None
    path: str = "$"

    def to_dict(self) -> dict:
        return {
            "check": self.check,
            "severity": self.severity.value,
            "line": self.line,
            "example": self.example,
            "message_index": self.message_index,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Finding":
        return cls(
            check=d["check"],
            severity=Severity(d["severity"]),
            message=d["message"],
            hint=d.get("hint", ""),
            line=d.get("line"),
            example=d.get("example"),
            message_index=d.get("message_index"),
            path=d.get("path", "$"),
        )


def worst(findings) -> Severity | None:
    """Highest severity among findings, or None when there are none."""
    best: Severity | None = None
    for f in findings:
        if best is None or f.severity.rank > best.rank:
            best = f.severity
            if best is Severity.ERROR:
                break
    return best
