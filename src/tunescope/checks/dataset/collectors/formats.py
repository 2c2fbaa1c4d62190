"""One file, one format: rows of another format than the file's main one (S05)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tunescope.checks.dataset.collector import RowTableRule
from tunescope.checks.dataset.limits import PER_LINE_CAP
from tunescope.checks.dataset.rows import FORMAT_KINDS, KIND_CODES, PROMPT_ONLY
from tunescope.checks.model import RecordKind
from tunescope.checks.registry import E, check

if TYPE_CHECKING:
    from tunescope.checks.dataset.output import DatasetOutput

MIXED_FORMATS = check(
    "mixed_formats", E, "dataset", "Mixed formats", "Rows of different formats in one file (S05).", ref="S05")


class MixedFormats(RowTableRule):
    """Flags each row whose format is not the file's main one, then sums the mix up; reads the row table."""

    checks = (MIXED_FORMATS,)

    def finish(self, out: DatasetOutput) -> None:
        present = [(k, n) for k, n in out.kinds.most_common() if k in FORMAT_KINDS]
        if len(present) < 2:
            return
        main = present[0][0]
        main_codes = {KIND_CODES.index(main)}
        if main is RecordKind.REINFORCEMENT or main is RecordKind.CHAT:
            main_codes.add(PROMPT_ONLY)
        rows = self.rows
        emitted = 0
        first_other = None
        for i, code in enumerate(rows.codes):
            if code in main_codes or code >= PROMPT_ONLY or KIND_CODES[code] not in FORMAT_KINDS:
                continue
            line = rows.lines[i]
            first_other = first_other or line
            if emitted < PER_LINE_CAP:
                emitted += 1
                other = KIND_CODES[code].value
                out.add(MIXED_FORMATS,
                        f"All samples in the dataset must have the same dataset format. Got {main.value} for most "
                        f"lines and {other} for line {line}.",
                        f"Move the {other} examples to their own file, or convert them to {main.value}.", line, i)
        desc = ", ".join(f"{n} {k.value}" for k, n in present)
        out.add(MIXED_FORMATS, f"The file mixes formats: {desc}.",
                "One file must hold one format; split it by format.", first_other)
