"""What a run will cost, before it starts: exact prompt tokens (tiktoken) x the model table's inference
prices, answers estimated at the reference's length (or --max-tokens). Cached answers cost nothing.

Prices are those of fine-tuned models (`inference_input_per_1m` / `inference_output_per_1m` in
models.toml); a base model usually costs less, so the figure is an upper bound. A model missing
from the table has no price: the estimate says so instead of guessing. Free backends (the local
server) cost nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tunescope.dataset.formats import RecordKind
from tunescope.eval.examples import EvalExample
from tunescope.tokens.count import TokenCounter
from tunescope.tokens.models import ModelTable

DEFAULT_CONFIRM_USD = 1.00
"""Above this estimate `tunescope eval` asks before running (--yes skips the question)."""


@dataclass
class ModelCost:
    model: str
    prompt_tokens: int
    answer_tokens: int
    usd: float | None            # None: no price known
    estimated: bool = False      # token counts are estimates (encoding missing)


@dataclass
class CostEstimate:
    lines: list[ModelCost] = field(default_factory=list)
    billed: bool = True

    @property
    def usd(self) -> float:
        return 0.0 if not self.billed else sum(line.usd or 0.0 for line in self.lines)

    @property
    def unpriced(self) -> list[str]:
        return [line.model for line in self.lines if line.usd is None] if self.billed else []

    def describe(self) -> str:
        tokens = sum(line.prompt_tokens + line.answer_tokens for line in self.lines)
        if not self.billed:
            return f"about {tokens:,} tokens on a free backend: $0.00"
        usd = self.usd
        text = f"about {tokens:,} tokens, estimated ${usd:.2f}" if usd >= 0.01 or not usd else (
            f"about {tokens:,} tokens, estimated ${usd:.4f}")
        if self.unpriced:
            text += f" (no price for {', '.join(self.unpriced)}: add it to models.toml)"
        return text


def estimate_cost(examples: list[EvalExample], models: dict[str, str], table: ModelTable, billed: bool = True,
                  max_tokens: int | None = None, cached: frozenset = frozenset()) -> CostEstimate:
    """`models`: as given -> id sent; `cached`: (line, model as given) pairs already answered. One line per model."""
    out = CostEstimate(billed=billed)
    counters: dict[str, TokenCounter] = {}
    for given, sent in models.items():
        info = table.get_or_guess(sent)
        counter = counters.setdefault(info.encoding, TokenCounter(info.encoding, allow_estimate=True))
        prompt = answer = 0
        for e in examples:
            if (e.line, given) in cached:
                continue
            prompt += counter.count_record({"messages": e.messages, "tools": e.tools}, RecordKind.CHAT).total
            answer += max_tokens or max(16, counter.count_text(e.reference or ""))
        if info.inference_input_per_1m is None or info.inference_output_per_1m is None:
            usd = None
        else:
            usd = (prompt * info.inference_input_per_1m + answer * info.inference_output_per_1m) / 1e6
        out.lines.append(ModelCost(given, prompt, answer, usd, counter.estimated))
    return out
