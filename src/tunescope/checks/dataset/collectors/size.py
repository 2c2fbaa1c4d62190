"""How many examples the file has: OpenAI refuses fewer than 10, and 50-100 is a typical start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tunescope.checks.dataset.collector import RowTableRule
from tunescope.checks.dataset.limits import MIN_EXAMPLES
from tunescope.checks.model import RecordKind
from tunescope.checks.registry import E, W, check

if TYPE_CHECKING:
    from tunescope.checks.dataset.output import DatasetOutput

RECOMMENDED_EXAMPLES = 50    # OpenAI guide: improvements from 50-100 well-crafted examples

TOO_FEW_EXAMPLES = check(
    "too_few_examples", E, "dataset", "Fewer than 10 examples",
    "OpenAI refuses files with fewer than 10 examples (D01).", ref="D01")
VALIDATION_FEW_EXAMPLES = check(
    "validation_few_examples", W, "dataset", "Tiny validation file",
    "A validation file with fewer than 10 examples: allowed (no documented minimum), but its loss is noisy.")
FEW_EXAMPLES = check(
    "few_examples", W, "dataset", "Fewer than 50 examples",
    "Improvements usually appear from 50-100 well-crafted examples.")


class Size(RowTableRule):
    """Counts usable examples (blank and invalid lines are not examples); writes stats["examples"]."""

    checks = (TOO_FEW_EXAMPLES, VALIDATION_FEW_EXAMPLES, FEW_EXAMPLES)

    def finish(self, out: DatasetOutput) -> None:
        kinds = out.kinds
        unusable = kinds[RecordKind.BLANK] + kinds[RecordKind.INVALID]
        n = self.rows.n - unusable          # the examples the report's header counts
        out.stats["examples"] = n
        if self.rows.n == 0:                # an empty or binary file: its own finding says so
            return
        if out.options.validation_file:     # the 10-example minimum is the training file's (invalid_n_examples)
            if 0 < n < MIN_EXAMPLES:
                out.add(VALIDATION_FEW_EXAMPLES,
                        f"The validation file has {n} example(s). The API documents no minimum for validation "
                        "files, but validation loss over so few examples is noisy.",
                        f"Move a few more examples from training into validation (at least {MIN_EXAMPLES} is a "
                        "sensible floor).", path="")
            return
        if n < MIN_EXAMPLES:
            also = f" ({unusable:,} more line(s) are blank or not valid JSON)" if unusable else ""
            out.add(TOO_FEW_EXAMPLES,
                    f"Training file has {n} example(s), but must have at least {MIN_EXAMPLES} examples{also}.",
                    "Add more examples: OpenAI refuses the file (invalid_n_examples); 50-100 good examples is a "
                    "typical start.", path="")
        elif n < RECOMMENDED_EXAMPLES:
            out.add(FEW_EXAMPLES,
                    f"The file has {n} examples; improvements usually appear from 50-100 well-crafted examples.",
                    "Add examples if results are weak (OpenAI's guidance is to start with 50).", path="")
