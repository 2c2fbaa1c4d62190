"""Compact, picklable results of looking at one example; the contract between
the checks, the token counter, the dataset checker, the editor and the TUI."""

from __future__ import annotations

from dataclasses import dataclass, field

from tunescope.checks.findings import Finding, Severity, worst
from tunescope.dataset.formats import RecordKind
from tunescope.tokens.count import ExampleTokens


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """What the per-example checks need to know about the target."""

    model: str = "gpt-4.1-mini-2025-04-14"
    method: str | None = None          # "supervised" | "dpo" | "reinforcement" | None (infer from data)
    token_limit: int | None = None     # per-example limit of the model, from the model table
    encoding: str = "o200k_base"
    validation_file: bool = False      # checking a job's validation file (no documented minimum size)
    near_duplicate_threshold: float = 0.8   # estimated Jaccard similarity for near_duplicate (0: off)


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
    similarity: bytes | None = None    # MinHash signature of prompt + reply (quality/similarity.py, 128 bytes)
    facts: dict | None = None          # small kind-specific facts for dataset checks (legacy prompt/completion
                                       # separators, preference lengths, RFT grader key types); see checks/legacy.py


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


def is_prompt_only(analysis: RecordAnalysis) -> bool:
    """True for rows that could be RFT prompts or SFT rows missing their answer.

    Derived from the analysis alone (roles glyphs and extra keys) so the
    aggregator needs no extra per-example state.
    """
    if analysis.kind not in (RecordKind.REINFORCEMENT, RecordKind.CHAT) or analysis.extra_keys:
        return False
    if not analysis.roles:
        return False
    for glyph in analysis.roles.split():
        if glyph[0] in "ADTF?":
            return False
    return True
