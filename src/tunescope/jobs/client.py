"""The job side of tunescope, headless: a facade over the official openai SDK.

`JobsClient(openai.OpenAI(...))` works the same against OpenAI, Azure OpenAI,
any OpenAI-compatible server and tunescope's own local server, so nothing here
assumes one vendor. Every method returns the typed results of `jobs.types`
and raises only `JobsError` (one clear sentence, secrets scrubbed); the SDK's
timeouts bound every call. See `jobs.follow` for live following and
`jobs.connection.connect` for building the client from a backend profile.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import os
import threading
from typing import Any, Callable
from urllib.parse import urlsplit

from tunescope.jobs.deadlines import RemoteModel, StartGate
from tunescope.jobs.errors import JobsError, sdk_errors
from tunescope.jobs.types import Checkpoint, Event, Job, JobFailure, Metrics, Page, UploadedFile
from tunescope.jobs.upload import PreflightFailed, Progress, Uploader, preflight, preflight_message

__all__ = ["JobsClient", "JobsError", "Job", "Event", "Metrics", "Checkpoint", "JobFailure", "Page", "UploadedFile",
           "PreflightFailed", "METHODS"]

METHODS = ("supervised", "dpo", "reinforcement")


def _host_of(client: Any) -> str:
    url = str(getattr(client, "base_url", "") or "")
    return urlsplit(url).netloc or "the server"


class JobsClient:
    """Fine-tuning jobs through one `openai.OpenAI` (or `AzureOpenAI`) client."""

    def __init__(self, client: Any, secrets: tuple[str, ...] = (), host: str | None = None,
                 server_id: str | None = None):
        self.client = client
        self.host = host or _host_of(client)
        self.server_id = server_id
        key = getattr(client, "api_key", None)
        self.secrets = tuple(s for s in (*secrets, key if isinstance(key, str) else None) if s)
        self.gate = StartGate(self.host)
        """What this backend refuses to start (OpenAI's provider sets its job cutoff); `models()` feeds it."""
        self.trainer: str | None = None
        """A tunescope server's trainer as its `/v1/models` said: "simulated" or "hf"; None elsewhere or unasked."""
        self.recover: Callable[[], bool] | None = None
        """Set by the local provider on a connection to another process's server: when that server went away,
        serve the data directory here (or follow whoever took it over); True when calls can go on."""

    def _errors(self, action: str):
        return sdk_errors(action, self.host, self.secrets)

    # -- files ----------------------------------------------------------
    def upload(self, path: str | os.PathLike, progress: Progress | None = None, *, purpose: str = "fine-tune",
               force: bool = False, model: str | None = None, method: str | None = None, role: str = "training",
               reuse: bool = True, cancel: threading.Event | None = None) -> UploadedFile:
        """Pre-flight check, then upload (or reuse an identical earlier upload).

        Raises PreflightFailed when the checker finds errors, unless `force`.
        """
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise JobsError(f"{path}: no such file", kind="config")
        if not force:
            report, errors = preflight(path, model, method, role)
            if errors:
                raise PreflightFailed(preflight_message(path, errors), report, errors)
        uploader = Uploader(self.client, self.host, self.secrets, server_id=self.server_id)
        return uploader.upload(path, purpose, progress, reuse, cancel)

    # -- models ---------------------------------------------------------
    def models(self) -> list[RemoteModel]:
        """The backend's `/v1/models`, with `shutdown_date` where it reports one (remembered by the gate)."""
        with self._errors("list models"):
            raw = self.client.models.with_raw_response.list()
            items = [RemoteModel.from_sdk(m) for m in raw.parse()]
        self.trainer = raw.headers.get("x-tunescope-trainer") or self.trainer
        self.gate.reported.update({m.id: m.shutdown_date for m in items if m.shutdown_date})
        return items

    def ensure_can_start(self, model: str) -> None:
        """Raise JobsError with a plain reason when this backend cannot start a job on `model` any more
        (OpenAI after its 2027-01-06 cutoff, a model shut down); call it before uploading."""
        self.gate.check(model)

    # -- jobs -----------------------------------------------------------
    def create(self, model: str, training_file: str | UploadedFile, validation_file: str | UploadedFile | None = None,
               method: str = "supervised", hyperparameters: dict | None = None, suffix: str | None = None,
               seed: int | None = None, metadata: dict | None = None, grader: dict | None = None,
               extra_body: dict | None = None) -> Job:
        """Start a job. `hyperparameters` go inside `method` (the top-level field is deprecated)."""
        if method not in METHODS:
            raise JobsError(f"unknown method {method!r}; use one of {', '.join(METHODS)}", kind="bad_request")
        self.ensure_can_start(model)
        settings: dict = {}
        if hyperparameters:
            settings["hyperparameters"] = dict(hyperparameters)
        if grader is not None:
            settings["grader"] = grader
        kwargs: dict = {"model": model, "training_file": getattr(training_file, "id", training_file),
                        "method": {"type": method, method: settings}}
        if validation_file is not None:
            kwargs["validation_file"] = getattr(validation_file, "id", validation_file)
        for name, value in (("suffix", suffix), ("seed", seed), ("metadata", metadata), ("extra_body", extra_body)):
            if value is not None:
                kwargs[name] = value
        with self._errors(f"create a job on {model}"):
            return Job.from_sdk(self.client.fine_tuning.jobs.create(**kwargs))

    def list(self, limit: int = 20, after: str | None = None) -> Page[Job]:
        """Newest first; pass `page.next_after` as `after` for older jobs."""
        kwargs = {"limit": limit} if after is None else {"limit": limit, "after": after}
        with self._errors("list jobs"):
            page = self.client.fine_tuning.jobs.list(**kwargs)
            return Page([Job.from_sdk(j) for j in page.data], bool(getattr(page, "has_more", False)))

    def get(self, job_id: str) -> Job:
        with self._errors(f"get {job_id}"):
            return Job.from_sdk(self.client.fine_tuning.jobs.retrieve(job_id))

    def cancel(self, job_id: str) -> Job:
        with self._errors(f"cancel {job_id}"):
            return Job.from_sdk(self.client.fine_tuning.jobs.cancel(job_id))

    def pause(self, job_id: str) -> Job:
        with self._errors(f"pause {job_id}"):
            return Job.from_sdk(self.client.fine_tuning.jobs.pause(job_id))

    def resume(self, job_id: str) -> Job:
        with self._errors(f"resume {job_id}"):
            return Job.from_sdk(self.client.fine_tuning.jobs.resume(job_id))

    # -- events, checkpoints, results --------------------------------------
    def event_page(self, job_id: str, limit: int = 100, after: str | None = None) -> Page[Event]:
        """One page of events, newest first (the API's order)."""
        kwargs = {"limit": limit} if after is None else {"limit": limit, "after": after}
        with self._errors(f"list events of {job_id}"):
            page = self.client.fine_tuning.jobs.list_events(job_id, **kwargs)
            return Page([Event.from_sdk(e) for e in page.data], bool(getattr(page, "has_more", False)))

    def events(self, job_id: str, limit: int | None = None) -> list[Event]:
        """The newest `limit` events (all when None), oldest first."""
        out: list[Event] = []
        after = None
        while limit is None or len(out) < limit:
            want = 100 if limit is None else min(100, limit - len(out))
            page = self.event_page(job_id, limit=want, after=after)
            out.extend(page.items)
            if not page.has_more or not page.items:
                break
            after = page.items[-1].id
        out.reverse()
        return out

    def checkpoints(self, job_id: str) -> list[Checkpoint]:
        """All kept checkpoints, lowest step first."""
        with self._errors(f"list checkpoints of {job_id}"):
            items = [Checkpoint.from_sdk(c) for c in self.client.fine_tuning.jobs.checkpoints.list(job_id, limit=100)]
        return sorted(items, key=lambda c: c.step)

    def results_csv(self, job: Job | str) -> list[dict]:
        """The job's per-step results file as rows of numbers (None for empty cells).

        OpenAI returns this file base64-encoded; plain CSV from other servers is accepted too.
        """
        if isinstance(job, str):
            job = self.get(job)
        if not job.result_files:
            raise JobsError(f"{job.id} has no results file yet (status {job.status}); it appears when the job "
                            "succeeds.", kind="not_found")
        return parse_results(self.file_bytes(job.result_files[0], "results"))

    def file_bytes(self, file_id: str, what: str = "file") -> bytes:
        """A small file's bytes at once (a results file); `download` streams big ones to disk."""
        with self._errors(f"download {what} {file_id}"):
            return self.client.files.content(file_id).read()

    # -- raw records and file bytes (jobs/archive.py keeps them as the backend gave them) ----------
    def raw_job(self, job_id: str) -> dict:
        """The job object exactly as the backend returned it (every field, also those `Job` leaves out)."""
        with self._errors(f"get {job_id}"):
            return _dump(self.client.fine_tuning.jobs.retrieve(job_id))

    def raw_checkpoints(self, job_id: str) -> list[dict]:
        with self._errors(f"list checkpoints of {job_id}"):
            return [_dump(c) for c in self.client.fine_tuning.jobs.checkpoints.list(job_id, limit=100)]

    def file_info(self, file_id: str) -> dict:
        with self._errors(f"get file {file_id}"):
            return _dump(self.client.files.retrieve(file_id))

    def download(self, file_id: str, dest: str | os.PathLike) -> int:
        """Stream a file's bytes to `dest` (through a temporary file beside it: never half a file); bytes written."""
        dest = os.fspath(dest)
        tmp = f"{dest}.part"
        written = 0
        try:
            with self._errors(f"download file {file_id}"), open(tmp, "wb") as fh:
                streaming = getattr(self.client.files, "with_streaming_response", None)
                if streaming is None:          # a vendor adapter (providers/*_api.py): the bytes at once
                    written = fh.write(self.client.files.content(file_id).read())
                else:
                    with streaming.content(file_id) as response:
                        for block in response.iter_bytes(1 << 20):
                            written += fh.write(block)
            os.replace(tmp, dest)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return written

    def failure(self, job: Job | str) -> JobFailure | None:
        """Why the job failed, mapped to (file, line, message_index) when the message names a place."""
        if isinstance(job, str):
            job = self.get(job)
        return job.failure


def _dump(obj: Any) -> Any:
    """An SDK object as plain JSON-able data; a vendor adapter's SimpleNamespace (providers/*_api.py) too."""
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    if isinstance(obj, dict):
        return {str(k): _dump(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_dump(v) for v in obj]
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        return {k: _dump(v) for k, v in vars(obj).items() if not k.startswith("_")}
    return obj


def decode_results(raw: bytes) -> str:
    """A results file as CSV text: OpenAI sends it base64-encoded, other servers plain."""
    text = raw.strip()
    if not text.startswith(b"step"):
        try:
            decoded = base64.b64decode(text, validate=True)
            if decoded.lstrip().startswith(b"step") or b"," in decoded[:200]:
                text = decoded
        except (binascii.Error, ValueError):
            pass
    return text.decode("utf-8", errors="replace")


def _cell(value: str | None):
    if value is None or value.strip() == "":
        return None
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value


def parse_results(raw: bytes) -> list[dict]:
    """Decode (base64 or plain) and parse a results CSV."""
    reader = csv.DictReader(io.StringIO(decode_results(raw)))
    return [{k.strip(): _cell(v) for k, v in row.items() if k is not None} for row in reader]
