"""Fireworks AI's fine-tuning API, through the official `fireworks-ai` SDK, shaped like the parts of
the `openai` SDK that `JobsClient` calls, so `tunescope jobs` works on Fireworks unchanged.

What maps onto what (Fireworks' REST reference, docs.fireworks.ai/api-reference, "Gateway REST API"):
- upload: a file becomes a dataset: `POST /v1/accounts/{a}/datasets` (datasetId, dataset.userUploaded),
  `POST .../datasets/{d}:upload` (multipart, streamed from disk, up to 150 MB), then
  `POST .../datasets/{d}:validateUpload`, Fireworks' own check; a dataset whose `status.code` is
  not OK comes back as findings (`VendorFileRejected`). The file id is the dataset id.
- jobs: `POST/GET .../supervisedFineTuningJobs`, `GET .../{j}`, `POST .../{j}:cancel`; job states
  (`JobState`) map through `JOB_STATES`; the job id is the last part of its `name`.
- events: Fireworks has no events endpoint. Each read of the events turns what changed since
  the last read (state, `jobProgress`, `status.message`) into an event, and the rows of the
  job's metrics file (`metricsFileSignedUrl`, JSON lines) into "metrics" events.
- results: a finished job's `result_files` name its metrics ("metrics:<job id>"), served by
  `files.content` as the CSV `JobsClient.results_csv` reads.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from types import SimpleNamespace
from typing import Any

from tunescope.jobs.errors import JobsError
from tunescope.providers.vendor_sdk import (NoPartsUpload, dump, epoch, metrics_text, no_multiplier, rejected,
                                            slice_page, unsupported, vendor_errors)

VENDOR = "Fireworks"
JOB_STATES = {"JOB_STATE_UNSPECIFIED": "queued", "JOB_STATE_CREATING": "validating_files",
              "JOB_STATE_VALIDATING": "validating_files", "JOB_STATE_CREATING_INPUT_DATASET": "validating_files",
              "JOB_STATE_PENDING": "queued", "JOB_STATE_RE_QUEUEING": "queued", "JOB_STATE_IDLE": "queued",
              "JOB_STATE_RUNNING": "running", "JOB_STATE_WRITING_RESULTS": "running", "JOB_STATE_CANCELLING": "running",
              "JOB_STATE_PAUSED": "paused", "JOB_STATE_COMPLETED": "succeeded", "JOB_STATE_EARLY_STOPPED": "succeeded",
              "JOB_STATE_FAILED": "failed", "JOB_STATE_EXPIRED": "failed", "JOB_STATE_CANCELLED": "cancelled",
              "JOB_STATE_DELETING": "cancelled", "JOB_STATE_DELETING_CLEANING_UP": "cancelled"}
"""Fireworks' `JobState` -> ours (jobs.types)."""
STEP_KEYS = ("step", "global_step", "train/global_step")
METRIC_NAMES = {"loss": "train_loss", "train/loss": "train_loss", "train_loss": "train_loss",
                "eval_loss": "valid_loss", "eval/loss": "valid_loss", "valid_loss": "valid_loss"}
RESULTS_PREFIX = "metrics:"
OK_CODES = (None, "", "OK")


def short_id(name: str) -> str:
    """accounts/a/supervisedFineTuningJobs/xyz -> xyz."""
    return (name or "").rsplit("/", 1)[-1]


def dataset_id_for(filename: str) -> str:
    """A dataset id Fireworks accepts (lowercase letters, digits, hyphens; at most 63) from a file name."""
    stem = re.sub(r"[^a-z0-9-]+", "-", filename.rsplit(".", 1)[0].lower()).strip("-")[:40] or "dataset"
    return f"{stem}-{int(time.time() * 1000) % 10**10}"


def job_from_fireworks(raw: Any) -> SimpleNamespace:
    """A Fireworks SupervisedFineTuningJob as an OpenAI-shaped job (what `Job.from_sdk` reads)."""
    d = dump(raw)
    state = d.get("state") or "JOB_STATE_UNSPECIFIED"
    status = JOB_STATES.get(state, state)
    said = (d.get("status") or {}).get("message")
    error = {"code": (d.get("status") or {}).get("code") or state, "message": said or f"the job ended in {state}"} \
        if status == "failed" else None
    hyper = {ours: d[theirs] for ours, theirs in (("n_epochs", "epochs"), ("batch_size", "batchSize"),
                                                    ("learning_rate", "learningRate"), ("lora_rank", "loraRank"))
             if d.get(theirs) is not None}
    jid = short_id(d.get("name", ""))
    return SimpleNamespace(
        id=jid, status=status, model=d.get("baseModel") or "", created_at=epoch(d.get("createTime")),
        finished_at=epoch(d.get("completedTime")) or None, fine_tuned_model=d.get("outputModel"),
        training_file=short_id(d.get("dataset", "")),
        validation_file=short_id(d.get("evaluationDataset") or "") or None,
        method={"type": "supervised", "supervised": {"hyperparameters": hyper}}, suffix=d.get("displayName"),
        result_files=[RESULTS_PREFIX + jid] if status == "succeeded" else [], error=error, vendor_status=state,
        progress=d.get("jobProgress") or {}, metrics_url=d.get("metricsFileSignedUrl"), said=said)


