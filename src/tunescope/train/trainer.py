"""`HFTrainer`: the Trainer seam of the server's jobs service, backed by real training processes.

It changes no job itself: like the simulated trainer, every transition is a service call (see
`seams.JobsPort`). A background thread looks at the moving jobs: files are validated by the
service's checker, a queued job is started and gets its process (`process.TrainingProcess`), a
running job without a process (after a server restart) gets one that resumes from its last
checkpoint. One reader thread per process turns its JSON lines into `step`, `warn`, `succeed`
and `fail` calls. Steps the server already recorded are skipped, so a resumed run neither loses
nor repeats an event. Cancel ends the process group; pause asks the run to checkpoint and stop.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from tunescope.train.process import TrainingProcess, latest_checkpoint
from tunescope.train.seams import JobsPort
from tunescope.train.settings import SUPPORTED_METHODS, TrainSettings
from tunescope.train.weights import WeightsLocator, job_dir

log = logging.getLogger("tunescope.server")
TICK = 0.1


def step_data(message: dict, total_steps: int) -> dict:
    """A metrics event's `data` (the real key order) from a `step` line; validation figures at epoch ends."""
    data = {"step": message["step"], "train_loss": message["loss"]}
    if "valid_loss" in message:
        data["valid_loss"] = message["valid_loss"]
    data["total_steps"] = total_steps
    if message.get("reward") is not None:
        data["train_reward_mean"] = message["reward"]
    if "valid_loss" in message:
        data["full_valid_loss"] = message["valid_loss"]
    if message.get("accuracy") is not None:
        data["train_mean_token_accuracy"] = message["accuracy"]
    if "valid_accuracy" in message:
        data["valid_mean_token_accuracy"] = data["full_valid_mean_token_accuracy"] = message["valid_accuracy"]
    return data


