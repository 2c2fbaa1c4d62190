"""Deadlines from the model table: when a model shuts down and when OpenAI stops starting jobs.

OpenAI is winding fine-tuning down (no new jobs after 2027-01-06; most base models and every
fine-tune on them shut down 2027-01-14). The checks, `check`'s report, the app's status bar and
the start-job dialog all word these dates from here, so they say the same thing. "Today" comes
from `today()`, which `TUNESCOPE_TODAY=YYYY-MM-DD` overrides (tests, and "what if" runs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

from tunescope.tokens.models import ModelInfo, WindDown

SOON_DAYS = 90
"""A model that shuts down within this many days gets a warning (the job, its evaluation and the
move elsewhere take weeks)."""


def today() -> date:
    """The current date, or `TUNESCOPE_TODAY` (YYYY-MM-DD) when set to a valid date."""
    forced = os.environ.get("TUNESCOPE_TODAY", "").strip()
    if forced:
        try:
            return date.fromisoformat(forced)
        except ValueError:
            pass
    return date.today()


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


@dataclass(frozen=True)
class Retirement:
    """One model's shutdown, seen from `on`."""

    model: str
    day: date
    on: date
    source: str = ""
    replacement: str = ""

    @property
    def days_left(self) -> int:
        """Days until the shutdown; 0 or less once it has happened."""
        return (self.day - self.on).days

    @property
    def retired(self) -> bool:
        return self.days_left <= 0

    @property
    def soon(self) -> bool:
        return 0 < self.days_left <= SOON_DAYS

    def when(self) -> str:
        """'on 2027-01-14 (in 39 days)' or 'on 2026-10-23 (44 days ago)'."""
        n = self.days_left
        if n > 0:
            return f"on {self.day} (in {_days(n)})"
        return f"on {self.day} ({'today' if n == 0 else _days(-n) + ' ago'})"


def retirement(info: ModelInfo, on: date | None = None) -> Retirement | None:
    """The model's shutdown as the table records it; None when the table has no date."""
    if not info.retires:
        return None
    return Retirement(info.name, date.fromisoformat(info.retires), on or today(), info.retires_source,
                      info.replacement)


@dataclass(frozen=True)
class JobCutoff:
    """The last day OpenAI starts fine-tuning jobs, seen from `on`."""

    last_day: date
    on: date
    source: str = ""
    azure_until: str | None = None

    @property
    def days_left(self) -> int:
        """Days during which jobs can still start, today included; 0 once the cutoff has passed."""
        return max(0, (self.last_day - self.on).days + 1)

    @property
    def closed(self) -> bool:
        return self.on > self.last_day

    def sentence(self) -> str:
        azure = (f" Azure OpenAI keeps training for existing customers until at least {self.azure_until}."
                 if self.azure_until else "")
        if self.closed:
            return (f"OpenAI has accepted no new fine-tuning jobs since {self.last_day} "
                    f"(its fine-tuning wind-down).{azure}")
        return (f"OpenAI accepts new fine-tuning jobs until {self.last_day} "
                f"({_days(self.days_left)} left, today included).{azure}")


def job_cutoff(wind_down: WindDown, on: date | None = None) -> JobCutoff | None:
    if not wind_down.openai_last_job_day:
        return None
    return JobCutoff(date.fromisoformat(wind_down.openai_last_job_day), on or today(),
                     wind_down.openai_last_job_source, wind_down.azure_training_until)


def deadline_line(info: ModelInfo | None, wind_down: WindDown, on: date | None = None) -> str | None:
    """One short line for a status bar or report header: the nearest deadline that matters now
    (within SOON_DAYS), or None when nothing is near."""
    on = on or today()
    parts = []
    gone = retirement(info, on) if info is not None else None
    if gone is not None and gone.retired:
        parts.append(f"{gone.model} shut down {gone.day}")
    elif gone is not None and gone.soon:
        parts.append(f"{gone.model} shuts down {gone.day} ({_days(gone.days_left)})")
    cutoff = job_cutoff(wind_down, on)
    if cutoff is not None and cutoff.closed:
        parts.append(f"no new OpenAI jobs since {cutoff.last_day}")
    elif cutoff is not None and cutoff.days_left <= SOON_DAYS:
        parts.append(f"OpenAI jobs until {cutoff.last_day} ({_days(cutoff.days_left)} left)")
    return " · ".join(parts) or None
