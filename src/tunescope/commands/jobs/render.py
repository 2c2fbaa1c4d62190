"""Text for `tunescope jobs`: tables, job details and the live watch line, at 80 columns."""

from __future__ import annotations

import sys
import textwrap
import time
from typing import TextIO

from tunescope.jobs.types import Checkpoint, Event, Job, Metrics

WIDTH = 80


def when(ts: int | None, full: bool = False) -> str:
    if not ts:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S" if full else "%m-%d %H:%M", time.localtime(ts))


def clip(text: str, width: int) -> str:
    text = text or ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "~"


def wrap(text: str, indent: int) -> str:
    lines = textwrap.wrap(text, WIDTH - indent, break_long_words=True, break_on_hyphens=False) or [""]
    pad = " " * indent
    return ("\n" + pad).join(lines)


def job_table(jobs: list[Job]) -> str:
    if not jobs:
        return "No fine-tuning jobs.\n"
    rows = [f"{'ID':30} {'STATUS':16} {'CREATED':11} MODEL"]
    for j in jobs:
        rows.append(f"{clip(j.id, 30):30} {clip(j.status, 16):16} {when(j.created_at):11} "
                    f"{clip(j.fine_tuned_model or j.model, WIDTH - 60)}")
    return "\n".join(rows) + "\n"


def _hp(job: Job) -> str:
    return ", ".join(f"{k}={v}" for k, v in job.hyperparameters.items()) or "-"


def job_details(job: Job) -> str:
    pairs = [("Job", job.id), ("Status", job.status), ("Model", job.model),
             ("Fine-tuned", job.fine_tuned_model or "-"), ("Method", f"{job.method} ({_hp(job)})"),
             ("Training", job.training_file or "-"), ("Validation", job.validation_file or "-"),
             ("Suffix", job.suffix or "-"), ("Seed", "-" if job.seed is None else str(job.seed)),
             ("Created", when(job.created_at, True)), ("Finished", when(job.finished_at, True))]
    if job.estimated_finish and not job.done:
        pairs.append(("Est. finish", when(job.estimated_finish, True)))
    if job.trained_tokens is not None:
        pairs.append(("Trained tok.", f"{job.trained_tokens:,}"))
    if job.result_files:
        pairs.append(("Results", ", ".join(job.result_files)))
    if job.failure is not None:
        f = job.failure
        pairs.append(("Error", f"{f.code or 'error'}: {f.message}"))
        if f.where:
            pairs.append(("Where", f"{f.file} file, {f.where}"))
    return "".join(f"{k + ':':13} {wrap(str(v), 14)}\n" for k, v in pairs)


def event_line(ev: Event) -> str:
    level = "" if ev.level == "info" else f"[{ev.level}] "
    return f"{time.strftime('%H:%M:%S', time.localtime(ev.created_at))}  {wrap(level + ev.message, 10)}"


def checkpoint_table(cps: list[Checkpoint]) -> str:
    if not cps:
        return "No checkpoints (they appear at the end of each epoch).\n"
    rows = [f"{'STEP':>6} {'TRAIN':>7} {'VALID':>7}  MODEL"]
    for c in cps:
        m = c.metrics or Metrics(step=c.step)
        valid = m.full_valid_loss if m.full_valid_loss is not None else m.valid_loss
        rows.append(f"{c.step:>6} {_num(m.train_loss):>7} {_num(valid):>7}  {wrap(c.model, 24)}")
    return "\n".join(rows) + "\n"


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.4f}"


def loss_line(m: Metrics) -> str:
    """ "step 120/300 [#####.......]  train 0.5312  valid 0.6120  acc 88.1%" in at most 79 columns."""
    total = m.total_steps or 0
    bar = ""
    if total:
        filled = int(12 * min(m.step, total) / total)
        bar = f" [{'#' * filled}{'.' * (12 - filled)}]"
    parts = [f"step {m.step}" + (f"/{total}" if total else "") + bar, f"train {_num(m.train_loss)}"]
    valid = m.full_valid_loss if m.full_valid_loss is not None else m.valid_loss
    if valid is not None:
        parts.append(("full " if m.full_valid_loss is not None else "") + f"valid {_num(valid)}")
    if m.train_mean_token_accuracy is not None:
        parts.append(f"acc {m.train_mean_token_accuracy:.1%}")
    return clip("  ".join(parts), WIDTH - 1)


class WatchPrinter:
    """Prints a watch: message events as lines, metrics as one line that updates in place on a terminal
    (or every ~5% of the steps otherwise), so thousands of steps stay readable."""

    def __init__(self, out: TextIO | None = None):
        self.out = out or sys.stdout
        self.tty = self.out.isatty()
        self.live = False
        self.last_printed_step = 0
        self.latest: Metrics | None = None

    def _clear(self) -> None:
        if self.live:
            self.out.write("\r" + " " * (WIDTH - 1) + "\r")
            self.live = False

    def events(self, events: list[Event]) -> None:
        for ev in events:
            if ev.metrics is not None and ev.type == "metrics":
                self.latest = ev.metrics
                self._metrics(ev.metrics)
            else:
                self._clear()
                self.out.write(event_line(ev) + "\n")
        if self.tty and self.latest is not None:
            self.out.write("\r" + loss_line(self.latest).ljust(WIDTH - 1))
            self.live = True
        self.out.flush()

    def _metrics(self, m: Metrics) -> None:
        if self.tty:
            return
        every = max(1, (m.total_steps or 20) // 20)
        if m.step - self.last_printed_step >= every or m.step == m.total_steps or m.full_valid_loss is not None:
            self.out.write(loss_line(m) + "\n")
            self.last_printed_step = m.step

    def finish(self) -> None:
        if self.live:
            self.out.write("\n")
            self.live = False
        self.out.flush()
