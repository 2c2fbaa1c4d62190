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

from tunescope.jobs.types import Checkpoint, Event, Job, Metrics

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
class LiveChecked(Message):
    """The edited rows were checked as a whole (`live` None: cancelled, or too big to copy)."""

    live: Any
    generation: int


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
class Told(Message):
    """Background work finished with something to tell the user (`text`, titled `title`)."""

    text: str
    title: str = ""


@dataclass
class SearchProgressed(Message):
    """The running search has read `done` of `total` rows."""

    done: int
    total: int
    generation: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SearchProgressed)


@dataclass
class MatchesCounted(Message):
    """Every display row the search matches (an array), for "match k of N"."""

    matches: Any
    generation: int


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
    read_only: bool = False


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


# -- navigation: screens and dialogs ask the App, and never import each other ----------------
@dataclass
class StartJobRequested(Message):
    """Open the start-job dialog for the open dataset (the jobs screen's `n`; the dataset's `T` is `app.start_job`)."""


@dataclass
class ShowLineRequested(Message):
    """Show `line` (1-based) of the open dataset in the viewer, with message `message_index` (0-based) selected.

    `note` (titled `title`) is shown as an error toast once the line is on screen: why a job failed there.
    """

    line: int
    message_index: int | None = None
    title: str = ""
    note: str = ""


@dataclass
class ExampleShown(Message):
    """The example viewer has drawn `line` (1-based; None for an example added in this session).

    `cursor_reset` is True when the viewer put its message cursor back on the first message (a fresh
    show), False when it kept it (a redraw of the same example, e.g. after an edit or its analysis).
    """

    line: int | None
    cursor_reset: bool = True


# -- the jobs screens' background work (tui/jobs_poller.py) ----------------------------------
@dataclass
class JobsListed(Message):
    """The newest jobs, newest first."""

    jobs: list[Job]
    has_more: bool = False
    seconds: float = 0.0

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, JobsListed)


@dataclass
class JobFollowed(Message):
    """The selected job now, and what is new about it since the last message of this `generation`.

    With `reset` the events and metrics are everything known so far (a new selection).
    `checkpoints` is None when they were not fetched this round; `files` maps the failed
    job's file ids to their names on the server.
    """

    job: Job
    events: list[Event]
    metrics: list[Metrics]
    checkpoints: list[Checkpoint] | None
    reset: bool
    generation: int
    files: dict[str, str] = field(default_factory=dict)


@dataclass
class JobsProblem(Message):
    """Talking to the backend failed; `text` is one sentence for people (`stopped`: no retry until asked)."""

    text: str
    kind: str = "error"
    stopped: bool = False


@dataclass
class JobsRecovered(Message):
    """The backend answers again after a problem."""


@dataclass
class JobActionDone(Message):
    """cancel/pause/resume finished: the job as the server now reports it, or why not."""

    action: str
    job_id: str
    job: Job | None = None
    error: str | None = None


@dataclass
class ArchiveProgressed(Message):
    """One more job kept by `jobs archive` (n of total)."""

    n: int
    total: int


@dataclass
class JobsArchived(Message):
    """The archive is written (`result`: jobs.archive.Archive), or why it could not be (`error`)."""

    folder: str
    result: Any = None
    error: str | None = None


@dataclass
class UploadProgressed(Message):
    """`done` of `total` bytes of the `role` ("training" or "validation") file are uploaded."""

    done: int
    total: int
    role: str = "training"

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, UploadProgressed) and message.role == self.role


@dataclass
class JobStartStep(Message):
    """What the start-job worker is doing now ("checking", "uploading", "creating")."""

    text: str


@dataclass
class JobStarted(Message):
    """The job was created on the backend."""

    job: Job


@dataclass
class JobStartFailed(Message):
    """No job was started; `text` says why (`kind`: "preflight", "cancelled", an SDK error kind...)."""

    text: str
    kind: str = "error"


@dataclass
class CompareRequested(Message):
    """Open the Compare screen for these models (a finished job asks for its base model and itself)."""

    models: tuple[str, ...] = ()


@dataclass
class EvalProgressed(Message):
    """`done` of `total` answers of evaluation run `generation` are in."""

    done: int
    total: int
    generation: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, EvalProgressed)


@dataclass
class EvalFinished(Message):
    """An evaluation run ended (or was stopped: `report["run"]["stopped"]`); `report` is the CLI's JSON."""

    report: dict
    generation: int


@dataclass
class EvalFailed(Message):
    """No report; `text` says why. `cost` is set instead when the run needs confirming first."""

    text: str
    generation: int
    cost: bool = False


@dataclass
class CheckpointScores(Message):
    """An evaluation scored checkpoints of a job: (step, pass rate) pairs, for the loss chart's overlay."""

    job_id: str
    points: list[tuple[int, float]]


@dataclass
class ExportProgressed(Message):
    """An export for a target has read `done` examples."""

    done: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ExportProgressed)


@dataclass
class ExportFinished(Message):
    """An export ended: `text` is the report (`render_export_text`) or why nothing was written."""

    title: str
    text: str
    severity: str          # "information" (all carried), "warning" (something not carried), "error"


@dataclass
class TargetChecked(Message):
    """The chosen target's rules ran over the file: its findings (a TargetReport), or `error`."""

    target: str
    report: object | None
    error: str | None = None
