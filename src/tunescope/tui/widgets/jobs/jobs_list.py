"""The jobs list: newest first, one line per job, drawn with the Line API.

Columns shrink with the width: status and id always, then model, created
time, trained tokens, and the fine-tuned model (or the estimated finish of a
running job) in whatever room is left. The list keeps the cursor on the same
job id when a poll brings new jobs in at the top.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tunescope.tui import keymap
from tunescope.tui.widgets.jobs import format as fmt


class JobsList(ScrollView, can_focus=True):
    """Jobs of the backend with a cursor; posts Highlighted when the selected job changes."""

    BINDINGS = keymap.JOBS_LIST_BINDINGS
    """The list's own cursor keys (a ScrollView would otherwise scroll with the arrows)."""

    HELP = "Jobs on the backend, newest first. The selected job's curves, events and checkpoints are shown below."

    COMPONENT_CLASSES = {
        "jobs-list--cursor", "jobs-list--header", "jobs-list--pending", "jobs-list--running",
        "jobs-list--paused", "jobs-list--succeeded", "jobs-list--failed", "jobs-list--cancelled",
        "jobs-list--dim",
    }

    DEFAULT_CSS = """
    JobsList {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        & > .jobs-list--cursor { background: $block-cursor-blurred-background; }
        &:focus > .jobs-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
        & > .jobs-list--header { color: $text-muted; text-style: bold; }
        & > .jobs-list--pending { color: $text-muted; }
        & > .jobs-list--running { color: $text-primary; text-style: bold; }
        & > .jobs-list--paused { color: $text-warning; text-style: bold; }
        & > .jobs-list--succeeded { color: $text-success; }
        & > .jobs-list--failed { color: $text-error; text-style: bold; }
        & > .jobs-list--cancelled { color: $text-muted; }
        & > .jobs-list--dim { color: $text-muted; }
    }
    """

    cursor: reactive[int] = reactive(0, repaint=False, always_update=True)

    @dataclass
    class Highlighted(Message):
        """The cursor is on `job_id` (None: the list is empty)."""

        list: "JobsList"
        job_id: str | None

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, JobsList.Highlighted)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.jobs: list = []
        self.empty_text = "Looking for jobs…"
        self._styles: dict[str, Style] = {}
        self._announced: str | None = None

    # -- data -----------------------------------------------------------
    @property
    def selected(self):
        return self.jobs[self.cursor] if self.jobs and 0 <= self.cursor < len(self.jobs) else None

    @property
    def selected_id(self) -> str | None:
        job = self.selected
        return job.id if job is not None else None

    def set_jobs(self, jobs: list, keep: str | None = None) -> None:
        """Replace the rows, keeping the cursor on job `keep` (default: the selected one)."""
        keep = keep if keep is not None else self.selected_id
        self.jobs = list(jobs)
        self.virtual_size = Size(self.size.width, len(self.jobs) + 1)
        index = next((i for i, j in enumerate(self.jobs) if j.id == keep), None)
        self.set_reactive(JobsList.cursor, self.validate_cursor(index if index is not None else self.cursor))
        self.scroll_to_cursor()
        self.refresh()
        self._announce()

    def update_job(self, job) -> None:
        """Refresh one job's row from a fresher copy (after an action or a follow round)."""
        for i, old in enumerate(self.jobs):
            if old.id == job.id:
                self.jobs[i] = job
                self.refresh()
                return

    def select(self, job_id: str) -> bool:
        for i, job in enumerate(self.jobs):
            if job.id == job_id:
                self.cursor = i
                return True
        return False

    def _announce(self) -> None:
        job_id = self.selected_id
        if job_id != self._announced:
            self._announced = job_id
            self.post_message(self.Highlighted(self, job_id))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    # -- cursor ---------------------------------------------------------
    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.jobs) - 1)) if self.jobs else 0

    def watch_cursor(self) -> None:
        self.refresh()
        self.scroll_to_cursor()
        self._announce()

    def scroll_to_cursor(self) -> None:
        height = max(1, (self.scrollable_content_region.height or self.size.height) - 1)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def on_click(self, event: Click) -> None:
        row = self.scroll_offset.y + event.y - 1
        if 0 <= row < len(self.jobs):
            self.cursor = row

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.jobs) + 1)

    # -- rendering ------------------------------------------------------
    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            full = self.get_component_rich_style(f"jobs-list--{name}")
            style = self._styles[name] = Style(color=full.color, bold=full.bold, dim=full.dim)
        return style

    def columns(self, width: int) -> list[tuple[str, int]]:
        """(name, width) of the columns that fit; the last one takes the rest."""
        cols = [("status", 12), ("id", 15 if width >= 100 else 13)]
        if width >= 60:
            cols.append(("model", 26 if width >= 110 else 17))
        if width >= 70:
            cols.append(("created", 7 if width < 110 else 13))
        if width >= 78:
            cols.append(("tokens", 9))
        used = sum(w for _, w in cols) + len(cols)
        if width - used >= 8:
            cols.append(("result", width - used))
        return cols

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        base = self.rich_style
        if y == 0:
            return self._header(width)
        row = self.scroll_offset.y + y - 1
        if row >= len(self.jobs):
            if row == 0:
                return Strip([Segment(f" {self.empty_text}", base + self._style("dim"))]).crop_extend(0, width, base)
            return Strip.blank(width, base)
        return self._row(self.jobs[row], row == self.cursor, width)

    def _header(self, width: int) -> Strip:
        titles = {"status": "STATUS", "id": "JOB", "model": "MODEL", "created": "CREATED", "tokens": "TOKENS",
                  "result": "FINE-TUNED MODEL / ETA"}
        style = self.rich_style + self._style("header")
        segments = []
        for name, w in self.columns(width):
            text = titles[name]
            segments.append(Segment((text.rjust(w) if name == "tokens" else fmt.head(text, w).ljust(w)) + " ", style))
        return Strip(segments).crop_extend(0, width, self.rich_style)

    def _row(self, job, is_cursor: bool, width: int) -> Strip:
        base = self.rich_style
        if is_cursor:
            base = base + self.get_component_rich_style("jobs-list--cursor")
        status_style = base + self._style(fmt.STATUS_STYLE.get(job.status, "pending"))
        dim = base if is_cursor else base + self._style("dim")
        segments = []
        for name, w in self.columns(width):
            if name == "status":
                text = f"{fmt.STATUS_GLYPH.get(job.status, '?')} {fmt.status_label(job.status)}"
                segments.append(Segment(fmt.head(text, w).ljust(w) + " ", status_style))
            elif name == "id":
                segments.append(Segment(fmt.short_id(job.id, w).ljust(w) + " ", base))
            elif name == "model":
                segments.append(Segment(fmt.head(job.model, w).ljust(w) + " ", base))
            elif name == "created":
                segments.append(Segment(fmt.head(fmt.clock(job.created_at), w).ljust(w) + " ", dim))
            elif name == "tokens":
                value = fmt.tokens(job.trained_tokens) if job.trained_tokens else "—"
                segments.append(Segment(value.rjust(w) + " ", base))
            else:
                segments.append(Segment(self._result(job, w).ljust(w), dim if not job.fine_tuned_model else base))
        return Strip(segments).crop_extend(0, width, base)

    @staticmethod
    def _result(job, width: int) -> str:
        if job.fine_tuned_model:
            return fmt.tail(job.fine_tuned_model, width)
        if job.status == "failed" and job.failure is not None:
            where = job.failure.where
            return fmt.head(f"{job.failure.code or 'failed'}" + (f" at {where}" if where else ""), width)
        if job.estimated_finish and not job.done:
            return fmt.head(f"eta {fmt.clock(job.estimated_finish)}", width)
        return ""
