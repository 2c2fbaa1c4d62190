"""Following a running job: new events exactly once, oldest first, with metrics.

The events endpoint lists newest first and `after=<id>` pages towards OLDER
events, so "what is new since last time" means: read the newest page, keep the
events not seen yet, and page back only until an event we already have shows
up. Each `poll()` is a few bounded HTTP calls; nothing here blocks forever, and
`watch()` sleeps on a `threading.Event` so a UI can stop it at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

from tunescope.jobs.client import JobsClient
from tunescope.jobs.errors import JobsError
from tunescope.jobs.types import Event, Job, Metrics

MAX_PAGES_PER_POLL = 200
"""Stop paging back after this many pages in one poll (a million-event job) and pick up the rest next time."""


class EventFollower:
    """Incremental event reader for one job of a JobsClient."""

    def __init__(self, jobs: JobsClient, job_id: str, page_size: int = 100):
        self.jobs = jobs
        self.job_id = job_id
        self.page_size = page_size
        self.events: list[Event] = []
        self._seen: set[str] = set()
        self._metrics: dict[int, Metrics] = {}

    def poll(self) -> list[Event]:
        """Events that appeared since the last poll, in chronological order (raises JobsError)."""
        fresh: list[Event] = []
        after = None
        for _ in range(MAX_PAGES_PER_POLL):
            page = self.jobs.event_page(self.job_id, limit=self.page_size, after=after)
            reached_known = False
            for ev in page.items:
                if ev.id in self._seen:
                    reached_known = True
                    break
                fresh.append(ev)
            if reached_known or not page.has_more or not page.items:
                break
            after = page.items[-1].id
        fresh.reverse()
        out = []
        for ev in fresh:
            if ev.id in self._seen:  # a server that repeats an event across pages: deliver it once
                continue
            self._seen.add(ev.id)
            out.append(ev)
            if ev.metrics is not None:
                self._metrics[ev.metrics.step] = _merge(self._metrics.get(ev.metrics.step), ev.metrics)
        self.events.extend(out)
        return out

    @property
    def metrics(self) -> list[Metrics]:
        """One Metrics per step seen so far, in step order."""
        return [self._metrics[s] for s in sorted(self._metrics)]

    @property
    def latest(self) -> Metrics | None:
        return self._metrics[max(self._metrics)] if self._metrics else None


def _merge(old: Metrics | None, new: Metrics) -> Metrics:
    if old is None:
        return new
    for name in ("total_steps", "train_loss", "valid_loss", "full_valid_loss", "train_mean_token_accuracy",
                 "valid_mean_token_accuracy", "full_valid_mean_token_accuracy"):
        if getattr(new, name) is None:
            setattr(new, name, getattr(old, name))
    new.extra = {**old.extra, **new.extra}
    return new


@dataclass
class Update:
    """What changed in one round of `watch`: the job now, and its new events."""

    job: Job
    events: list[Event] = field(default_factory=list)
    metrics: Metrics | None = None
    """Latest metrics seen so far (may come from an earlier round)."""


def watch(jobs: JobsClient, job_id: str, interval: float = 2.0, cancel: threading.Event | None = None,
          follower: EventFollower | None = None, max_interval: float = 30.0,
          on_trouble: Callable[[JobsError | None, float], None] | None = None) -> Iterator[Update]:
    """Yield an Update per round until the job ends or `cancel` is set.

    The job is read before the events, so the last round (job finished) also carries the final
    events. Transient errors (connection, timeout, 5xx, 429) back off up to `max_interval`, each
    told to `on_trouble(error, seconds until the next try)`, and the first good round after them
    as `on_trouble(None, 0)`: a watch that only waited in silence looked hung. Others raise JobsError.
    """
    follower = follower or EventFollower(jobs, job_id)
    cancel = cancel or threading.Event()
    delay = interval
    troubled = False
    while not cancel.is_set():
        try:
            job = follower.jobs.get(job_id)
            events = follower.poll()
        except JobsError as exc:
            if exc.kind not in ("connection", "timeout", "server", "rate_limit"):
                raise
            if exc.kind == "connection" and recovered(follower.jobs):
                continue                      # the local server this joined went away: this process serves now
            delay = min(max_interval, max(delay * 2, interval))
            troubled = True
            if on_trouble is not None:
                on_trouble(exc, delay)
            if cancel.wait(delay):
                return
            continue
        if troubled and on_trouble is not None:
            on_trouble(None, 0.0)
        troubled = False
        delay = interval
        yield Update(job=job, events=events, metrics=follower.latest)
        if job.done:
            return
        if cancel.wait(interval):
            return


def recovered(jobs: JobsClient) -> bool:
    """After a connection error: True when `jobs.recover` (a joined local server) made calls possible again."""
    try:
        return jobs.recover is not None and jobs.recover()
    except Exception:  # noqa: BLE001 - a failed take-over leaves the connection error to be reported as it is
        return False


def wait_until(jobs: JobsClient, job_id: str, statuses: tuple[str, ...], timeout: float = 60.0,
               interval: float = 0.5, cancel: threading.Event | None = None) -> Job:
    """Poll until the job reaches one of `statuses` (raises TimeoutError after `timeout`)."""
    cancel = cancel or threading.Event()
    deadline = time.monotonic() + timeout
    while True:
        job = jobs.get(job_id)
        if job.status in statuses:
            return job
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} is still {job.status} after {timeout:g}s")
        if cancel.wait(interval):
            return job
