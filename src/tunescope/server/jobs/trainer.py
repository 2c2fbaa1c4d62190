"""The simulated trainer: moves jobs through the real lifecycle on a clock.

validating_files -> queued -> running -> succeeded (or failed / cancelled;
paused while paused). Each transition and each step is written in one SQLite
transaction together with its events, so a restart neither loses nor repeats
an event: on start, jobs that were validating, queued or running simply carry
on from the step they had reached (their clock restarts at "now").
Event texts and order follow finetuning-api.md §3.3; nothing is trained.
"""

from __future__ import annotations

import base64
import logging
import math
import threading
import time

from tunescope.server import ids
from tunescope.server.jobs import spec as jobspec
from tunescope.server.jobs.curves import CSV_HEADER, Curves, csv_row, step_message
from tunescope.server.jobs.validation import validate_file

log = logging.getLogger("tunescope.server")
MAX_STEPS_PER_TICK = 400
TICK = 0.02


def new_event(job_id: str, message: str, *, data=None, level: str = "info", type: str = "message", at: float | None = None) -> dict:
    return {"id": ids.event_id(), "job_id": job_id, "created_at": int(at or time.time()), "level": level,
            "message": message, "type": type, "data": data}


class Trainer:
    """Background thread advancing every unfinished job."""

    def __init__(self, state) -> None:
        self.state = state
        self.store = state.store
        self.config = state.config
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._validating: dict[str, threading.Thread] = {}

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        now = time.time()
        for job_id in self.store.active_job_ids():
            with self.store.transaction():
                doc, sim = self.store.get_job(job_id)
                sim["next_at"] = now + (self.config.speed if doc["status"] == "running" else self.config.queue_delay)
                self.store.save_job(doc, sim)
        self._thread = threading.Thread(target=self._run, name="tunescope-trainer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=10)
        for thread in list(self._validating.values()):
            thread.join(timeout=10)  # a job whose validation is cut short validates again after a restart

    def wake(self) -> None:
        self._wake.set()

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
        busy = False
        for job_id in self.store.active_job_ids():
            if self._stop.is_set():
                break
            busy |= self._advance(job_id)
        return busy

    # -- one job -------------------------------------------------------------------------------
    def _advance(self, job_id: str) -> bool:
        found = self.store.get_job(job_id)
        if not found:
            return False
        doc, sim = found
        now = time.time()
        if now < sim["next_at"]:
            return False
        status = doc["status"]
        if status == "validating_files":
            # Checking a big file takes a while: do it beside the clock so other jobs keep moving.
            if job_id not in self._validating:
                thread = threading.Thread(target=self._validate_guarded, args=(job_id,), daemon=True,
                                          name=f"tunescope-validate-{job_id}")
                self._validating[job_id] = thread
                thread.start()
        elif status == "queued":
            self._start(job_id)
        elif status == "running":
            return self._steps(job_id)
        return False

    def _locked(self, job_id: str, status: str):
        """Re-read a job inside the current transaction; None if it changed state meanwhile."""
        doc, sim = self.store.get_job(job_id)
        return (doc, sim) if doc["status"] == status else (None, None)

    def _validate_guarded(self, job_id: str) -> None:
        try:
            self._validate(job_id)
        except Exception:  # noqa: BLE001 - the job stays in validating_files and is retried on the next start
            log.exception("validating the files of %s failed", job_id)
        finally:
            self.store.release_thread()
            self._validating.pop(job_id, None)
            self._wake.set()

    def _validate(self, job_id: str) -> None:
        doc, sim = self.store.get_job(job_id)
        method = doc["method"]["type"]
        outcome = None
        for role in ("training", "validation"):
            file_id = doc[f"{role}_file"]
            if not file_id:
                continue
            path = self.state.blobs.path(file_id)
            if not path.exists():
                outcome = (f"invalid_{role}_file", f"The job failed due to an invalid {role} file. File {file_id} was deleted.",
                           f"{role}_file")
                break
            result = validate_file(path, method, doc["model"], role)
            if not result.ok:
                outcome = (result.code, result.message, result.param)
                break
            if role == "training":
                sim["n_examples"], sim["tokens_per_epoch"] = result.n_examples, result.tokens_per_epoch
            else:
                sim["n_valid_examples"] = result.n_examples
        if self._stop.is_set():
            return
        now = time.time()
        with self.store.transaction():
            doc, sim_now = self._locked(job_id, "validating_files")
            if doc is None:
                return
            sim = {**sim_now, **{k: sim[k] for k in ("n_examples", "tokens_per_epoch", "n_valid_examples") if k in sim}}
            if outcome:
                code, message, param = outcome
                doc.update(status="failed", error={"code": code, "message": message, "param": param}, estimated_finish=None)
                self.store.add_event(new_event(job_id, message, level="error", data={}, at=now))
            else:
                method_doc = jobspec.resolve(doc["method"], sim["n_examples"])
                hp = method_doc[method_doc["type"]]["hyperparameters"]
                per_epoch = math.ceil(sim["n_examples"] / hp["batch_size"])
                sim.update(steps_per_epoch=per_epoch, total_steps=per_epoch * hp["n_epochs"], n_epochs=hp["n_epochs"])
                doc.update(status="queued", method=method_doc, hyperparameters=jobspec.top_level_hyperparameters(method_doc))
                self.store.add_event(new_event(job_id, "Files validated, moving job to queued state", data={}, at=now))
                sim["next_at"] = now + self.config.queue_delay
            self.store.save_job(doc, sim)

    def _start(self, job_id: str) -> None:
        now = time.time()
        with self.store.transaction():
            doc, sim = self._locked(job_id, "queued")
            if doc is None:
                return
            if not sim.get("started"):
                self.store.add_event(new_event(job_id, "Fine-tuning job started", data=None, at=now))
                sim["started"] = True
            doc["status"] = "running"
            remaining = sim["total_steps"] - sim.get("step", 0)
            doc["estimated_finish"] = int(now + (remaining + 1) * self.config.speed) + 1
            sim["next_at"] = now + self.config.speed
            self.store.save_job(doc, sim)

    def _steps(self, job_id: str) -> bool:
        now = time.time()
        speed = self.config.speed
        with self.store.transaction():
            doc, sim = self._locked(job_id, "running")
            if doc is None:
                return False
            step, total = sim.get("step", 0), sim["total_steps"]
            if step >= total:
                self._succeed(doc, sim, now)
                self.store.save_job(doc, sim)
                return False
            due = MAX_STEPS_PER_TICK if speed <= 0 else int((now - sim["next_at"]) / speed) + 1
            count = max(1, min(due, total - step, MAX_STEPS_PER_TICK))
            curves = Curves(doc["seed"], doc["method"]["type"], total)
            with_valid = bool(doc.get("validation_file"))
            for s in range(step + 1, step + count + 1):
                epoch_end = s % sim["steps_per_epoch"] == 0 or s == total
                data = curves.metrics(s, with_valid, epoch_end)
                self.store.add_event(new_event(job_id, step_message(data), data=data, type="metrics", at=now))
                if epoch_end:
                    self._checkpoint(doc, sim, s, data, now)
            sim["step"] = step + count
            sim["next_at"] = (sim["next_at"] + count * speed) if speed > 0 else now
            if now - sim["next_at"] > 1.0:  # far behind (slow machine): do not burst to catch up
                sim["next_at"] = now + speed
            doc["estimated_finish"] = int(now + (total - sim["step"] + 1) * speed) + 1
            self.store.save_job(doc, sim)
            return speed <= 0 or due > count

    def _checkpoint(self, doc: dict, sim: dict, step: int, data: dict, now: float) -> None:
        if "short_id" not in sim:
            sim["short_id"] = ids.base62(8)
        suffix = doc.get("user_provided_suffix")
        final = step == sim["total_steps"]
        model = ids.model_name(doc["model"], suffix, sim["short_id"]) if final else ids.checkpoint_model_name(doc["model"], suffix, step)
        metrics = {k: data[k] for k in ("step", "train_loss", "train_mean_token_accuracy", "valid_loss",
                                         "valid_mean_token_accuracy", "full_valid_loss", "full_valid_mean_token_accuracy")
                   if k in data}
        self.store.add_checkpoint({"id": ids.checkpoint_id(), "job_id": doc["id"], "created_at": int(now), "model": model,
                                   "step": step, "metrics": metrics})

    def _succeed(self, doc: dict, sim: dict, now: float) -> None:
        job_id = doc["id"]
        model = ids.model_name(doc["model"], doc.get("user_provided_suffix"), sim.setdefault("short_id", ids.base62(8)))
        result_id = self._results_file(doc, sim, now)
        checkpoints, _ = self.store.list_checkpoints(job_id)
        for ckpt in sorted(checkpoints, key=lambda c: c["step"]):
            if ckpt["step"] != sim["total_steps"]:
                self.store.add_event(new_event(
                    job_id, f"Checkpoint created at step {ckpt['step']} with Snapshot ID: {ckpt['model']}", data={}, at=now))
        self.store.add_event(new_event(job_id, f"New fine-tuned model created: {model}", data={}, at=now))
        self.store.add_event(new_event(job_id, "The job has successfully completed", data={}, at=now))
        self.store.add_model({"id": model, "created": int(now), "owned_by": doc["organization_id"], "job_id": job_id})
        doc.update(status="succeeded", fine_tuned_model=model, finished_at=int(now) - 1 if now - doc["created_at"] > 2 else int(now),
                   trained_tokens=int(sim.get("tokens_per_epoch", 0)) * int(sim.get("n_epochs", 1)),
                   result_files=[result_id], estimated_finish=None)

    def _results_file(self, doc: dict, sim: dict, now: float) -> str:
        """The step_metrics CSV, base64-encoded as the real Files API returns result files."""
        curves = Curves(doc["seed"], doc["method"]["type"], sim["total_steps"])
        with_valid = bool(doc.get("validation_file"))
        rows = [CSV_HEADER]
        for s in range(1, sim["total_steps"] + 1):
            epoch_end = s % sim["steps_per_epoch"] == 0 or s == sim["total_steps"]
            rows.append(csv_row(curves.metrics(s, with_valid, epoch_end)))
        payload = base64.b64encode(("\n".join(rows) + "\n").encode())
        file_id = ids.file_id()
        self.state.blobs.write(file_id, payload)
        self.store.add_file({"id": file_id, "bytes": len(payload), "created_at": int(now), "expires_at": None,
                             "filename": "step_metrics.csv", "purpose": "fine-tune-results"})
        return file_id
