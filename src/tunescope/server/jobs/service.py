"""Fine-tuning jobs: the whole state machine, and the seam a trainer plugs into.

    validating_files -> queued -> running -> succeeded
          |               |  ^      |
          v               v  |      v
        failed          paused -----+        cancelled (from any unfinished status)
                     (resume -> queued)

`JobsService` is the only code that changes a job's status, writes its events and checkpoints
and registers its fine-tuned model. Routes call `create`/`cancel`/`pause`/`resume` and the
read methods; a trainer calls the rest. Every transition re-reads the job inside one SQLite
transaction and writes it together with its events, so requests and the trainer never
overwrite each other and a restart (even after `kill -9`) neither loses nor repeats an event.

The trainer seam
----------------
A trainer moves jobs on. The service calls it through `Trainer` (below): `start()`/`stop()` with
the server, `job_changed(job_id)` after a request changed a job. The trainer calls these service
methods, all thread-safe; each returns None/False and changes nothing when the job has meanwhile
left the status it expects (a request cancelled or paused it):

    moving()                         [(job_id, status)] of validating_files / queued / running jobs
    check_files(job_id)              -> FileCheck: the files validated by tunescope's checker (slow, read-only)
    files_checked(job_id, check)     validating_files -> queued ("auto" hyperparameters resolved) or failed
    run(job_id)                      -> Run: what to train (model, method, seed, files, step reached, plan)
    start(job_id, estimated_finish)  queued -> running ("Fine-tuning job started" the first time only)
    step(job_id, metrics, estimated_finish)  one metrics event per step, a checkpoint at each epoch end
    succeed(job_id, trained_tokens)  running -> succeeded: results file, fine-tuned model, final events
    fail(job_id, code, message, param)  validating_files / queued / running -> failed, with an error event
    warn(job_id, message)            a warning event (e.g. an example truncated at the max length)
    weights_of(model)                (job, checkpoint step or None) that made a fine-tuned model, or None

`SimulatedTrainer` (trainer.py) makes these calls on a clock with generated metrics; a real trainer
makes the same calls around actual training and must stop a run once `job_changed` reports that its
job is no longer running.
"""

from __future__ import annotations

import base64
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tunescope.server import ids
from tunescope.server.errors import APIError, bad_request, not_found
from tunescope.server.files.service import FilesService
from tunescope.server.jobs import spec
from tunescope.server.jobs.shapes import new_job, step_message, step_metrics_csv
from tunescope.server.jobs.validation import validate_file
from tunescope.server.models.service import ModelsService
from tunescope.server.settings import ServerConfig
from tunescope.server.store import Store

UNFINISHED = ("validating_files", "queued", "running", "paused")
MOVING = ("validating_files", "queued", "running")
log = logging.getLogger("tunescope.server")
CHECKPOINT_METRICS = ("step", "train_loss", "train_mean_token_accuracy", "valid_loss", "valid_mean_token_accuracy",
                      "full_valid_loss", "full_valid_mean_token_accuracy")


class Trainer(Protocol):
    """What the service calls on whatever trains its jobs (see the module docstring for the other direction)."""

    def start(self) -> None:
        """The server started: carry on with the jobs `moving()` lists, from the step each had reached."""

    def stop(self) -> None:
        """The server is stopping: make no further service calls; unfinished work resumes after a restart."""

    def job_changed(self, job_id: str) -> None:
        """A request created, cancelled, paused or resumed the job: look at its status again soon."""


@dataclass(frozen=True)
class FileCheck:
    """The verdict on a job's files: `failure` is (error code, message, param) or None."""

    failure: tuple[str, str, str] | None = None
    n_examples: int | None = None
    tokens_per_epoch: int | None = None
    n_valid_examples: int | None = None


