"""Together's fine-tuning API, through the official `together` SDK, shaped like the parts of the
`openai` SDK that `JobsClient` calls, so `tunescope jobs` works on Together unchanged.

What maps onto what (Together's OpenAPI document, togethercomputer/openapi:openapi.yaml):
- upload: `POST /v1/files/upload` (multipart, streamed from disk); Together checks the file on
  its side and a refusal comes back as findings (`VendorFileRejected`). `FileResponse.Processed`
  false means the file is still being checked.
- jobs: `POST/GET /v1/fine-tunes`, `GET /v1/fine-tunes/{id}`, `POST /v1/fine-tunes/{id}/cancel`;
  job states map through `JOB_STATES`.
- events: `GET /v1/fine-tunes/{id}/events` (no ids, no paging): each gets a stable id by its
  position; metrics: `GET /v1/fine-tunes/{id}/metrics` (`train/loss`, `train/global_step`...)
  become "metrics" events, so `jobs watch` draws the curves.
- results: a finished job's `result_files` name its metrics ("metrics:<job id>"), which
  `files.content` serves as the CSV `JobsClient.results_csv` reads.
"""

from __future__ import annotations

import csv
import io
import time
import warnings
from types import SimpleNamespace
from typing import Any

from tunescope.providers.vendor_sdk import (NoPartsUpload, dump, epoch, metrics_text, no_multiplier, rejected,
                                            slice_page, unsupported, vendor_errors)

VENDOR = "Together"
JOB_STATES = {"pending": "queued", "queued": "queued", "running": "running", "compressing": "running",
              "uploading": "running", "cancel_requested": "running", "cancelled": "cancelled",
              "error": "failed", "user_error": "failed", "completed": "succeeded"}
"""Together's `FinetuneJobStatus` -> ours (jobs.types). `cancel_requested` keeps running until it stops."""
METRIC_NAMES = {"train/loss": "train_loss", "eval/loss": "valid_loss", "train/global_step": "step",
                "eval/global_step": "step"}
RESULTS_PREFIX = "metrics:"


def job_from_together(raw: Any) -> SimpleNamespace:
    """A Together FinetuneResponse as an OpenAI-shaped job (what `Job.from_sdk` reads)."""
    d = dump(raw)
    state = d.get("status") or "unknown"
    status = JOB_STATES.get(state, state)
    error = None
    if status == "failed":
        said = [e.get("message") for e in d.get("events") or [] if e.get("type") == "job_error" or
                e.get("level") == "error"]
        error = {"code": state, "message": (said[-1] if said else None) or f"the job ended with status {state}"}
    method = (d.get("training_method") or {}).get("method") or "sft"
    hyper = {k: d[k] for k in ("n_epochs", "batch_size", "learning_rate") if d.get(k) is not None}
    return SimpleNamespace(
        id=d.get("id", ""), status=status, model=d.get("model") or "", created_at=epoch(d.get("created_at")),
        finished_at=epoch(d.get("updated_at")) if status in ("succeeded", "failed", "cancelled") else None,
        fine_tuned_model=d.get("model_output_name"), training_file=d.get("training_file"),
        validation_file=d.get("validation_file") or None, trained_tokens=d.get("token_count"),
        method={"type": "dpo" if method == "dpo" else "supervised",
                "dpo" if method == "dpo" else "supervised": {"hyperparameters": hyper}},
        suffix=d.get("suffix"), result_files=[RESULTS_PREFIX + d.get("id", "")] if status == "succeeded" else [],
        error=error, vendor_status=state)


def metrics_row(snapshot: dict) -> dict:
    """One Together metrics snapshot with our names (train_loss, valid_loss, step); others kept as they are."""
    row = {METRIC_NAMES.get(k, k): v for k, v in snapshot.items()}
    if "step" in row:
        row["step"] = int(row["step"])
    return row


