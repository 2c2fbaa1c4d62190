"""Legacy prompt/completion data: the file-wide heuristics of the old `prepare_data` (L06-L15),
and such data meant for a chat model.

Fed the small `facts` dict each legacy row carries (heads and tails, lengths, separator and
ending masks, case counts; see checks/example/legacy.py). Keeps running common prefixes and
suffixes, counters, and the sets of distinct prompt and completion digests (dropped past
MAX_DISTINCT), so memory does not grow with the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tunescope.checks.dataset.rows import Rows
from tunescope.checks.keys import ENDINGS, SEPARATORS, as_int
from tunescope.checks.model import RecordKind
from tunescope.checks.registry import E, I, W, check
from tunescope.tokens.models import PROMPT_COMPLETION_MODELS

if TYPE_CHECKING:
    from tunescope.checks.dataset.output import DatasetOutput

MAX_DISTINCT = 100_000       # distinct prompts / completions counted exactly; past that: unknown
NO_SPACE_LINES = 20          # lines kept of completions without a leading space

LEGACY_FORMAT_FOR_CHAT_MODEL = check(
    "legacy_format_for_chat_model", E, "dataset", "Legacy format for a chat model",
    "prompt/completion data only trains babbage-002/davinci-002.")
LEGACY_CLASSIFICATION = check(
    "legacy_classification", I, "dataset", "Looks like classification",
    "Few distinct completions: classification (L06).", ref="L06")
LEGACY_PROMPTS_IDENTICAL = check(
    "legacy_prompts_identical", E, "dataset", "All prompts identical", "Every prompt is the same (L11).", ref="L11")
LEGACY_PROMPT_SEPARATOR = check(
    "legacy_prompt_separator", I, "dataset", "Common prompt separator",
    "All prompts end with the same separator (L11).", ref="L11")
LEGACY_NO_PROMPT_SEPARATOR = check(
    "legacy_no_prompt_separator", W, "dataset", "No prompt separator",
    "Prompts do not share a separator marking where the completion begins (L11).", ref="L11")
LEGACY_COMMON_PROMPT_PREFIX = check(
    "legacy_common_prompt_prefix", W, "dataset", "Common prompt prefix",
    "All prompts start with the same long prefix (L12).", ref="L12")
LEGACY_COMMON_COMPLETION_PREFIX = check(
    "legacy_common_completion_prefix", W, "dataset", "Common completion prefix",
    "All completions start with the same prefix (L13).", ref="L13")
LEGACY_COMPLETIONS_IDENTICAL = check(
    "legacy_completions_identical", E, "dataset", "All completions identical", "Every completion is the same (L14).",
    ref="L14")
LEGACY_COMPLETION_ENDING = check(
    "legacy_completion_ending", I, "dataset", "Common completion ending",
    "All completions end with the same string (L14).", ref="L14")
LEGACY_NO_COMPLETION_ENDING = check(
    "legacy_no_completion_ending", W, "dataset", "No completion ending",
    "Completions do not share an ending marking where they stop (L14).", ref="L14")
LEGACY_COMPLETION_LEADING_SPACE = check(
    "legacy_completion_leading_space", W, "dataset", "Completions without leading space",
    "Completions should start with a space (L15).", ref="L15")
LEGACY_UPPERCASE = check(
    "legacy_uppercase", W, "dataset", "Mostly upper case",
    "More than a third of the prompts or completions is upper case (L09/L10).", ref="L09/L10")


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


class Legacy:
    """Running facts over the legacy rows of one file."""

    checks = (LEGACY_FORMAT_FOR_CHAT_MODEL, LEGACY_CLASSIFICATION, LEGACY_PROMPTS_IDENTICAL, LEGACY_PROMPT_SEPARATOR,
              LEGACY_NO_PROMPT_SEPARATOR, LEGACY_COMMON_PROMPT_PREFIX, LEGACY_COMMON_COMPLETION_PREFIX,
              LEGACY_COMPLETIONS_IDENTICAL, LEGACY_COMPLETION_ENDING, LEGACY_NO_COMPLETION_ENDING,
              LEGACY_COMPLETION_LEADING_SPACE, LEGACY_UPPERCASE)

    def __init__(self, rows: Rows):
        self.rows = rows
        self.n = 0                          # legacy rows with facts
        self.first_line = 0
        self.p_head = self.p_tail = self.c_head = self.c_tail = ""
        self.p_total = 0
        self.p_newline = False
        self.sep_mask = 0
        self.end_mask = 0
        self.no_space = 0
        self.no_space_lines: list[int] = []
        self.upper = [0, 0, 0, 0]           # prompt upper, prompt lower, completion upper, completion lower
        self.prompts: set[int] | None = set()       # distinct digests; None past MAX_DISTINCT
        self.completions: set[int] | None = set()

    def add(self, summary, i: int) -> None:
        an = summary.analysis
        facts = an.facts
        if an.kind is not RecordKind.PROMPT_COMPLETION or not facts:
            return
        if self.n == 0:
            self.first_line = summary.line
            self.p_head, self.p_tail = facts["p_head"], facts["p_tail"]
            self.c_head, self.c_tail = facts["c_head"], facts["c_tail"]
        else:
            self.p_head = _common_prefix(self.p_head, facts["p_head"])
            self.p_tail = _common_suffix(self.p_tail, facts["p_tail"])
            self.c_head = _common_prefix(self.c_head, facts["c_head"])
            self.c_tail = _common_suffix(self.c_tail, facts["c_tail"])
        self.n += 1
        self.p_total += facts["p_len"]
        self.p_newline |= facts["p_newline"]
        self.sep_mask |= facts["sep_mask"]
        self.end_mask |= facts["end_mask"]
        if not facts["c_head"][:1].isspace():
            self.no_space += 1
            if len(self.no_space_lines) < NO_SPACE_LINES:
                self.no_space_lines.append(summary.line)
        u = self.upper
        u[0] += facts["p_upper"]
        u[1] += facts["p_lower"]
        u[2] += facts["c_upper"]
        u[3] += facts["c_lower"]
        if self.prompts is not None and an.input_key is not None:
            self.prompts.add(as_int(an.input_key))
            if len(self.prompts) > MAX_DISTINCT:
                self.prompts = None
        if self.completions is not None and an.output_key is not None:
            self.completions.add(as_int(an.output_key))
            if len(self.completions) > MAX_DISTINCT:
                self.completions = None

    def merge(self, other: Legacy, offset: int) -> None:
        self.prompts = _union(self.prompts, other.prompts)
        self.completions = _union(self.completions, other.completions)
        if other.n == 0:
            return
        if self.n == 0:
            self.first_line = other.first_line
            self.p_head, self.p_tail, self.c_head, self.c_tail = other.p_head, other.p_tail, other.c_head, other.c_tail
        else:
            self.p_head = _common_prefix(self.p_head, other.p_head)
            self.p_tail = _common_suffix(self.p_tail, other.p_tail)
            self.c_head = _common_prefix(self.c_head, other.c_head)
            self.c_tail = _common_suffix(self.c_tail, other.c_tail)
        self.n += other.n
        self.p_total += other.p_total
        self.p_newline |= other.p_newline
        self.sep_mask |= other.sep_mask
        self.end_mask |= other.end_mask
        self.no_space += other.no_space
        self.no_space_lines.extend(other.no_space_lines[:max(0, NO_SPACE_LINES - len(self.no_space_lines))])
        self.upper = [x + y for x, y in zip(self.upper, other.upper)]

    def finish(self, out: DatasetOutput) -> None:
        rows = out.kinds[RecordKind.PROMPT_COMPLETION]
        if not rows:
            return
        self._heuristics(out)
        model = out.options.model or ""
        base = model[3:].split(":")[0] if model.startswith("ft:") else model
        if rows * 2 > self.rows.n and not base.startswith(PROMPT_COMPLETION_MODELS):
            out.add(LEGACY_FORMAT_FOR_CHAT_MODEL,
                    f"{rows} examples use the legacy prompt/completion format, which only babbage-002 and "
                    f"davinci-002 train on; {model} needs chat messages.",
                    "Convert each row to {\"messages\": [{\"role\": \"user\", \"content\": prompt}, "
                    "{\"role\": \"assistant\", \"content\": completion}]} (drop separators and stop endings).",
                    self.first_line)

    def _heuristics(self, out: DatasetOutput) -> None:
        """The prepare_data heuristics (L06-L15), each a file-level note at the first legacy line."""
        if not self.n:
            return

        def add(check, message: str, hint: str) -> None:
            out.add(check, message, hint, self.first_line)

        n = self.n
        distinct = len(self.completions) if self.completions is not None else None
        open_ended = self.p_total == 0
        classification = distinct is not None and distinct < n / 3
        if classification:
            add(LEGACY_CLASSIFICATION,
                "Based on your data it seems like you're trying to fine-tune a model for classification "
                f"({distinct} distinct completions in {n} examples).",
                "For classification, keep a held-out dataset (not used for training) to estimate performance.")
        if not open_ended:
            self._prompt_notes(add)
        if len(self.c_head) >= 5:
            add(LEGACY_COMMON_COMPLETION_PREFIX,
                f"All completions start with prefix `{self.c_head!r}`. Most of the time you should only add the "
                "output data into the completion, without any prefix.",
                f"Remove prefix {self.c_head!r} from all completions (keep one leading space).")
        if distinct == 1 and n > 1:
            add(LEGACY_COMPLETIONS_IDENTICAL,
                f"All completions are identical: `{self.c_head!r}`.",
                "Ensure completions are different, otherwise the model will just repeat them.")
        elif not classification and not open_ended:
            if self.c_tail:
                add(LEGACY_COMPLETION_ENDING, f"All completions end with suffix `{self.c_tail!r}`.",
                    "Use this ending as the stop sequence at inference.")
            else:
                add(LEGACY_NO_COMPLETION_ENDING,
                    "Your data does not contain a common ending at the end of your completions. Having a common "
                    "ending string appended to the end of the completion makes it clearer to the fine-tuned model "
                    "where the completion should end.",
                    f"Add a suffix ending {self._suggest_ending()!r} to all completions.")
        if self.no_space:
            lines = ", ".join(map(str, self.no_space_lines[:8]))
            add(LEGACY_COMPLETION_LEADING_SPACE,
                f"{self.no_space} of {n} completions do not start with a whitespace character (lines {lines}"
                f"{' ...' if self.no_space > 8 else ''}). Starting with a space tends to produce better results "
                "due to the tokenization.",
                "Add a whitespace character to the beginning of each completion.")
        for label, up, low in (("prompt", self.upper[0], self.upper[1]), ("completion", self.upper[2], self.upper[3])):
            if up * 2 > low and up > 0:
                add(LEGACY_UPPERCASE,
                    f"More than a third of your `{label}` column/key is uppercase. Uppercase {label}s tend to "
                    "perform worse than a mixture of case encountered in normal language.",
                    f"Lower-case the {label}s if that makes sense in your domain.")

    def _prompt_notes(self, add) -> None:
        if self.prompts is not None and len(self.prompts) == 1 and self.n > 1:
            add(LEGACY_PROMPTS_IDENTICAL, f"All prompts are identical: `{self.p_head!r}`.",
                "Leave the prompts blank for open-ended generation, otherwise make the prompts different.")
        elif self.p_tail:
            add(LEGACY_PROMPT_SEPARATOR, f"All prompts end with suffix `{self.p_tail!r}`"
                + (". This suffix seems very long." if len(self.p_tail) > 10 else "."),
                "Good: the separator tells the model where the completion begins; use it at inference too.")
        else:
            add(LEGACY_NO_PROMPT_SEPARATOR,
                "Your data does not contain a common separator at the end of your prompts. Having a separator "
                "string appended to the end of the prompt makes it clearer to the fine-tuned model where the "
                "completion should begin.",
                f"Add a suffix separator {self._suggest_separator()!r} to all prompts.")
        if len(self.p_head) > 12:
            add(LEGACY_COMMON_PROMPT_PREFIX,
                f"All prompts start with prefix `{self.p_head!r}`. Fine-tuning doesn't require the instruction "
                "specifying the task; most of the time only the input data belongs in the prompt.",
                f"Remove prefix {self.p_head!r} from all prompts.")

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


def _union(mine: set[int] | None, theirs: set[int] | None) -> set[int] | None:
    if mine is None or theirs is None:
        return None
    mine |= theirs
    return mine if len(mine) <= MAX_DISTINCT else None
