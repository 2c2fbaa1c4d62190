"""Epochs, billed tokens and cost, as the OpenAI cookbook and fine-tuning guide compute them.

- auto n_epochs (cookbook data-prep notebook, validation-checks §c.5): 3, raised to
  min(25, 100 // N) for tiny datasets and lowered to max(1, 25,000 // N) for large ones;
- billed tokens = sum over examples of min(tokens, per-example limit) x epochs (longer examples
  are truncated, so their excess is not trained on nor billed);
- USD = billed tokens x training price per 1M / 1M (guide's formula). Reinforcement
  fine-tuning is billed per hour of training: no token cost (nor epochs or billed tokens) is given
  for it, and none for data a model cannot train (RFT rows on gpt-4.1-mini) or a file with no
  trainable rows ("n/a", not "$0.00");
- DPO (preference data): OpenAI does not document how it bills it. Our documented assumption:
  like supervised training, every token of the example (input + both outputs) x epochs, at the
  model's training price. `DPO_BILLING` says so wherever the figure appears;
- with estimated token counts (no encoding file) the figures are upper bounds (`upper_bound`).

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


DPO_BILLING = ("DPO billing is not documented by OpenAI; assumed: every token of each example (input and both "
               "outputs) x epochs at the training price")
# The fine-tuning method each data format trains with (legacy prompt/completion is supervised).
FORMAT_METHODS = {"chat": "supervised", "prompt_completion": "supervised", "preference": "dpo",
                  "reinforcement": "reinforcement"}


@dataclass(frozen=True)
class CostEstimate:
    """The estimated training cost of a file on one model (a CheckReport's `cost` section)."""

    epochs: int | None              # None when the data is not billed per token (per hour, cannot train, nothing)
    billed_tokens: int | None
    usd: float | None               # None when the model has no per-token price (unknown, or billed per hour)
    price_per_1m: float | None
    price_source: str
    price_date: str
    price_per_hour: float | None = None
    epochs_auto: bool = True
    note: str = ""                  # why there is no figure, or the assumption behind it (DPO)
    upper_bound: bool = False       # token counts were estimated (they err high): usd is at most this

    @property
    def usd_reported(self) -> float | None:
        """The cost as reports give it: rounded to a hundredth of a cent."""
        return None if self.usd is None else round(self.usd, 4)

    def to_dict(self) -> dict:
        return {
            "epochs": self.epochs, "epochs_auto": self.epochs_auto, "billed_tokens": self.billed_tokens,
            "usd": self.usd_reported, "price_per_1m": self.price_per_1m,
            "price_per_hour": self.price_per_hour, "price_source": self.price_source, "price_date": self.price_date,
            "note": self.note, "upper_bound": self.upper_bound,
        }


@dataclass(frozen=True)
class CostUnavailable:
    """Why no cost could be estimated (e.g. a model missing from the table); the rest of the report stands."""

    error: str

    def to_dict(self) -> dict:
        return {"error": self.error}


def estimate(n_examples: int, sum_min_tokens: int, model_info, n_epochs: int | None = None, *,
             method: str | None = None, trained_tokens: int | None = None,
             tokens_estimated: bool = False) -> CostEstimate:
    """Training cost of n_examples whose Σ min(tokens, limit) is sum_min_tokens on model_info.

    `method` (supervised, dpo, reinforcement; None when unknown) and `trained_tokens` let the
    estimate refuse what would mislead: per-token prices for data the model cannot train or that is
    billed per hour, and "$0.00" for a file with nothing to train.
    """
    epochs = n_epochs if n_epochs is not None else default_epochs(n_examples)
    price = getattr(model_info, "price_per_1m", None)
    per_hour = getattr(model_info, "price_per_hour", None)
    common = dict(price_source=getattr(model_info, "price_source", ""), price_date=getattr(model_info, "price_date", ""),
                  price_per_hour=per_hour, epochs_auto=n_epochs is None, upper_bound=tokens_estimated)
    name = getattr(model_info, "name", "this model")
    supports = getattr(model_info, "supports", None)
    note = ""
    if method and supports is not None and not supports(method):
        note = f"{name} cannot train {method} data: no cost"
    elif method == "reinforcement":
        note = "reinforcement fine-tuning is billed per hour of training, not per token: no estimate"
    elif n_examples <= 0 or trained_tokens == 0:
        note = "no trainable examples: nothing to bill"
    if note:
        return CostEstimate(epochs=None, billed_tokens=None, usd=None, price_per_1m=None, note=note, **common)
    billed = sum_min_tokens * epochs
    usd = billed * price / 1_000_000 if price is not None else None
    return CostEstimate(epochs=epochs, billed_tokens=billed, usd=usd, price_per_1m=price,
                        note=DPO_BILLING if method == "dpo" else "", **common)
