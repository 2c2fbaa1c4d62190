"""A stand-in for Together AI's fine-tuning API, for tests of `tunescope.providers.together`.

Where each shape comes from (read 2026-12-06):
- togethercomputer/openapi:openapi.yaml at commit 090263aa0fde (2026-04-28), the document
  docs.together.ai is generated from:
  - `POST /files/upload` (multipart: purpose, file_name, file_type, file) -> `FileResponse`
    (id, object "file", created_at, filename, bytes, purpose, `Processed`, `FileType`);
    `GET /files` -> `FileList` {data}; `GET /files/{id}`; errors are `ErrorData`
    {error: {message, type, param, code}} with 400/401.
  - `POST /fine-tunes` (training_file, model, n_epochs, validation_file, n_evals, batch_size,
    suffix, random_seed, training_method) -> `FinetuneResponseTruncated`; `GET /fine-tunes` ->
    `FinetuneTruncatedList` {data}; `GET /fine-tunes/{id}` -> `FinetuneResponse` (status is a
    `FinetuneJobStatus`: pending, queued, running, compressing, uploading, cancel_requested,
    cancelled, error, completed; created_at/updated_at are date-time strings; `events`);
    `POST /fine-tunes/{id}/cancel`; `GET /fine-tunes/{id}/events` -> `FinetuneListEvents`
    {data: [FineTuneEvent {object "fine-tune-event", created_at, level, message, type, ...}]}
    (event types from `FinetuneEventType`); `GET /fine-tunes/{id}/metrics` -> {metrics: [flat
    dicts like {"train/loss": 0.5, "train/global_step": 7}]}; `GET /fine-tunes/{id}/checkpoints`
    -> `FinetuneListCheckpoints` {data: [{step, path, created_at, checkpoint_type}]};
    `GET /fine-tunes/models/limits` -> `FineTuneModelLimits`; `POST /fine-tunes/estimate-price`.
- The `together` SDK 3.1.1 (PyPI, 2026-11-04), together/resources/fine_tuning.py: `create()`
  first reads the model limits and the price estimate, then posts the job (so those two routes
  are here too), and lists metrics with GET.
- Not published, this stand-in's own: the wording of the file check's refusal (Together's docs say
  mixed formats and extra columns are refused, docs.together.ai/docs/fine-tuning/data-preparation),
  and the pace of a job (one state per read of the job).
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.jobs.standins import BearerAuth

FORMATS = ({"messages"}, {"messages", "tools"}, {"prompt", "completion"}, {"text"},
           {"input", "preferred_output", "non_preferred_output"})
PACE = ["pending", "queued", "running", "running", "running", "uploading", "completed"]
"""The states a job walks through, one per read of the job."""
LOSSES = {2: 1.25, 3: 0.9, 4: 0.61}
"""Training loss at each `running` read (step = index - 1)."""


def _now(offset: int = 0) -> str:
    return datetime.fromtimestamp(time.time() + offset, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def _error(status: int, message: str, kind: str = "invalid_request_error") -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind, "param": None, "code": None}}, status)


def file_problems(data: bytes) -> list[str]:
    """Together-style check: JSON lines, one known format, no extra keys, the same format throughout."""
    problems, first = [], None
    for n, raw in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except ValueError:
            problems.append(f"Line {n}: not valid JSON")
            continue
        keys = set(obj) if isinstance(obj, dict) else set()
        fmt = next((f for f in FORMATS if keys == f), None)
        if fmt is None:
            extra = sorted(keys - set().union(*FORMATS))
            problems.append(f"Line {n}: unexpected column(s) {', '.join(extra)}" if extra
                            else f"Line {n}: does not match any supported format")
        elif first is None:
            first = fmt
        elif fmt - {"tools"} != first - {"tools"}:
            problems.append(f"Line {n}: mixes formats with line 1")
    return problems


class TogetherStandIn:
    def __init__(self, key: str):
        self.key = key
        self.files: dict[str, dict] = {}
        self.contents: dict[str, bytes] = {}
        self.jobs: dict[str, dict] = {}
        self.reads: dict[str, int] = {}
        self.requests: list[str] = []
        routes = [Route("/v1/files/upload", self.upload, methods=["POST"]),
                  Route("/v1/files", self.list_files), Route("/v1/files/{id}", self.get_file),
                  Route("/v1/fine-tunes/models/limits", self.limits),
                  Route("/v1/fine-tunes/estimate-price", self.estimate, methods=["POST"]),
                  Route("/v1/fine-tunes", self.create, methods=["POST"]),
                  Route("/v1/fine-tunes", self.list_jobs), Route("/v1/fine-tunes/{id}", self.get_job),
                  Route("/v1/fine-tunes/{id}/cancel", self.cancel, methods=["POST"]),
                  Route("/v1/fine-tunes/{id}/events", self.events), Route("/v1/fine-tunes/{id}/metrics", self.metrics),
                  Route("/v1/fine-tunes/{id}/checkpoints", self.checkpoints)]
        self.app = Starlette(routes=routes)
        self.app.add_middleware(BearerAuth, standin=self,
                                refuse=lambda: _error(401, "Invalid API key provided", "invalid_api_key"))

    # -- files -------------------------------------------------------------
    async def upload(self, request: Request) -> Response:
        form = await request.form()
        data = await form["file"].read()
        problems = file_problems(data)
        if problems:
            return _error(400, "\n".join(problems))
        fid = f"file-{len(self.files) + 1:04d}"
        self.files[fid] = {"id": fid, "object": "file", "created_at": int(time.time()), "filename": form["file_name"],
                           "bytes": len(data), "purpose": form["purpose"], "Processed": True,
                           "FileType": form.get("file_type") or "jsonl"}
        self.contents[fid] = data
        return JSONResponse(self.files[fid])

    async def list_files(self, request: Request) -> Response:
        return JSONResponse({"data": list(self.files.values())})

    async def get_file(self, request: Request) -> Response:
        found = self.files.get(request.path_params["id"])
        return JSONResponse(found) if found else _error(404, "file not found")

    # -- jobs --------------------------------------------------------------
    async def limits(self, request: Request) -> Response:
        return JSONResponse({"model_name": request.query_params.get("model_name"), "max_num_epochs": 20,
                             "max_num_evals": 100, "max_learning_rate": 1.0, "min_learning_rate": 0.0,
                             "supports_vision": False, "supports_tools": True, "supports_reasoning": False,
                             "merge_output_lora": True,
                             "full_training": {"max_batch_size": 96, "max_batch_size_dpo": 48, "min_batch_size": 8},
                             "lora_training": {"max_batch_size": 128, "max_batch_size_dpo": 64, "min_batch_size": 8,
                                               "max_rank": 64, "target_modules": ["q_proj", "v_proj"]}})

    async def estimate(self, request: Request) -> Response:
        return JSONResponse({"estimation_available": True, "allowed_to_proceed": True, "estimated_total_price": 1.5,
                             "estimated_train_token_count": 1000, "estimated_eval_token_count": 0, "user_limit": 100})

    async def create(self, request: Request) -> Response:
        body = await request.json()
        if body.get("training_file") not in self.files:
            return _error(400, f"training_file {body.get('training_file')} not found")
        jid = f"ft-{len(self.jobs) + 1:08d}-0000-4000-8000-000000000000"
        self.jobs[jid] = {"id": jid, "status": "pending", "model": body["model"],
                          "training_file": body["training_file"],
                          "validation_file": body.get("validation_file") or "", "n_epochs": body.get("n_epochs", 1),
                          "batch_size": body.get("batch_size"), "learning_rate": body.get("learning_rate"),
                          "suffix": body.get("suffix"), "created_at": _now(), "updated_at": _now(),
                          "training_method": body.get("training_method") or {"method": "sft"},
                          "events": [self._event("job_pending", "Fine tune request created")], "metrics": [],
                          "request": body}
        self.reads[jid] = 0
        return JSONResponse(self._public(self.jobs[jid]))

    async def list_jobs(self, request: Request) -> Response:
        return JSONResponse({"data": [self._public(j) for j in self.jobs.values()]})

    async def get_job(self, request: Request) -> Response:
        job = self.jobs.get(request.path_params["id"])
        if job is None:
            return _error(404, "fine-tune job not found")
        self._advance(job)
        return JSONResponse(self._public(job, with_events=True))

    async def cancel(self, request: Request) -> Response:
        job = self.jobs.get(request.path_params["id"])
        if job is None:
            return _error(404, "fine-tune job not found")
        if job["status"] in ("completed", "cancelled", "error"):
            return _error(400, f"job is already {job['status']}")
        job["status"] = "cancel_requested"
        job["events"].append(self._event("cancel_requested", "Cancel requested"))
        return JSONResponse(self._public(job))

    async def events(self, request: Request) -> Response:
        job = self.jobs.get(request.path_params["id"])
        return JSONResponse({"data": job["events"]}) if job else _error(404, "fine-tune job not found")

    async def metrics(self, request: Request) -> Response:
        job = self.jobs.get(request.path_params["id"])
        return JSONResponse({"metrics": job["metrics"]}) if job else _error(404, "fine-tune job not found")

    async def checkpoints(self, request: Request) -> Response:
        job = self.jobs.get(request.path_params["id"])
        if job is None:
            return _error(404, "fine-tune job not found")
        done = job["status"] == "completed"
        return JSONResponse({"data": [{"step": 3, "path": f"{job['id']}:3", "created_at": _now(),
                                       "checkpoint_type": "Intermediate"}] if done else []})

    # -- the pace of a job --------------------------------------------------
    def _advance(self, job: dict) -> None:
        if job["status"] == "cancel_requested":
            job["status"] = "cancelled"
            job["events"].append(self._event("job_stopped", "Job cancelled"))
            return
        if job["status"] in ("completed", "cancelled", "error"):
            return
        self.reads[job["id"]] += 1
        i = min(self.reads[job["id"]], len(PACE) - 1)
        if job["model"].endswith("-fails") and PACE[i] == "running":
            job["status"] = "error"
            job["events"].append(self._event("job_error", "Training failed: CUDA out of memory", "error"))
            return
        before, job["status"] = job["status"], PACE[i]
        job["updated_at"] = _now()
        if job["status"] == "running" and before != "running":
            job["events"].append(self._event("training_start", "Training started"))
        if i in LOSSES:
            step = i - 1
            job["metrics"].append({"train/loss": LOSSES[i], "train/learning_rate": 1e-5, "train/global_step": step})
            if step == 3 and job["validation_file"]:
                job["metrics"].append({"eval/loss": 0.7, "eval/global_step": step})
        if job["status"] == "completed":
            job["model_output_name"] = f"user/{job['model'].split('/')[-1]}-{job['suffix'] or 'ft'}"
            job["token_count"] = 1234
            job["events"].append(self._event("job_complete", "Job finished"))

    def _event(self, kind: str, message: str, level: str = "info") -> dict:
        return {"object": "fine-tune-event", "created_at": _now(), "level": level, "message": message, "type": kind,
                "param_count": 0, "token_count": 0, "total_steps": 3, "wandb_url": "", "step": 0,
                "checkpoint_path": "", "model_path": "", "training_offset": 0, "hash": ""}

    @staticmethod
    def _public(job: dict, with_events: bool = False) -> dict:
        out = {k: v for k, v in job.items() if k not in ("metrics", "request", "events")}
        if with_events:
            out["events"] = job["events"]
        return out
