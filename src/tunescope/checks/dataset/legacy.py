"""File-wide heuristics for legacy prompt/completion data (the old `prepare_data` L06-L15 rules).

Fed one `facts` dict per row (heads/tails, lengths, separator masks, case
counts; see legacy.py); keeps only running common prefixes/suffixes and
counters, so memory does not grow with the file.
"""

from __future__ import annotations

from tunescope.checks.catalogue import CHECKS
from tunescope.checks.example.legacy import ENDINGS, SEPARATORS
from tunescope.checks.findings import Finding


def _common_prefix(a: str, b: str) -> str:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return a[:i]


def _common_suffix(a: str, b: str) -> str:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[-1 - i] == b[-1 - i]:
        i += 1
    return a[len(a) - i:]


class LegacyStats:
    """Running facts over the legacy rows of one file."""

    def __init__(self) -> None:
        self.rows = 0
        self.first_line = 0
        self.p_head = self.p_tail = self.c_head = self.c_tail = None
        self.p_total = 0
        self.p_newline = False
        self.sep_mask = 0
        self.end_mask = 0
        self.no_space_lines: list[int] = []
        self.no_space = 0
        self.upper = [0, 0, 0, 0]     # prompt upper, prompt lower, completion upper, completion lower
        self.first_prompt_short = True

    def add(self, facts: dict, line: int) -> None:
        if self.rows == 0:
            self.first_line = line
            self.p_head, self.p_tail = facts["p_head"], facts["p_tail"]
            self.c_head, self.c_tail = facts["c_head"], facts["c_tail"]
        else:
            self.p_head = _common_prefix(self.p_head, facts["p_head"])
            self.p_tail = _common_suffix(self.p_tail, facts["p_tail"])
            self.c_head = _common_prefix(self.c_head, facts["c_head"])
            self.c_tail = _common_suffix(self.c_tail, facts["c_tail"])
        self.rows += 1
        self.p_total += facts["p_len"]
        self.p_newline |= facts["p_newline"]
        self.sep_mask |= facts["sep_mask"]
        self.end_mask |= facts["end_mask"]
        if not facts["c_head"][:1].isspace():
            self.no_space += 1
            if len(self.no_space_lines) < 20:
                self.no_space_lines.append(line)
        u = self.upper
        u[0] += facts["p_upper"]; u[1] += facts["p_lower"]; u[2] += facts["c_upper"]; u[3] += facts["c_lower"]

    def finish(self, distinct_completions: int | None, prompts_distinct: int | None,
               completions_distinct: int | None) -> list[Finding]:
        """Dataset findings; distinct counts come from the aggregator's key groups (None = unknown)."""
        if not self.rows:
            return []
        out: list[Finding] = []

        def add(check: str, message: str, hint: str) -> None:
            out.append(Finding(check, CHECKS[check].severity, message, hint, self.first_line, None, None, "$"))

        n = self.rows
        open_ended = self.p_total == 0
        classification = distinct_completions is not None and distinct_completions < n / 3
        if classification:
            add("legacy_classification",
                "Based on your data it seems like you're trying to fine-tune a model for classification "
                f"({distinct_completions} distinct completions in {n} examples).",
                "For classification, keep a held-out dataset (not used for training) to estimate performance.")
        if not open_ended:
            if prompts_distinct == 1 and n > 1:
                add("legacy_prompts_identical", f"All prompts are identical: `{self.p_head!r}`.",
                    "Leave the prompts blank for open-ended generation, otherwise make the prompts different.")
            elif self.p_tail:
                add("legacy_prompt_separator", f"All prompts end with suffix `{self.p_tail!r}`"
                    + (". This suffix seems very long." if len(self.p_tail) > 10 else "."),
                    "Good: the separator tells the model where the completion begins; use it at inference too.")
            else:
                add("legacy_no_prompt_separator",
                    "Your data does not contain a common separator at the end of your prompts. Having a separator "
                    "string appended to the end of the prompt makes it clearer to the fine-tuned model where the "
                    "completion should begin.",
                    f"Add a suffix separator {self._suggest_separator()!r} to all prompts.")
            if len(self.p_head) > 12:
                add("legacy_common_prompt_prefix",
                    f"All prompts start with prefix `{self.p_head!r}`. Fine-tuning doesn't require the instruction "
                    "specifying the task; most of the time only the input data belongs in the prompt.",
                    f"Remove prefix {self.p_head!r} from all prompts.")
        if len(self.c_head) >= 5:
            add("legacy_common_completion_prefix",
                f"All completions start with prefix `{self.c_head!r}`. Most of the time you should only add the "
                "output data into the completion, without any prefix.",
                f"Remove prefix {self.c_head!r} from all completions (keep one leading space).")
        if completions_distinct == 1 and n > 1:
            add("legacy_completions_identical",
                f"All completions are identical: `{self.c_head!r}`.",
                "Ensure completions are different, otherwise the model will just repeat them.")
        elif not classification and not open_ended:
            if self.c_tail:
                add("legacy_completion_ending", f"All completions end with suffix `{self.c_tail!r}`.",
                    "Use this ending as the stop sequence at inference.")
            else:
                add("legacy_no_completion_ending",
                    "Your data does not contain a common ending at the end of your completions. Having a common "
                    "ending string appended to the end of the completion makes it clearer to the fine-tuned model "
                    "where the completion should end.",
                    f"Add a suffix ending {self._suggest_ending()!r} to all completions.")
        if self.no_space:
            lines = ", ".join(map(str, self.no_space_lines[:8]))
            add("legacy_completion_leading_space",
                f"{self.no_space} of {n} completions do not start with a whitespace character (lines {lines}"
                f"{' ...' if self.no_space > 8 else ''}). Starting with a space tends to produce better results "
                "due to the tokenization.",
                "Add a whitespace character to the beginning of each completion.")
        for label, up, low in (("prompt", self.upper[0], self.upper[1]), ("completion", self.upper[2], self.upper[3])):
            if up * 2 > low and up > 0:
                add("legacy_uppercase",
                    f"More than a third of your `{label}` column/key is uppercase. Uppercase {label}s tend to "
                    "perform worse than a mixture of case encountered in normal language.",
                    f"Lower-case the {label}s if that makes sense in your domain.")
        return out

    def _suggest_separator(self) -> str:
        for k, sep in enumerate(SEPARATORS):
            if sep == " ->" and self.p_newline:
                continue
            if not self.sep_mask & (1 << k):
                return sep
        return "\n\n### =>\n\n"

    def _suggest_ending(self) -> str:
        for k, end in enumerate(ENDINGS):
            if not self.end_mask & (1 << k):
                return end
        return " [END]"
