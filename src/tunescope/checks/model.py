"""Compact, picklable results of looking at one example; the contract between
the checks, the token counter, the dataset checker, the editor and the TUI."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from tunescope.checks.findings import Finding, Severity, worst


class RecordKind(str, Enum):
    CHAT = "chat"                      # supervised chat: messages (+ tools, functions, weight, images)
    PREFERENCE = "preference"          # DPO: input / preferred_output / non_preferred_output
    REINFORCEMENT = "reinforcement"    # RFT: messages (developer/user, no assistant) + grader keys
    PROMPT_COMPLETION = "prompt_completion"  # legacy
    NEAR_MISS = "near_miss"            # looks like training data in a non-OpenAI shape (Alpaca, ShareGPT, LLaMA-Factory...)
    UNKNOWN = "unknown"                # a JSON object of no recognisable format
    INVALID = "invalid"                # not JSON, not an object, not UTF-8
    BLANK = "blank"                    # empty or whitespace-only line


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """What the per-example checks need to know about the target."""

    model: str = "gpt-4.1-mini-2025-04-14"
    method: str | None = None          # "supervised" | "dpo" | "reinforcement" | None (infer from data)
    token_limit: int | None = None     # per-example limit of the model, from the model table
    encoding: str = "o200k_base"


@dataclass(slots=True)
class RecordAnalysis:
    """What the checks learned from one line (model independent, no tokens)."""

    kind: RecordKind
    findings: list[Finding] = field(default_factory=list)
    roles: str = ""                    # e.g. "S U A U A" ("A*" = assistant with tool calls, "T" tool, "D" developer, "A0" weight 0)
                                       # also "F" legacy function message, "A0*" weight-0 call, "?" invalid message
    n_messages: int = 0
    preview: str = ""                  # one line, at most ~200 chars, for list views
    dedupe_key: bytes | None = None    # digest of the canonical JSON (sorted keys, no spaces)
    input_key: bytes | None = None     # digest of the prompt side (everything before the final output)
    output_key: bytes | None = None    # digest of the final output (last assistant / completion / preferred)
    system_prompt: str | None = None   # the first system/developer message text, if any
    final_reply: str | None = None     # final assistant text (truncated to 200 chars), for balance checks
    near_miss: str | None = None       # name of the near-miss shape, e.g. "alpaca", "llamafactory_parts"
    has_images: bool = False
    extra_keys: tuple[str, ...] = ()   # top-level keys beyond the format's own (RFT grader keys, stray keys)
    facts: dict | None = None          # small kind-specific facts for dataset checks (legacy prompt/completion
                                       # separators, preference lengths, RFT grader key types); see checks/legacy.py


@dataclass(frozen=True, slots=True)
class ExampleTokens:
    """Token counts of one example (see tokens.py for the formula)."""

    total: int                         # everything the model sees for this example
    trained: int                       # assistant tokens that are trained (weight != 0)
    per_message: tuple[int, ...] = ()  # one count per message, in order (for DPO: input messages then outputs)
    tools: int = 0                     # tokens of tool/function definitions (included in total)
    images: int = 0                    # estimated image tokens (included in total)
    estimated: bool = False            # True when tiktoken was not available and counts are estimates


@dataclass(slots=True)
class ExampleSummary:
    """Everything kept per example after checking: analysis + tokens + location."""

    example: int                       # 0-based example index
    line: int                          # 1-based line number
    analysis: RecordAnalysis
    tokens: ExampleTokens | None = None
    extra_findings: list[Finding] = field(default_factory=list)  # token/limit findings added by the checker

    @property
    def findings(self) -> list[Finding]:
        return self.analysis.findings + self.extra_findings if self.extra_findings else self.analysis.findings

    @property
    def severity(self) -> Severity | None:
        return worst(self.findings)
