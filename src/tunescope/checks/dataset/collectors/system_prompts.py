"""System prompts across the file: how many distinct ones, and rows that drop or vary the usual one.

Per example it keeps a 4-byte prompt id; texts are kept once per distinct prompt, for at most
MAX_TRACKED_TEXTS prompts (rows with a prompt beyond those are "untracked").
"""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING

from tunescope.checks.dataset.limits import MAX_TRACKED_TEXTS
from tunescope.checks.dataset.rows import Rows
from tunescope.checks.model import RecordKind
from tunescope.checks.registry import I, W, check

if TYPE_CHECKING:
    from tunescope.checks.dataset.output import DatasetOutput

RARE_VARIANT_SHARE = 0.10    # a system prompt used by <= 10% as many rows as the majority one is "rare"
MAX_FLAGGED_SHARE = 0.25     # do not flag per row when more than a quarter of rows would be flagged
PROMPTS_LISTED = 20          # prompts listed in stats
PROMPT_KINDS = (RecordKind.CHAT, RecordKind.REINFORCEMENT, RecordKind.PREFERENCE)   # rows that can carry one
NO_PROMPT, UNTRACKED = 0, 0xFFFF         # ids fit 2 bytes: at most MAX_TRACKED_TEXTS prompts

SYSTEM_PROMPTS = check(
    "system_prompts", I, "dataset", "System prompts", "How many distinct system prompts the file has, with counts.")
SYSTEM_PROMPT_MISSING = check(
    "system_prompt_missing", W, "dataset", "Missing the usual system prompt",
    "Most examples use a system prompt this one lacks.")
SYSTEM_PROMPT_VARIANT = check(
    "system_prompt_variant", W, "dataset", "Rare system prompt variant",
    "The example uses a rarely used variant of the system prompt.")


class SystemPrompts:
    """Distinct system prompts with counts and first lines; writes stats["system_prompts"]."""

    checks = (SYSTEM_PROMPTS, SYSTEM_PROMPT_MISSING, SYSTEM_PROMPT_VARIANT)

    def __init__(self, rows: Rows):
        self.rows = rows
        self.ids = array("H")               # per example: NO_PROMPT, k = distinct prompt k, or UNTRACKED
        self.texts: dict[str, int] = {}
        self.counts: list[int] = [0]        # per prompt id (0: unused)
        self.first: list[int] = [0]         # first line of each prompt
        self.prompt_rows = 0                # rows that can carry a system prompt

    def add(self, summary, i: int) -> None:
        an = summary.analysis
        if an.kind not in PROMPT_KINDS or not an.roles:    # no messages: nothing to compare (one finding says so)
            self.ids.append(NO_PROMPT)
            return
        self.prompt_rows += 1
        text = an.system_prompt
        if text is None:
            self.ids.append(NO_PROMPT)
            return
        sid = self.texts.get(text)
        if sid is None:
            if len(self.texts) >= MAX_TRACKED_TEXTS:
                self.ids.append(UNTRACKED)
                return
            sid = len(self.counts)
            self.texts[text] = sid
            self.counts.append(0)
            self.first.append(summary.line)
        self.counts[sid] += 1
        self.ids.append(sid)

    def merge(self, other: SystemPrompts, offset: int) -> None:
        remap = {NO_PROMPT: NO_PROMPT, UNTRACKED: UNTRACKED}
        for text, theirs in other.texts.items():
            mine = self.texts.get(text)
            if mine is None:
                if len(self.texts) >= MAX_TRACKED_TEXTS:
                    remap[theirs] = UNTRACKED
                    continue
                mine = len(self.counts)
                self.texts[text] = mine
                self.counts.append(0)
                self.first.append(other.first[theirs])
            self.counts[mine] += other.counts[theirs]
            remap[theirs] = mine
        self.ids.extend(array("H", (remap.get(i, UNTRACKED) for i in other.ids)))
        self.prompt_rows += other.prompt_rows

    def finish(self, out: DatasetOutput) -> None:
        rows = self.prompt_rows
        counts = self.counts
        distinct = len(counts) - 1
        untracked = sum(1 for s in self.ids if s == UNTRACKED) if distinct >= MAX_TRACKED_TEXTS else 0
        missing = rows - (sum(counts) + untracked)
        listing = sorted(((c, sid) for sid, c in enumerate(counts) if sid), reverse=True)
        texts = {sid: text for text, sid in self.texts.items()}
        short = out.short
        out.stats["system_prompts"] = {
            "distinct": distinct, "untracked_rows": untracked, "missing": missing, "rows": rows,
            "prompts": [{"text": short(texts[sid]), "count": c, "first_line": self.first[sid]}
                        for c, sid in listing[:PROMPTS_LISTED]]}
        if not rows or (distinct <= 1 and not missing) or not distinct:
            return
        top = ", ".join(f"{c}× \"{short(texts[sid], 60)}\"" for c, sid in listing[:4])
        out.add(SYSTEM_PROMPTS,
                f"{distinct}{'+' if untracked else ''} distinct system prompts in {rows} examples ({top}"
                f"{', ...' if distinct > 4 else ''}); {missing} example(s) have none.",
                "Use the same system prompt in training as at inference, in every example.")
        major_count, major = listing[0]
        if major_count * 2 < rows:
            return
        rare_limit = max(1, int(major_count * RARE_VARIANT_SHARE))
        rare = {sid for c, sid in listing[1:] if c <= rare_limit}
        if missing + sum(counts[s] for s in rare) > rows * MAX_FLAGGED_SHARE:
            return
        self._flag_rows(out, rows, major_count, short(texts[major], 80), rare, texts)

    def _flag_rows(self, out: DatasetOutput, rows: int, major_count: int, major_text: str, rare: set[int],
                   texts: dict[int, str]) -> None:
        table = self.rows
        for i, sid in enumerate(self.ids):
            if sid == NO_PROMPT:
                if table.kind_at(i) not in PROMPT_KINDS:
                    continue
                out.add(SYSTEM_PROMPT_MISSING,
                        f"Example {i + 1} has no system prompt, while {major_count} of {rows} examples use "
                        f"\"{major_text}\".",
                        "Add the usual system prompt: dropping instructions in some examples teaches the model to "
                        "ignore them.", table.lines[i], i, "$.messages")
            elif sid in rare:
                out.add(SYSTEM_PROMPT_VARIANT,
                        f"Example {i + 1} uses a rare system prompt variant (used by {self.counts[sid]} example(s)) "
                        f"instead of the one {major_count} examples use: \"{out.short(texts[sid], 80)}\".",
                        "Use the same system prompt as the other examples (and at inference), unless the variation "
                        "is deliberate.", table.lines[i], i, "$.messages[0].content")