def metrics_row(row: dict) -> dict | None:
    """One line of the metrics file with our names; None when it names no step."""
    step = next((row[k] for k in STEP_KEYS if isinstance(row.get(k), (int, float))), None)
    if step is None:
        return None
    out = {METRIC_NAMES.get(k, k): v for k, v in row.items() if k not in STEP_KEYS and isinstance(v, (int, float))}
    return {"step": int(step), **out}


class FireworksFiles:
    def __init__(self, api: "FireworksAPI"):
        self.api = api

    def create(self, *, file: tuple, purpose: str = "fine-tune") -> SimpleNamespace:
        name, stream = file
        ds = self.api.sdk.datasets
        dataset_id = dataset_id_for(name)
        with vendor_errors(f"upload {name} to {self.api.host}", self.api.host, self.api.secrets):
            ds.create(dataset_id=dataset_id, dataset={"user_uploaded": {}, "display_name": name})
            ds.upload(dataset_id, file=(name, stream))
            try:
                ds.validate_upload(dataset_id, body={})
            except Exception as exc:  # noqa: BLE001 - a 400 from the check is Fireworks refusing the file
                if getattr(exc, "status_code", None) == 400:
                    raise rejected(name, VENDOR, _lines(getattr(exc, "message", "") or str(exc))) from None
                raise
            got = dump(ds.get(dataset_id))
        code = (got.get("status") or {}).get("code")
        if code not in OK_CODES:
            raise rejected(name, VENDOR, _lines((got.get("status") or {}).get("message") or code))
        return self.file(got)

    def file(self, d: dict) -> SimpleNamespace:
        state = d.get("state")
        return SimpleNamespace(id=short_id(d.get("name", "")), filename=d.get("displayName") or "", bytes=0,
                               purpose="fine-tune", created_at=epoch(d.get("createTime")),
                               status="pending" if state == "UPLOADING" else "processed", status_details=None)

    def list(self, purpose: str | None = None) -> list[SimpleNamespace]:
        with vendor_errors(f"list datasets on {self.api.host}", self.api.host, self.api.secrets):
            return [self.file(dump(d)) for d in self.api.sdk.datasets.list()]

    def retrieve(self, file_id: str) -> SimpleNamespace:
        with vendor_errors(f"get dataset {file_id}", self.api.host, self.api.secrets):
            return self.file(dump(self.api.sdk.datasets.get(file_id)))

    def content(self, file_id: str) -> io.BytesIO:
        if not file_id.startswith(RESULTS_PREFIX):
            raise unsupported(VENDOR, "downloading a dataset's content here (use its console)")
        job = self.api.fine_tuning.jobs.retrieve(file_id[len(RESULTS_PREFIX):])
        rows = self.api.metrics(job)
        names = ["step", *sorted({k for r in rows for k in r} - {"step"})]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)
        return io.BytesIO(out.getvalue().encode())


def _lines(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"[\n;]", str(text or "")) if s.strip()] or ["the file was refused"]


