"""The typed sections of a CheckReport: the token summary and the duplicate groups.

The CLI's text output, the TUI's stats pane and the job preflight read these attributes, not
string keys of a dict, so a renamed field fails where it is read; `to_dict()` is the one place
their JSON form (documented in the README, `tunescope check --format json`) is written.
The cost section is `tokens.cost.CostEstimate` (or `CostUnavailable`); `stats` stays an open
mapping, one entry per dataset collector (see CheckReport).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class PerExample:
    """Tokens per example: order statistics, and how many examples exceed the model's limit."""

    count: int = 0
    min: int | None = None
    p5: int | None = None
    p50: int | None = None
    p95: int | None = None
    max: int | None = None
    mean: float | None = None
    over_limit: int = 0
    limit: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TokenSummary:
    """Token totals of a file, its per-example distribution and histogram ([[lo, hi, count], ...])."""

    total: int = 0
    trained: int = 0
    billable_per_epoch: int = 0           # Σ min(tokens, limit): what one epoch is billed for
    estimated: bool = False               # text counted without the encoding file: upper-bound estimates
    assumed_image_tokens: int = 0         # tokens of images of unknown size (1024x1024 assumed), in total
    per_example: PerExample = field(default_factory=PerExample)
    histogram: list[list[int]] = field(default_factory=list)

    @property
    def upper_bound(self) -> bool:
        """The text counts are estimates that err high (see tokens/estimate.py)."""
        return self.estimated

    def to_dict(self) -> dict:
        return {**asdict(self), "upper_bound": self.upper_bound}


@dataclass(frozen=True)
class DuplicateSummary:
    """Exact duplicate examples: extra copies, and the first groups' line numbers (first line kept)."""

    rows: int = 0
    groups: list[list[int]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)