class HFTrainer:
    """Trains each job in its own process; see the module docstring."""

    def __init__(self, jobs: JobsPort, config, settings: TrainSettings) -> None:
        self.jobs, self.settings = jobs, settings
        self.data_dir = Path(config.data_dir)
        self.weights = WeightsLocator(jobs, settings, self.data_dir)
        self._procs: dict[str, TrainingProcess] = {}
        self._validating: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the Trainer seam --------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="tunescope-hf-trainer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=10)
        with self._lock:
            procs = list(self._procs.values())
        for proc in procs:  # unfinished jobs resume from their last checkpoint after a restart
            proc.kill()
        for proc in procs:
            try:
                proc.proc.wait(10)
            except Exception:  # noqa: BLE001 - the kill thread follows up with SIGKILL
                pass

    def job_changed(self, job_id: str) -> None:
        with self._lock:
            proc = self._procs.get(job_id)
        if proc is not None:
            status = self.jobs.get(job_id)["status"]
            if status == "paused":
                proc.pause()
            elif status not in ("running", "queued"):
                proc.kill()
        self._wake.set()

    # -- the loop ------------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - keep serving other jobs; the failure is logged
                log.exception("hf trainer tick failed")
            self._wake.wait(TICK)
            self._wake.clear()

    def tick(self) -> None:
        for job_id, status in self.jobs.moving():
            if self._stop.is_set():
                return
            with self._lock:
                busy = job_id in self._procs or job_id in self._validating
            if busy:
                continue
            if status == "validating_files":
                with self._lock:
                    self._validating.add(job_id)
                threading.Thread(target=self._validate, args=(job_id,), daemon=True,
                                 name=f"tunescope-validate-{job_id}").start()
            elif status == "queued":
                run = self.jobs.run(job_id)
                if run is not None and self.jobs.start(job_id, None):
                    self._launch(run)
            elif status == "running":
                run = self.jobs.run(job_id)
                if run is not None:
                    self._launch(run)

    def _validate(self, job_id: str) -> None:
        try:
            check = self.jobs.check_files(job_id)
            if not self._stop.is_set():
                self.jobs.files_checked(job_id, check)
        except Exception:  # noqa: BLE001 - the job stays in validating_files and is retried
            log.exception("validating the files of %s failed", job_id)
        finally:
            self.jobs.release_thread()
            with self._lock:
                self._validating.discard(job_id)
            self._wake.set()

    # -- one job -------------------------------------------------------------------------------
    def spec_of(self, run) -> dict:
        """What the training process needs (spec.json); ValueError/LookupError when it cannot train."""
        kind = run.method["type"]
        if kind not in SUPPORTED_METHODS:
            raise ValueError(f"the '{kind}' method is not supported by tunescope serve --trainer hf "
                             f"(supported: {', '.join(SUPPORTED_METHODS)})")
        model, adapter = self.weights.locate(run.model)
        if adapter is not None:
            raise ValueError(f"{run.model} is a LoRA fine-tune; continuing it is not supported (start from its base "
                             "model, or fine-tune with --adapter full)")
        hp = run.method[kind]["hyperparameters"]
        out = job_dir(self.data_dir, run.job_id)
        resume = latest_checkpoint(out, run.step) if run.step else None
        return {"model": model, "training_file": str(run.training_file),
                "validation_file": str(run.validation_file) if run.validation_file else None,
                "output_dir": str(out), "resume_from": str(resume) if resume else None,
                "adapter": self.settings.adapter, "device": self.settings.device,
                "max_length": self.settings.max_length,
                "learning_rate": self.settings.learning_rate * float(hp["learning_rate_multiplier"]),
                "hyperparameters": hp, "seed": run.seed, "total_steps": run.total_steps,
                "steps_per_epoch": run.steps_per_epoch, "method": kind,
                "max_completion_length": self.settings.max_completion_length,
                "grader": run.method[kind].get("grader")}

    def _launch(self, run) -> None:
        try:
            spec = self.spec_of(run)
        except (ValueError, LookupError) as exc:
            message = exc.args[0] if exc.args else str(exc)
            self.jobs.fail(run.job_id, "invalid_model" if isinstance(exc, LookupError) else "unsupported_method",
                           f"The job cannot be trained: {message}", "model")
            return
        try:
            proc = TrainingProcess(Path(spec["output_dir"]), spec, self.settings.launcher_argv(), self.settings.python)
        except OSError as exc:
            self.jobs.fail(run.job_id, "training_failed", f"The training process could not be started: {exc}")
            return
        with self._lock:
            self._procs[run.job_id] = proc
        threading.Thread(target=self._follow, args=(run, proc), daemon=True,
                         name=f"tunescope-train-{run.job_id}").start()

    def _follow(self, run, proc: TrainingProcess) -> None:
        job_id, last, done = run.job_id, run.step, None
        started, first = time.time(), run.step
        try:
            for message in proc.messages():
                kind = message["kind"]
                if kind == "step" and message["step"] > last:
                    step = message["step"]
                    rate = (time.time() - started) / max(1, step - first)
                    data = step_data(message, run.total_steps)
                    eta = int(time.time() + rate * (run.total_steps - step)) + 1
                    try:
                        recorded = self.jobs.step(job_id, [data], eta)
                    except ValueError as exc:  # a step the server cannot place: never a hung job
                        self.jobs.fail(job_id, "training_failed", f"The training process reported {exc}")
                        proc.kill()
                        continue
                    if recorded:
                        last = step
                    elif self.jobs.get(job_id)["status"] != "paused":
                        proc.kill()   # cancelled meanwhile
                elif kind == "warning":
                    self.jobs.warn(job_id, message["message"])
                elif kind == "done":
                    done = message
            code = proc.wait()
            if self._stop.is_set():
                return  # server shutting down: the job resumes after a restart
            if done is not None and code == 0 and last >= run.total_steps:
                self.jobs.succeed(job_id, int(done.get("trained_tokens") or 0) or None)
            elif self.jobs.get(job_id)["status"] == "running":  # queued: paused meanwhile and already resumed
                self.jobs.fail(job_id, *proc.failure(code))
        except Exception:  # noqa: BLE001 - logged; the job fails rather than hangs
            log.exception("following the training process of %s failed", job_id)
            self.jobs.fail(job_id, "training_failed", "The server lost track of the training process; see its log.")
        finally:
            with self._lock:
                self._procs.pop(job_id, None)
            self.jobs.release_thread()
            self._wake.set()
