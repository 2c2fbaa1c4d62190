"""The per-example table every dataset collector shares: line number and kind of each row.

Five bytes per example (a line number and a kind code) instead of one copy per collector.
Rows that could be reinforcement prompts or supervised rows lacking their answer get the
code PROMPT_ONLY while the file streams; `resolve_kinds` decides them by file majority once
every row is in, so every collector sees the same counts.
"""

from __future__ import annotations

from array import array
from collections import Counter

from tunescope.checks.model import ExampleSummary, RecordKind, is_prompt_only

KIND_CODES = (RecordKind.CHAT, RecordKind.PREFERENCE, RecordKind.REINFORCEMENT, RecordKind.PROMPT_COMPLETION,
              RecordKind.NEAR_MISS, RecordKind.UNKNOWN, RecordKind.INVALID, RecordKind.BLANK)
CODE_OF = {k: i for i, k in enumerate(KIND_CODES)}
PROMPT_ONLY = len(KIND_CODES)          # extra code: ambiguous prompt-only rows, resolved at finish
FORMAT_KINDS = (RecordKind.CHAT, RecordKind.PREFERENCE, RecordKind.REINFORCEMENT, RecordKind.PROMPT_COMPLETION)


class Rows:
    """Line numbers and kind codes of the examples seen so far, in file order."""

    def __init__(self, method: str | None = None):
        self.method = method           # with a method given, no row is ambiguous
        self.n = 0
        self.lines = array("I")
        self.codes = array("B")

    def add(self, summary: ExampleSummary) -> int:
        """Append one example; returns its 0-based position."""
        an = summary.analysis
        i = self.n
        self.n += 1
        self.lines.append(summary.line)
        if not an.roles and an.kind in (RecordKind.CHAT, RecordKind.REINFORCEMENT):
            code = CODE_OF[RecordKind.UNKNOWN]   # no usable messages: no format vote (its own finding says why)
        elif self.method is None and is_prompt_only(an):
            code = PROMPT_ONLY
        else:
            code = CODE_OF[an.kind]
        self.codes.append(code)
        return i

    def merge(self, other: Rows) -> None:
        """Append the rows of a table built over the lines that follow this one's."""
        self.lines.extend(other.lines)
        self.codes.extend(other.codes)
        self.n += other.n

    def kind_at(self, i: int) -> RecordKind:
        """Kind of row i, an ambiguous prompt-only row counting as reinforcement."""
        code = self.codes[i]
        return KIND_CODES[code] if code < PROMPT_ONLY else RecordKind.REINFORCEMENT

    def resolve_kinds(self) -> tuple[Counter, int, RecordKind | None]:
        """(rows per kind, prompt-only rows, the kind they are read as; None when there are none).

        Prompt-only rows count as supervised chat when chat rows outnumber them and the
        reinforcement rows together, else as reinforcement prompts."""
        raw = Counter(self.codes)
        prompt_only = raw.pop(PROMPT_ONLY, 0)
        kinds = Counter({KIND_CODES[c]: n for c, n in raw.items()})
        if not prompt_only:
            return kinds, 0, None
        read_as = (RecordKind.CHAT if kinds[RecordKind.CHAT] > prompt_only + kinds[RecordKind.REINFORCEMENT]
                   else RecordKind.REINFORCEMENT)
        kinds[read_as] += prompt_only
        return kinds, prompt_only, read_as


def main_format(kinds: Counter) -> str:
    """The file's format: its most common data kind (near-miss rows included), else "unknown"."""
    data = [(k, n) for k, n in kinds.most_common() if k in FORMAT_KINDS or k is RecordKind.NEAR_MISS]
    return data[0][0].value if data else "unknown"
