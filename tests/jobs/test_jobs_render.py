"""The watch output: one in-place loss line on a terminal, sampled lines otherwise, 80 columns."""

from __future__ import annotations

import io

from tunescope.commands.jobs.render import WatchPrinter, job_details, loss_line
from tunescope.jobs.types import Event, Job, JobFailure, Metrics


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _events(total: int) -> list[Event]:
    out = [Event(id="e0", created_at=0, level="info", message="Fine-tuning job started")]
    for step in range(1, total + 1):
        m = Metrics(step=step, total_steps=total, train_loss=1 / step, train_mean_token_accuracy=0.5,
                    full_valid_loss=0.3 if step == total else None)
        out.append(Event(id=f"e{step}", created_at=step, level="info", type="metrics",
                         message=f"Step {step}/{total}: training loss={1 / step:.2f}", metrics=m))
    out.append(Event(id="end", created_at=999, level="info", message="The job has successfully completed"))
    return out


def test_terminal_gets_one_updating_line():
    out = Tty()
    printer = WatchPrinter(out)
    events = _events(300)
    printer.events(events[:150])
    printer.events(events[150:])
    printer.finish()
    text = out.getvalue()
    lines = text.split("\n")
    assert lines[0].endswith("Fine-tuning job started")
    assert "step 149/300" in lines[1]  # one in-place update per poll, no line per step
    assert "The job has successfully completed" in lines[1] and "step 300/300" not in lines[1]
    assert "step 300/300" in lines[2] and "full valid 0.3000" in lines[2]  # the final numbers stay visible
    assert len(lines) == 4 and lines[3] == ""
    assert all(len(seg) <= 80 for line in lines for seg in line.split("\r"))


def test_pipe_gets_sampled_lines_and_the_last_step():
    out = io.StringIO()
    printer = WatchPrinter(out)
    printer.events(_events(300))
    printer.finish()
    step_lines = [line for line in out.getvalue().splitlines() if line.startswith("step ")]
    assert 15 <= len(step_lines) <= 25 and step_lines[-1].startswith("step 300/300")
    assert "full valid 0.3000" in step_lines[-1]


def test_loss_line_and_details_fit_80_columns():
    m = Metrics(step=12345, total_steps=99999, train_loss=12.3456, full_valid_loss=1.5, train_mean_token_accuracy=0.88)
    assert len(loss_line(m)) <= 79
    job = Job(id="ftjob-" + "x" * 24, status="failed", model="gpt-4o-mini-2024-07-18",
              failure=JobFailure.parse("invalid_training_file", "The job failed due to an invalid training file. "
                                       "Invalid file format. Example 7, message 2 Discriminator 'role' is missing "
                                       "in value", "training_file"))
    text = job_details(job)
    assert "Where:        training file, line 7, message 2" in text
    assert max(len(line) for line in text.splitlines()) <= 80
