"""App-wide messages, named for what happened.

Workers never touch widgets: they compute, then post one of these to the
dataset screen, whose handlers own every change of state. High-rate messages
(index growth, check progress) replace a queued older copy of themselves
(`can_replace`), so a burst collapses into one repaint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from tunescope.checks.model import ExampleSummary
    from tunescope.checks.report import CheckReport
    from tunescope.dataset.index import LineIndex


@dataclass
class IndexGrew(Message):
    """The line index knows `lines` lines (of a file of `size` bytes, `scanned` read)."""

    lines: int
    scanned: int
    size: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, IndexGrew)


@dataclass
class IndexBuilt(Message):
    """The line index is complete (or failed: `error` says why)."""

    lines: int
    error: str | None = None


@dataclass
class ExamplesChecked(Message):
    """One batch of per-example results from the checker (`generation` drops stale runs)."""

    summaries: list[ExampleSummary]
    generation: int


@dataclass
class CheckProgressed(Message):
    """The checker has looked at `done` of `total` examples."""

    done: int
    total: int
    generation: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CheckProgressed) and message.generation == self.generation


@dataclass
class CheckFinished(Message):
    """The checker's final report (dataset-level findings included)."""

    report: CheckReport
    generation: int
    seconds: float = 0.0


@dataclass
class CheckFailed(Message):
    """The checker could not run; `reason` is shown to the user as is."""

    reason: str
    generation: int


@dataclass
class TokensEstimated(Message):
    """Exact token counts are unavailable; counts are estimates (`reason` says how to fix it)."""

    reason: str


@dataclass
class ExampleAnalysed(Message):
    """A fresh analysis of one example's current bytes (for the viewer, or after an edit)."""

    key: tuple               # ("m", digest) for an edited row, ("v", digest) for the viewer's row
    summary: ExampleSummary
    data: bytes = b""


@dataclass
class SearchMatched(Message):
    """The search found `pattern` in display row `row` (or nowhere when row is None)."""

    pattern: str
    row: int | None
    wrapped: bool = False
    generation: int = 0      # which search this answers (a newer one makes it stale)


@dataclass
class ViewBuilt(Message):
    """A filter or sort produced `rows` (session row indices, in display order); None = all rows."""

    rows: Any
    description: str
    kind: str = "filter"
    generation: int = 0


@dataclass
class DatasetSaved(Message):
    """The dataset was written to `path`; `index` is the written file's (the session continues on it)."""

    path: str
    detail: str
    index: LineIndex


@dataclass
class SaveRejected(Message):
    """Saving was refused (`changed_on_disk` when the file changed since it was opened).

    `save_as_blocked` says why saving to another path cannot work either (the
    original was modified in place, so its untouched lines cannot be copied).
    """

    reason: str
    changed_on_disk: bool = False
    path: str | None = None
    save_as_blocked: str | None = None


@dataclass
class NoticePosted(Message):
    """Something the user should read (a worker's way to show a toast)."""

    text: str
    severity: str = "information"
    extra: dict = field(default_factory=dict)


@dataclass
class AnalysisFailed(Message):
    """Checking one row again (`key`, line `line`) failed; `reason` says why."""

    key: tuple
    line: int
    reason: str


@dataclass
class WorkFailed(Message):
    """A background search or filter (`what`) failed; `reason` says why."""

    what: str
    reason: str