class TogetherFiles:
    def __init__(self, api: "TogetherAPI"):
        self.api = api

    def create(self, *, file: tuple, purpose: str = "fine-tune") -> SimpleNamespace:
        name, stream = file
        filetype = "parquet" if name.endswith(".parquet") else "csv" if name.endswith(".csv") else "jsonl"
        with vendor_errors(f"upload {name} to {self.api.host}", self.api.host, self.api.secrets):
            try:
                raw = self.api.sdk.post("/v1/files/upload", cast_to=object,
                                        body={"purpose": purpose, "file_name": name, "file_type": filetype},
                                        files=[("file", (name, stream, "application/octet-stream"))],
                                        options={"headers": {"Content-Type": "multipart/form-data"}})
            except Exception as exc:  # noqa: BLE001 - a 400 from the upload is Together's file check
                if getattr(exc, "status_code", None) == 400:
                    raise rejected(name, VENDOR, self.api.check_messages(exc)) from None
                raise
        return self.file(raw)

    def file(self, raw: Any) -> SimpleNamespace:
        d = dump(raw)
        processed = d.get("Processed", d.get("processed"))
        return SimpleNamespace(id=d.get("id", ""), filename=d.get("filename", ""), bytes=int(d.get("bytes") or 0),
                               purpose=d.get("purpose", ""), created_at=epoch(d.get("created_at")),
                               status="processed" if processed in (True, None) else "pending",
                               status_details=None)

    def list(self, purpose: str | None = None) -> list[SimpleNamespace]:
        with vendor_errors(f"list files on {self.api.host}", self.api.host, self.api.secrets):
            files = [self.file(f) for f in self.api.sdk.files.list().data]
        return [f for f in files if purpose is None or f.purpose == purpose]

    def retrieve(self, file_id: str) -> SimpleNamespace:
        with vendor_errors(f"get {file_id}", self.api.host, self.api.secrets):
            return self.file(self.api.sdk.files.retrieve(file_id))

    def content(self, file_id: str) -> io.BytesIO:
        """A job's metrics as CSV ("metrics:<job>"), or a file's bytes."""
        if file_id.startswith(RESULTS_PREFIX):
            return io.BytesIO(self.api.metrics_csv(file_id[len(RESULTS_PREFIX):]).encode())
        with vendor_errors(f"download {file_id}", self.api.host, self.api.secrets):
            return io.BytesIO(self.api.sdk.files.content(file_id).read())


