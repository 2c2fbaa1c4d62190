"""The simulated trainer: moves jobs through their lifecycle on a clock, with generated metrics.

It implements the `Trainer` seam of jobs/service.py and changes no job itself: every transition
is a `JobsService` call, so a real trainer can replace it without touching the state machine.
The clock: a job waits `queue_delay` in validating_files, then its files are checked beside the
clock (in a thread of its own, so a big file does not hold up other jobs); it waits `queue_delay`
in queued, then trains one step per `speed` seconds (steps that fell due while the machine was
busy are caught up in one go, at most MAX_STEPS_PER_TICK). The clock lives in memory only: after a
restart each unfinished job starts its current wait afresh and carries on from the step it had
reached. Nothing is trained: the metrics come from `curves.Curves`.
"""

from __future__ import annotations

import logging
import threading
import time

from tunescope.server.jobs.curves import Curves
from tunescope.server.jobs.service import JobsService
from tunescope.server.settings import ServerConfig

log = logging.getLogger("tunescope.server")
MAX_STEPS_PER_TICK = 400
TICK = 0.02


class SimulatedTrainer:
    """Background thread advancing every validating, queued and running job."""

    def __init__(self, jobs: JobsService, config: ServerConfig) -> None:
        self.jobs = jobs
        self.config = config
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._validating: dict[str, threading.Thread] = {}
        self._gave_up: set[str] = set()   # jobs whose validation failed and could not be marked failed
        self._due: dict[str, tuple[str, float]] = {}   # job id -> (status, when its wait ends)
        self._lock = threading.Lock()

    # -- the Trainer seam ------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="tunescope-trainer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=10)
        for thread in list(self._validating.values()):
            thread.join(timeout=10)  # a job whose validation is cut short validates again after a restart

    def job_changed(self, job_id: str) -> None:
        with self._lock:
            self._due.pop(job_id, None)  # whatever it waits for now, it waits afresh
        self._wake.set()

    # -- the clock -------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.tick()
            except Exception:  # noqa: BLE001 - keep simulating other jobs; the failure is logged
                log.exception("simulated trainer tick failed")
                busy = False
            if not busy:
                self._wake.wait(TICK)
                self._wake.clear()

    def tick(self) -> bool:
        """Advance every due job once; True when more work is already due."""
        moving = self.jobs.moving()
        with self._lock:
            ids = {job_id for job_id, _ in moving}
            for gone in [j for j in self._due if j not in ids]:
                del self._due[gone]
        busy = False
        for job_id, status in moving:
            if self._stop.is_set():
                break
            busy |= self._advance(job_id, status)
        return busy

    def _wait_end(self, job_id: str, status: str, now: float) -> float:
        """When the job's wait in `status` ends; a status seen for the first time starts its wait now."""
        with self._lock:
            seen = self._due.get(job_id)
            if seen is None or seen[0] != status:
                seen = (status, now + (self.config.speed if status == "running" else self.config.queue_delay))
                self._due[job_id] = seen
            return seen[1]

    def _set_due(self, job_id: str, status: str, when: float) -> None:
        with self._lock:
            self._due[job_id] = (status, when)

    def _advance(self, job_id: str, status: str) -> bool:
        now = time.time()
        due = self._wait_end(job_id, status, now)
        if now < due:
            return False
        if status == "validating_files":
            if job_id not in self._validating and job_id not in self._gave_up:
                thread = threading.Thread(target=self._validate, args=(job_id,), daemon=True,
                                          name=f"tunescope-validate-{job_id}")
                self._validating[job_id] = thread
                thread.start()
        elif status == "queued":
            self._start(job_id, now)
        elif status == "running":
            return self._steps(job_id, now, due)
        return False

    # -- one job ---------------------------------------------------------------------------------
    def _validate(self, job_id: str) -> None:
        try:
            check = self.jobs.check_files(job_id)
            if not self._stop.is_set():
                self.jobs.files_checked(job_id, check)
        except Exception:  # noqa: BLE001 - fail the job once; retrying the same files would loop forever
            log.exception("validating the files of %s failed", job_id)
            if not self._stop.is_set():  # cut short by a shutdown: validated again after the restart
                self._fail_validation(job_id)
        finally:
            self.jobs.release_thread()
            self._validating.pop(job_id, None)
            self._wake.set()

    def _fail_validation(self, job_id: str) -> None:
        try:
            self.jobs.fail(job_id, "invalid_training_file",
                           "The job failed due to an invalid training file. tunescope could not finish validating "
                           "the job's files; the `tunescope serve` log has the details.", "training_file")
        except Exception:  # noqa: BLE001 - the store itself failed: the job is validated again after a restart
            log.exception("could not mark %s as failed", job_id)
            self._gave_up.add(job_id)  # and not before: trying again now would only log the same traceback

    def _eta(self, now: float, steps_left: int) -> int:
        return int(now + (steps_left + 1) * self.config.speed) + 1

    def _start(self, job_id: str, now: float) -> None:
        run = self.jobs.run(job_id)
        if run is not None and self.jobs.start(job_id, self._eta(now, run.total_steps - run.step)):
            self._set_due(job_id, "running", now + self.config.speed)

    def _steps(self, job_id: str, now: float, next_at: float) -> bool:
        run = self.jobs.run(job_id)
        if run is None:
            return False
        if run.step >= run.total_steps:
            self.jobs.succeed(job_id)
            return False
        speed = self.config.speed
        due = MAX_STEPS_PER_TICK if speed <= 0 else int((now - next_at) / speed) + 1
        count = max(1, min(due, run.total_steps - run.step, MAX_STEPS_PER_TICK))
        curves = Curves(run.seed, run.method["type"], run.total_steps)
        with_valid = run.validation_file is not None
        metrics = [curves.metrics(s, with_valid, run.epoch_end(s)) for s in range(run.step + 1, run.step + count + 1)]
        if not self.jobs.step(job_id, metrics, self._eta(now, run.total_steps - run.step - count)):
            return False
        next_at = (next_at + count * speed) if speed > 0 else now
        if now - next_at > 1.0:  # far behind (slow machine): do not burst to catch up
            next_at = now + speed
        self._set_due(job_id, "running", next_at)
        return speed <= 0 or due > count