class FireworksJobs:
    def __init__(self, api: "FireworksAPI"):
        self.api = api
        self.checkpoints = SimpleNamespace(list=lambda job_id, limit=100: [])
        self._logs: dict[str, dict[str, SimpleNamespace]] = {}
        self._last: dict[str, tuple] = {}

    def _dataset(self, file_id: str) -> str:
        return file_id if file_id.startswith("accounts/") else f"accounts/{self.api.account}/datasets/{file_id}"

    def create(self, *, model: str, training_file: str, method: dict, validation_file: str | None = None,
               suffix: str | None = None, seed: int | None = None, metadata: dict | None = None) -> SimpleNamespace:
        kind = method.get("type", "supervised")
        if kind != "supervised":
            raise unsupported(VENDOR, f"{kind} fine-tuning through tunescope yet (its dpoJobs API is separate)")
        hp = (method.get(kind) or {}).get("hyperparameters") or {}
        no_multiplier(VENDOR, hp)
        kwargs: dict = {"dataset": self._dataset(training_file), "base_model": model}
        if validation_file:
            kwargs["evaluation_dataset"] = self._dataset(validation_file)
        for ours, theirs, cast in (("n_epochs", "epochs", int), ("batch_size", "batch_size", int),
                                   ("learning_rate", "learning_rate", float)):
            if hp.get(ours) not in (None, "auto"):
                kwargs[theirs] = cast(hp[ours])
        if suffix:
            kwargs["display_name"] = suffix
        with vendor_errors(f"create a {model} job", self.api.host, self.api.secrets):
            return job_from_fireworks(self.api.sdk.supervised_fine_tuning_jobs.create(**kwargs))

    def list(self, limit: int = 20, after: str | None = None) -> SimpleNamespace:
        with vendor_errors("list jobs", self.api.host, self.api.secrets):
            jobs = [job_from_fireworks(j) for j in self.api.sdk.supervised_fine_tuning_jobs.list()]
        jobs.sort(key=lambda j: j.created_at, reverse=True)
        return slice_page(jobs, limit, after)

    def retrieve(self, job_id: str) -> SimpleNamespace:
        with vendor_errors(f"get {job_id}", self.api.host, self.api.secrets):
            return job_from_fireworks(self.api.sdk.supervised_fine_tuning_jobs.get(short_id(job_id)))

    def cancel(self, job_id: str) -> SimpleNamespace:
        with vendor_errors(f"cancel {job_id}", self.api.host, self.api.secrets):
            self.api.sdk.supervised_fine_tuning_jobs.cancel(short_id(job_id), body={})
        return self.retrieve(job_id)

    def pause(self, job_id: str):
        raise unsupported(VENDOR, "pausing a job")

    def resume(self, job_id: str) -> SimpleNamespace:
        with vendor_errors(f"resume {job_id}", self.api.host, self.api.secrets):
            return job_from_fireworks(self.api.sdk.supervised_fine_tuning_jobs.resume(short_id(job_id), body={}))

    def list_events(self, job_id: str, limit: int = 100, after: str | None = None) -> SimpleNamespace:
        """What changed since the last read, and the metrics so far, newest first, each with a stable id."""
        job = self.retrieve(job_id)
        log = self._logs.setdefault(job_id, {})
        now = int(time.time())
        seen = (job.vendor_status, job.progress.get("percent"), job.said)
        if self._last.get(job_id) != seen:
            self._last[job_id] = seen
            text = f"Job is {job.vendor_status.removeprefix('JOB_STATE_').lower().replace('_', ' ')}"
            if job.progress.get("percent") is not None:
                text += f", {job.progress['percent']}% done (epoch {job.progress.get('epoch', 0)})"
            if job.said:
                text += f": {job.said}"
            key = f"{job_id}-ev{len(log)}"
            log[key] = SimpleNamespace(id=key, created_at=now, level="error" if job.status == "failed" else "info",
                                       message=text, type="message", data={"state": job.vendor_status})
        for row in self.api.metrics(job):
            key = f"{job_id}-m{row['step']}"
            log.setdefault(key, SimpleNamespace(id=key, created_at=now, level="info", message=metrics_text(row),
                                                type="metrics", data=row))
        return slice_page(list(reversed(log.values())), limit, after)


class FireworksAPI:
    """`files` and `fine_tuning.jobs` over a `fireworks.Fireworks` client of one account."""

    def __init__(self, sdk: Any, account: str, secrets: tuple[str, ...] = ()):
        self.sdk, self.account, self.secrets = sdk, account, secrets
        self.base_url = str(sdk.base_url)
        self.host = self.base_url.split("//", 1)[-1].rstrip("/") or "Fireworks"
        self.files = FireworksFiles(self)
        self.fine_tuning = SimpleNamespace(jobs=FireworksJobs(self))
        self.uploads = NoPartsUpload(VENDOR, "upload it with `firectl create dataset ID FILE` and pass the dataset id")

    def metrics(self, job: SimpleNamespace) -> list[dict]:
        """The rows of the job's metrics file (a signed URL, no key sent), in step order."""
        if not job.metrics_url:
            return []
        import httpx  # here, not at the top: httpx pulls in rich, and providers stay headless until they connect

        with vendor_errors(f"download the metrics of {job.id}", self.host, self.secrets):
            try:
                text = httpx.get(job.metrics_url, timeout=30).raise_for_status().text
            except httpx.HTTPError as exc:  # a signed URL, read without the Fireworks client (and its key)
                raise JobsError(f"download the metrics of {job.id}: {exc}", kind="server") from None
        rows = []
        for line in text.splitlines():
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            row = metrics_row(obj) if isinstance(obj, dict) else None
            if row is not None:
                rows.append(row)
        return sorted(rows, key=lambda r: r["step"])

    def close(self) -> None:
        self.sdk.close()