class TogetherJobs:
    def __init__(self, api: "TogetherAPI"):
        self.api = api
        self.checkpoints = SimpleNamespace(list=self.list_checkpoints)
        self._logs: dict[str, dict[str, SimpleNamespace]] = {}

    def create(self, *, model: str, training_file: str, method: dict, validation_file: str | None = None,
               suffix: str | None = None, seed: int | None = None, metadata: dict | None = None) -> SimpleNamespace:
        kind = method.get("type", "supervised")
        if kind not in ("supervised", "dpo"):
            raise unsupported(VENDOR, f"{kind} fine-tuning")
        hp = (method.get(kind) or {}).get("hyperparameters") or {}
        no_multiplier(VENDOR, hp)
        kwargs: dict = {"model": model, "training_file": training_file,
                        "training_method": "dpo" if kind == "dpo" else "sft"}
        if kind == "supervised":
            kwargs["train_on_inputs"] = "auto"  # Together's default, said explicitly: the SDK prints a note otherwise
        if validation_file:
            kwargs.update(validation_file=validation_file, n_evals=1)
        if hp.get("n_epochs") not in (None, "auto"):
            kwargs["n_epochs"] = int(hp["n_epochs"])
        if hp.get("batch_size") not in (None, "auto"):
            kwargs["batch_size"] = int(hp["batch_size"])
        if suffix:
            kwargs["suffix"] = suffix
        if seed is not None:
            kwargs["random_seed"] = seed
        with vendor_errors(f"create a {model} job", self.api.host, self.api.secrets), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the SDK's own request model warns about batch_size="max"
            return job_from_together(self.api.sdk.fine_tuning.create(**kwargs))

    def list(self, limit: int = 20, after: str | None = None) -> SimpleNamespace:
        with vendor_errors("list jobs", self.api.host, self.api.secrets):
            jobs = [job_from_together(j) for j in self.api.sdk.fine_tuning.list().data]
        jobs.sort(key=lambda j: j.created_at, reverse=True)
        return slice_page(jobs, limit, after)

    def retrieve(self, job_id: str) -> SimpleNamespace:
        with vendor_errors(f"get {job_id}", self.api.host, self.api.secrets):
            return job_from_together(self.api.sdk.fine_tuning.retrieve(job_id))

    def cancel(self, job_id: str) -> SimpleNamespace:
        with vendor_errors(f"cancel {job_id}", self.api.host, self.api.secrets):
            return job_from_together(self.api.sdk.fine_tuning.cancel(job_id))

    def pause(self, job_id: str):
        raise unsupported(VENDOR, "pausing a job")

    resume = pause

    def list_events(self, job_id: str, limit: int = 100, after: str | None = None) -> SimpleNamespace:
        """Events and metrics, newest first, each once with a stable id (Together's events have none)."""
        log = self._logs.setdefault(job_id, {})
        with vendor_errors(f"list events of {job_id}", self.api.host, self.api.secrets):
            events = [dump(e) for e in self.api.sdk.fine_tuning.list_events(job_id).data]
            snapshots = self.api.metrics(job_id)
        for i, ev in enumerate(sorted(events, key=lambda e: epoch(e.get("created_at")))):
            log.setdefault(f"{job_id}-ev{i}", SimpleNamespace(
                id=f"{job_id}-ev{i}", created_at=epoch(ev.get("created_at")), level=ev.get("level") or "info",
                message=ev.get("message") or ev.get("type") or "", type="message", data={"type": ev.get("type")}))
        for row in snapshots:
            if "step" in row:
                key = f"{job_id}-m{row['step']}"
                log.setdefault(key, SimpleNamespace(id=key, created_at=int(time.time()), level="info",
                                                    message=metrics_text(row), type="metrics", data=row))
        return slice_page(list(reversed(log.values())), limit, after)

    def list_checkpoints(self, job_id: str, limit: int = 100) -> list[SimpleNamespace]:
        with vendor_errors(f"list checkpoints of {job_id}", self.api.host, self.api.secrets):
            items = [dump(c) for c in self.api.sdk.fine_tuning.list_checkpoints(job_id).data]
        return [SimpleNamespace(id=c.get("path") or f"{job_id}-step{c.get('step')}", step_number=c.get("step") or 0,
                                fine_tuned_model_checkpoint=c.get("path") or "", created_at=epoch(c.get("created_at")),
                                metrics={}) for c in items]


class TogetherAPI:
    """`files` and `fine_tuning.jobs` over a `together.Together` client."""

    def __init__(self, sdk: Any, secrets: tuple[str, ...] = ()):
        self.sdk, self.secrets = sdk, secrets
        self.base_url = str(sdk.base_url)
        self.host = self.base_url.split("//", 1)[-1].rstrip("/") or "Together"
        self.files = TogetherFiles(self)
        self.fine_tuning = SimpleNamespace(jobs=TogetherJobs(self))
        self.uploads = NoPartsUpload(VENDOR, "upload it with `together files upload FILE` and pass its file id")

    def metrics(self, job_id: str) -> list[dict]:
        raw = dump(self.sdk.fine_tuning.list_metrics(job_id))
        return [metrics_row(m) for m in raw.get("metrics") or [] if isinstance(m, dict)]

    def metrics_csv(self, job_id: str) -> str:
        with vendor_errors(f"download the metrics of {job_id}", self.host, self.secrets):
            rows = [r for r in self.metrics(job_id) if "step" in r]
        names = ["step", *sorted({k for r in rows for k in r} - {"step"})]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()

    @staticmethod
    def check_messages(exc: BaseException) -> list[str]:
        """The problems Together's file check named in a refused upload (ErrorData, one per line)."""
        body = getattr(exc, "body", None)
        inner = body.get("error", body) if isinstance(body, dict) else body
        text = inner.get("message") if isinstance(inner, dict) else str(inner or exc)
        return [line.strip() for line in str(text).splitlines() if line.strip()] or [str(exc)]

    def close(self) -> None:
        self.sdk.close()
