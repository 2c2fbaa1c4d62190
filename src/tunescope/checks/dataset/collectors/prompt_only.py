"""Rows with only prompt messages: reinforcement prompts, or supervised rows missing their answer.

Such a row alone cannot say which it is; the file majority decides (see Rows.resolve_kinds).
Read as supervised, each one is an error at its own line; read as reinforcement, one
file-level note says how they were read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tunescope.checks.dataset.collector import RowTableRule
from tunescope.checks.dataset.limits import PER_LINE_CAP
from tunescope.checks.dataset.rows import PROMPT_ONLY
from tunescope.checks.model import RecordKind
from tunescope.checks.example.roles import MISSING_ASSISTANT_MESSAGE
from tunescope.checks.registry import I, check

if TYPE_CHECKING:
    from tunescope.checks.dataset.output import DatasetOutput

PROMPT_ONLY_EXAMPLES = check(
    "prompt_only_examples", I, "dataset", "Prompt-only examples",
    "Rows with only prompt messages, read as reinforcement data by file majority.")


class PromptOnlyRows(RowTableRule):
    """Reads the ambiguous rows the way the file majority says; its state is the shared row table."""

    checks = (PROMPT_ONLY_EXAMPLES,)

    def finish(self, out: DatasetOutput) -> None:
        prompt_only = out.prompt_only
        if not prompt_only:
            return
        rows = self.rows
        if out.prompt_only_read_as is RecordKind.CHAT:
            chat = out.kinds[RecordKind.CHAT] - prompt_only
            missing = MISSING_ASSISTANT_MESSAGE
            emitted = 0
            for i, code in enumerate(rows.codes):
                if code == PROMPT_ONLY and emitted < PER_LINE_CAP:
                    emitted += 1
                    out.add(missing,
                            f"Invalid file format. Example {i + 1} has no assistant message. Most examples in this "
                            f"file are supervised chat ({chat} of {rows.n}), so this one is read as supervised too.",
                            "Add the assistant reply, or delete the example.", rows.lines[i], i, "$.messages")
            return
        first = rows.lines[rows.codes.index(PROMPT_ONLY)]
        out.add(PROMPT_ONLY_EXAMPLES,
                f"{prompt_only} of {rows.n} examples have only prompt messages (no assistant reply, no grader keys). "
                "They are read as reinforcement fine-tuning prompts because "
                + ("that is most of the file" if prompt_only >= rows.n / 2
                   else "the rest of the file is reinforcement data")
                + "; as supervised data each would be rejected for lacking an assistant message.",
                "If this is supervised data, add the assistant replies (check with --method supervised to list them).",
                first)