@dataclass(frozen=True)
class Run:
    """What a trainer needs to train one validated job."""

    job_id: str
    model: str
    method: dict                   # type plus every hyperparameter, "auto" resolved
    seed: int
    training_file: Path
    validation_file: Path | None
    step: int                      # steps already trained (and reported)
    total_steps: int
    steps_per_epoch: int

    def epoch_end(self, step: int) -> bool:
        return step % self.steps_per_epoch == 0 or step == self.total_steps


def _unreadable(role: str, file_id: str) -> str:
    """The job's error when tunescope's checker could not finish reading a file (a tunescope bug)."""
    return (f"The job failed due to an invalid {role} file. tunescope could not validate {file_id}: its checker "
            "stopped with an internal error. Run `tunescope check` on the file to see its problems, and report "
            "the error with the `tunescope serve` log, which has the details.")


def _event(job_id: str, message: str, *, data=None, level: str = "info", type: str = "message",
           at: float | None = None) -> dict:
    return {"id": ids.event_id(), "job_id": job_id, "created_at": int(at or time.time()), "level": level,
            "message": message, "type": type, "data": data}


class JobsService:
    """Creates jobs and moves them through their lifecycle; see the module docstring."""

    def __init__(self, store: Store, config: ServerConfig, org_id: str, files: FilesService,
                 models: ModelsService) -> None:
        self.store, self.config, self.org_id = store, config, org_id
        self.files, self.models = files, models
        self.trainer: Trainer | None = None

    def attach(self, trainer: Trainer) -> None:
        self.trainer = trainer

    def _changed(self, job_id: str) -> None:
        if self.trainer is not None:
            self.trainer.job_changed(job_id)

    # -- reads ---------------------------------------------------------------------------------
    def _find(self, job_id: str) -> tuple[dict, dict]:
        found = self.store.get_job(job_id) if ids.plausible_id(job_id) else None
        if found is None:
            raise not_found(f"No such fine-tuning job: {job_id}", param="fine_tuning_job_id")
        return found

    def get(self, job_id: str) -> dict:
        return self._find(job_id)[0]

    def list_jobs(self, after: str | None, limit: int, metadata=...) -> tuple[list[dict], bool]:
        """Newest first; `metadata` filters (when given): a dict of required pairs, or None for jobs without any."""
        return self.store.list_jobs(after, limit, **({} if metadata is ... else {"metadata": metadata}))

    def events(self, job_id: str, after: str | None, limit: int) -> tuple[list[dict], bool]:
        return self.store.list_events(self.get(job_id)["id"], after, limit)

    def checkpoints(self, job_id: str, after: str | None, limit: int) -> tuple[list[dict], bool]:
        return self.store.list_checkpoints(self.get(job_id)["id"], after, limit)

    def checkpoint_permissions(self) -> None:
        raise APIError(400, "Checkpoint permissions are not supported by the tunescope local server: it has a single "
                            "organization and no projects to share checkpoints with.",
                       param="fine_tuned_model_checkpoint", code="unsupported_on_local_server")

    # -- requests ------------------------------------------------------------------------------
    def _check_file(self, file_id: str, param: str) -> None:
        try:
            row = self.files.live_file(file_id)
        except APIError:
            raise bad_request(f"invalid {param}: {file_id}", param=param) from None
        if row["purpose"] != "fine-tune":
            raise bad_request(f"invalid {param}: {file_id} has purpose '{row['purpose']}'; fine-tuning needs a file "
                              "uploaded with purpose 'fine-tune'.", param=param)

    def create(self, req: dict) -> dict:
        """A new job in `validating_files` from a request `spec.parse_create` accepted."""
        model = self.models.trainable(req["model"], req["method"]["type"])
        grader = req["method"].get("reinforcement", {}).get("grader")
        reason = self.config.grader_check(grader) if grader and self.config.grader_check else None
        if reason:
            raise bad_request(f"Invalid 'method.reinforcement.grader': {reason}.", param="method.reinforcement.grader")
        self._check_file(req["training_file"], "training_file")
        if req["validation_file"]:
            self._check_file(req["validation_file"], "validation_file")
        limit = self.config.max_active_jobs
        if limit is not None and self.store.count_active_jobs() >= limit:
            raise APIError(429, f"This fine-tuning request has been rate-limited. Your organization has reached the "
                                f"maximum of {limit} active fine-tuning jobs (a limit set with --max-active-jobs); wait "
                                "for a job to finish or cancel one.", type="invalid_request_error",
                           code="rate_limit_exceeded", headers={"x-should-retry": "false"})
        now = time.time()
        doc = new_job(ids.job_id(), req, model, self.org_id, spec.top_level_hyperparameters(req["method"]), int(now))
        files = f"Validating training file: {req['training_file']}"
        if req["validation_file"]:
            files += f" and validation file: {req['validation_file']}"
        with self.store.transaction():
            self.store.add_job(doc, {"step": 0})
            self.store.add_event(_event(doc["id"], f"Created fine-tuning job: {doc['id']}", data={}, at=now))
            self.store.add_event(_event(doc["id"], files, data={}, at=now))
        self._changed(doc["id"])
        return doc

    def _transition(self, job_id: str, allowed: tuple[str, ...], verb: str, apply) -> dict:
        with self.store.transaction():
            doc, sim = self._find(job_id)
            if doc["status"] not in allowed:
                raise bad_request(f"Job {job_id} cannot be {verb}: its status is '{doc['status']}' (it must be "
                                  f"{' or '.join(allowed)}).", param="fine_tuning_job_id", code="invalid_job_status")
            apply(doc, sim, time.time())
            self.store.save_job(doc, sim)
        self._changed(doc["id"])
        return doc

    def cancel(self, job_id: str) -> dict:
        def apply(doc, sim, now):
            doc.update(status="cancelled", finished_at=int(now), estimated_finish=None)
            self.store.add_event(_event(doc["id"], "Fine-tuning job cancelled", data={}, at=now))

        return self._transition(job_id, UNFINISHED, "cancelled", apply)

    def pause(self, job_id: str) -> dict:
        def apply(doc, sim, now):
            doc.update(status="paused", estimated_finish=None)
            self.store.add_event(_event(doc["id"], f"Fine-tuning job paused at step {sim.get('step', 0)}", data={},
                                        at=now))

        return self._transition(job_id, ("queued", "running"), "paused", apply)

    def resume(self, job_id: str) -> dict:
        def apply(doc, sim, now):
            doc["status"] = "queued"
            self.store.add_event(_event(doc["id"], "Fine-tuning job resumed", data={}, at=now))

        return self._transition(job_id, ("paused",), "resumed", apply)

    # -- the trainer's calls ---------------------------------------------------------------------
    def moving(self) -> list[tuple[str, str]]:
        return self.store.moving_jobs()

    def release_thread(self) -> None:
        """Call at the end of a short-lived thread that used the service (closes its database connection)."""
        self.store.release_thread()

    def _locked(self, job_id: str, *statuses: str) -> tuple[dict, dict] | tuple[None, None]:
        """Re-read a job inside the current transaction; (None, None) unless it is in one of `statuses`."""
        found = self.store.get_job(job_id)
        return found if found and found[0]["status"] in statuses else (None, None)

    def check_files(self, job_id: str) -> FileCheck:
        """Validate the job's files with tunescope's checker (slow: call it off the trainer's clock)."""
        doc, _ = self._find(job_id)
        method = doc["method"]["type"]
        counts: dict[str, int] = {}
        for role in ("training", "validation"):
            file_id = doc[f"{role}_file"]
            if not file_id:
                continue
            path = self.files.path(file_id)
            if not path.exists():
                deleted = f"The job failed due to an invalid {role} file. File {file_id} was deleted."
                return FileCheck((f"invalid_{role}_file", deleted, f"{role}_file"), **counts)
            try:
                result = validate_file(path, method, doc["model"], role)
            except Exception:  # noqa: BLE001 - a checker bug must fail the job once, never loop
                log.exception("validating the %s file %s of %s raised", role, file_id, job_id)
                return FileCheck((f"invalid_{role}_file", _unreadable(role, file_id), f"{role}_file"), **counts)
            if not result.ok:
                return FileCheck((result.code, result.message, result.param), **counts)
            if role == "training":
                counts.update(n_examples=result.n_examples, tokens_per_epoch=result.tokens_per_epoch)
            else:
                counts["n_valid_examples"] = result.n_examples
        return FileCheck(None, **counts)

    def files_checked(self, job_id: str, check: FileCheck) -> bool:
        """validating_files -> queued with the training plan, or -> failed."""
        now = time.time()
        with self.store.transaction():
            doc, sim = self._locked(job_id, "validating_files")
            if doc is None:
                return False
            sim.update({k: v for k, v in (("n_examples", check.n_examples), ("tokens_per_epoch", check.tokens_per_epoch),
                                          ("n_valid_examples", check.n_valid_examples)) if v is not None})
            if check.failure:
                self._failed(doc, *check.failure, now)
            else:
                method = spec.resolve(doc["method"], sim["n_examples"])
                hp = method[method["type"]]["hyperparameters"]
                per_epoch = math.ceil(sim["n_examples"] / hp["batch_size"])
                sim.update(steps_per_epoch=per_epoch, total_steps=per_epoch * hp["n_epochs"], n_epochs=hp["n_epochs"])
                doc.update(status="queued", method=method, hyperparameters=spec.top_level_hyperparameters(method))
                self.store.add_event(_event(job_id, "Files validated, moving job to queued state", data={}, at=now))
            self.store.save_job(doc, sim)
        return True

    def run(self, job_id: str) -> Run | None:
        """What to train for a validated job (None before its files are validated)."""
        found = self.store.get_job(job_id)
        return self._run_of(*found) if found and "total_steps" in found[1] else None

    def _run_of(self, doc: dict, sim: dict) -> Run:
        valid = doc.get("validation_file")
        return Run(doc["id"], doc["model"], doc["method"], doc["seed"], self.files.path(doc["training_file"]),
                   self.files.path(valid) if valid else None, sim.get("step", 0), sim["total_steps"],
                   sim["steps_per_epoch"])

    def start(self, job_id: str, estimated_finish: int | None) -> bool:
        now = time.time()
        with self.store.transaction():
            doc, sim = self._locked(job_id, "queued")
            if doc is None:
                return False
            if not sim.get("started"):
                self.store.add_event(_event(job_id, "Fine-tuning job started", data=None, at=now))
                sim["started"] = True
            doc.update(status="running", estimated_finish=estimated_finish)
            self.store.save_job(doc, sim)
        return True

    def step(self, job_id: str, metrics: list[dict], estimated_finish: int | None) -> bool:
        """Record the next steps; each `metrics` item is one step's event `data` and must carry `step`
        and `total_steps` (steps continue the job's count: a step already recorded is a ValueError)."""
        now = time.time()
        with self.store.transaction():
            doc, sim = self._locked(job_id, "running")
            if doc is None:
                return False
            run = self._run_of(doc, sim)
            for data in metrics:
                step = data["step"]
                if step != sim.get("step", 0) + 1:
                    raise ValueError(f"{job_id}: step {step} does not follow step {sim.get('step', 0)}")
                self.store.add_event(_event(job_id, step_message(data), data=data, type="metrics", at=now))
                if run.epoch_end(step):
                    self._checkpoint(doc, sim, step, data, now)
                sim["step"] = step
            doc["estimated_finish"] = estimated_finish
            self.store.save_job(doc, sim)
        return True

    def _checkpoint(self, doc: dict, sim: dict, step: int, data: dict, now: float) -> None:
        suffix = doc.get("user_provided_suffix")
        if "short_id" not in sim:
            sim["short_id"] = ids.base62(8)
        final = step == sim["total_steps"]
        model = (ids.model_name(doc["model"], suffix, sim["short_id"]) if final
                 else ids.checkpoint_model_name(doc["model"], suffix, step))
        metrics = {k: data[k] for k in CHECKPOINT_METRICS if k in data}
        self.store.add_checkpoint({"id": ids.checkpoint_id(), "job_id": doc["id"], "created_at": int(now),
                                   "model": model, "step": step, "metrics": metrics})

    def succeed(self, job_id: str, trained_tokens: int | None = None) -> bool:
        """running -> succeeded: the step_metrics.csv results file, the fine-tuned model and the final events.
        `trained_tokens` is what a real trainer counted; by default the checker's count times the epochs."""
        now = time.time()
        with self.store.transaction():
            doc, sim = self._locked(job_id, "running")
            if doc is None:
                return False
            model = ids.model_name(doc["model"], doc.get("user_provided_suffix"), sim.setdefault("short_id", ids.base62(8)))
            # like the real Files API returns result files, the content is base64-encoded
            csv = base64.b64encode(step_metrics_csv(self.store.metrics(job_id)).encode())
            result_id = self.files.add_generated("step_metrics.csv", csv, "fine-tune-results", now)
            checkpoints, _ = self.store.list_checkpoints(job_id)
            for ckpt in sorted(checkpoints, key=lambda c: c["step"]):
                if ckpt["step"] != sim["total_steps"]:
                    self.store.add_event(_event(job_id, f"Checkpoint created at step {ckpt['step']} with Snapshot ID: "
                                                        f"{ckpt['model']}", data={}, at=now))
            self.store.add_event(_event(job_id, f"New fine-tuned model created: {model}", data={}, at=now))
            self.store.add_event(_event(job_id, "The job has successfully completed", data={}, at=now))
            self.models.add_fine_tuned(model, int(now), doc["organization_id"], job_id)
            finished = int(now) - 1 if now - doc["created_at"] > 2 else int(now)
            doc.update(status="succeeded", fine_tuned_model=model, finished_at=finished,
                       trained_tokens=trained_tokens if trained_tokens is not None
                       else int(sim.get("tokens_per_epoch", 0)) * int(sim.get("n_epochs", 1)),
                       result_files=[result_id], estimated_finish=None)
            self.store.save_job(doc, sim)
        return True

    def _failed(self, doc: dict, code: str, message: str, param: str | None, now: float) -> None:
        doc.update(status="failed", error={"code": code, "message": message, "param": param}, estimated_finish=None)
        self.store.add_event(_event(doc["id"], message, level="error", data={}, at=now))

    def fail(self, job_id: str, code: str, message: str, param: str | None = None) -> bool:
        """Fail a job that is validating, queued or running; the error event's text is `message`."""
        now = time.time()
        with self.store.transaction():
            doc, sim = self._locked(job_id, *MOVING)
            if doc is None:
                return False
            self._failed(doc, code, message, param, now)
            self.store.save_job(doc, sim)
        return True

    def warn(self, job_id: str, message: str) -> bool:
        """A warning event for a job that is still moving."""
        with self.store.transaction():
            doc, _ = self._locked(job_id, *MOVING)
            if doc is None:
                return False
            self.store.add_event(_event(job_id, message, level="warn", data={}))
        return True

    def weights_of(self, model: str) -> tuple[dict, int | None] | None:
        """The job that made a fine-tuned model and, for a checkpoint model, its step; None for other names."""
        row = self.store.get_model(model)
        if row and row.get("job_id"):
            found = self.store.get_job(row["job_id"])
            return (found[0], None) if found else None
        ckpt = self.store.checkpoint_by_model(model) if ":ckpt-step-" in model else None
        if ckpt:
            found = self.store.get_job(ckpt["job_id"])
            return (found[0], ckpt["step"]) if found else None
        return None
