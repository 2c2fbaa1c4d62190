"""What dataset collectors write their findings and statistics into when the file is done.

One DatasetOutput per finish(): it holds the shared row table, the options and the resolved
row kinds every collector reads, and collects findings and stats in the order the collectors
run (that order is the report's).
"""

from __future__ import annotations

from collections import Counter

from tunescope.checks.context import one_line
from tunescope.checks.dataset.collector import dataset_finding
from tunescope.checks.dataset.limits import PER_LINE_CAP
from tunescope.checks.dataset.rows import Rows, main_format
from tunescope.checks.findings import Finding
from tunescope.checks.model import CheckOptions, RecordKind
from tunescope.checks.registry import Check


class DatasetOutput:
    """Findings and stats of the dataset checks, plus the facts all collectors share."""

    def __init__(self, rows: Rows, options: CheckOptions):
        self.rows = rows
        self.options = options
        kinds, prompt_only, read_as = rows.resolve_kinds()
        self.kinds: Counter = kinds                          # rows per kind, prompt-only rows decided
        self.prompt_only = prompt_only                       # ambiguous prompt-only rows...
        self.prompt_only_read_as: RecordKind | None = read_as   # ...and what the file majority made of them
        self.format = main_format(kinds)
        self.findings: list[Finding] = []
        self.kept: Counter = Counter()                       # findings kept per check id...
        self.omitted: Counter = Counter()                    # ...and (check, severity) counted past PER_LINE_CAP
        self.stats: dict = {"kinds": {k.value: n for k, n in kinds.most_common()}, "format": self.format}

    def add(self, check: Check, message: str, hint: str = "", line: int | None = None,
            example: int | None = None, path: str = "$") -> None:
        """One finding; `path` applies only to a finding on a line (else the whole file: ""). Past PER_LINE_CAP
        findings of one check only counted (report.omitted): a check flagging most of two million rows
        would otherwise hold a Finding per row (about 40 MB per 100,000)."""
        if self.kept[check.id] >= PER_LINE_CAP:
            self.omitted[(check.id, check.severity)] += 1
            return
        self.kept[check.id] += 1
        self.findings.append(dataset_finding(check, message, hint, line, example, path))

    @staticmethod
    def short(text: str, limit: int = 120) -> str:
        """Text quoted in a message: one line, at most `limit` characters."""
        return one_line(text, limit)
