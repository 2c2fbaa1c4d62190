"""Epochs, billed tokens and cost, as the OpenAI cookbook and fine-tuning guide compute them.

- auto n_epochs (cookbook data-prep notebook, validation-checks §c.5): 3, raised to
  min(25, 100 // N) for tiny datasets and lowered to max(1, 25,000 // N) for large ones;
- billed tokens = sum over examples of min(tokens, per-example limit) x epochs (longer examples
  are truncated, so their excess is not trained on nor billed);
- USD = billed tokens x training price per 1M / 1M (guide's formula). Reinforcement
  fine-tuning is billed per hour of training: no token cost is given for it.

Callers that stream examples keep a `BilledTokens` accumulator and call `estimate` at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25


def default_epochs(n_examples: int) -> int:
    """The epochs OpenAI picks for n_epochs="auto" (cookbook heuristic)."""
    if n_examples <= 0:
        return TARGET_EPOCHS
    if n_examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // n_examples)
    if n_examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // n_examples)
    return TARGET_EPOCHS


class BilledTokens:
    """Incremental Σ min(tokens, limit) over examples, plus how many were over the limit."""

    __slots__ = ("limit", "examples", "sum_min", "over_limit")

    def __init__(self, limit: int | None):
        self.limit = limit
        self.examples = 0
        self.sum_min = 0
        self.over_limit = 0

    def add(self, tokens: int) -> None:
        self.examples += 1
        if self.limit is not None and tokens > self.limit:
            self.over_limit += 1
            tokens = self.limit
        self.sum_min += tokens

    def merge(self, other: "BilledTokens") -> None:
        self.examples += other.examples
        self.sum_min += other.sum_min
        self.over_limit += other.over_limit


def sum_min_tokens(per_example_totals: Iterable[int], limit: int | None) -> int:
    """Σ min(tokens, limit) (no cap when limit is None)."""
    if limit is None:
        return sum(per_example_totals)
    return sum(min(t, limit) for t in per_example_totals)


def billed_tokens(per_example_totals: Iterable[int] | int, limit: int | None, epochs: int) -> int:
    """Σ min(tokens, limit) x epochs; pass an int when the sum of mins is already known."""
    base = per_example_totals if isinstance(per_example_totals, int) else sum_min_tokens(per_example_totals, limit)
    return base * epochs


@dataclass(frozen=True)
class CostEstimate:
    """The estimated training cost of a file on one model (a CheckReport's `cost` section)."""

    epochs: int
    billed_tokens: int
    usd: float | None               # None when the model has no per-token price (unknown, or billed per hour)
    price_per_1m: float | None
    price_source: str
    price_date: str
    price_per_hour: float | None = None
    epochs_auto: bool = True

    @property
    def usd_reported(self) -> float | None:
        """The cost as reports give it: rounded to a hundredth of a cent."""
        return None if self.usd is None else round(self.usd, 4)

    def to_dict(self) -> dict:
        return {
            "epochs": self.epochs, "epochs_auto": self.epochs_auto, "billed_tokens": self.billed_tokens,
            "usd": self.usd_reported, "price_per_1m": self.price_per_1m,
            "price_per_hour": self.price_per_hour, "price_source": self.price_source, "price_date": self.price_date,
        }


@dataclass(frozen=True)
class CostUnavailable:
    """Why no cost could be estimated (e.g. a model missing from the table); the rest of the report stands."""

    error: str

    def to_dict(self) -> dict:
        return {"error": self.error}


def estimate(n_examples: int, sum_min_tokens: int, model_info, n_epochs: int | None = None) -> CostEstimate:
    """Training cost of n_examples whose Σ min(tokens, limit) is sum_min_tokens on model_info."""
    epochs = n_epochs if n_epochs is not None else default_epochs(n_examples)
    billed = sum_min_tokens * epochs
    price = getattr(model_info, "price_per_1m", None)
    usd = billed * price / 1_000_000 if price is not None else None
    return CostEstimate(
        epochs=epochs, billed_tokens=billed, usd=usd, price_per_1m=price,
        price_source=getattr(model_info, "price_source", ""), price_date=getattr(model_info, "price_date", ""),
        price_per_hour=getattr(model_info, "price_per_hour", None), epochs_auto=n_epochs is None,
    )
