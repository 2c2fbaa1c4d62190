"""A stand-in for Fireworks AI's fine-tuning API, for tests of `tunescope.providers.fireworks`.

Where each shape comes from (read 2026-12-06; the pages embed Fireworks' "Gateway REST API"
OpenAPI document, versions 3.0.359 to 4.259.0):
- docs.fireworks.ai/fine-tuning/fine-tuning-via-api: the flow (create a dataset record with
  `{"datasetId", "dataset": {"userUploaded": {}}}`, upload the file, check the dataset's state,
  create the job).
- docs.fireworks.ai/api-reference/create-dataset, /upload-dataset-files (`POST .../datasets/{d}:upload`,
  multipart `file`, up to 150 MB, answers {id, object, bytes, created_at, filename, purpose}),
  /validate-dataset-upload (`POST .../datasets/{d}:validateUpload`, body `{}`, answers `{}`),
  /get-dataset and /list-datasets (`Dataset`: name, displayName, createTime, state STATE_UNSPECIFIED |
  UPLOADING | READY, status {code, message}, exampleCount, userUploaded, format; list: {datasets,
  nextPageToken, totalSize}).
- docs.fireworks.ai/api-reference/get-supervised-fine-tuning-job (and create/list/cancel):
  `SupervisedFineTuningJob` (name accounts/{a}/supervisedFineTuningJobs/{id}, dataset, state
  `JobState` JOB_STATE_*, status {code, message}, baseModel, outputModel, epochs, learningRate,
  batchSize, jobProgress {percent, epoch, ...}, metricsFileSignedUrl, createTime, completedTime);
  list: {supervisedFineTuningJobs, nextPageToken, totalSize}; `POST .../{j}:cancel` with `{}`.
- The `fireworks-ai` SDK 1.2.30 (PyPI, 2026-10-21), fireworks/resources/: the same paths; the job id
  goes in the query (`supervisedFineTuningJobId`) on create.
- Not published, this stand-in's own: the metrics file's rows (firectl's `export-metrics` writes
  `metrics.jsonl`; the keys `step`, `loss`, `eval_loss` here are a guess the provider reads leniently),
  what `validateUpload` does with a bad file (here: the dataset's `status` becomes INVALID_ARGUMENT
  with one "Line N: ..." per problem; the check follows docs.fireworks.ai/fine-tuning/fine-tuning-models:
  `messages` with role/content, 3 or more examples), and the pace of a job (one state per read).
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

PACE = ["JOB_STATE_CREATING", "JOB_STATE_PENDING", "JOB_STATE_RUNNING", "JOB_STATE_RUNNING", "JOB_STATE_RUNNING",
        "JOB_STATE_WRITING_RESULTS", "JOB_STATE_COMPLETED"]
LOSSES = {2: 1.3, 3: 0.95, 4: 0.58}
ROLES = {"system", "user", "assistant", "tool"}


def _now() -> str:
    return datetime.now(tz=timezone.utc).isoformat().replace("+00:00", "Z")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"code": status, "message": message}, status)


def dataset_problems(data: bytes) -> list[str]:
    problems, count = [], 0
    for n, raw in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        if not raw.strip():
            continue
        count += 1
        try:
            obj = json.loads(raw)
        except ValueError:
            problems.append(f"Line {n}: invalid JSON")
            continue
        messages = obj.get("messages") if isinstance(obj, dict) else None
        if not isinstance(messages, list) or not messages:
            problems.append(f"Line {n}: missing messages")
            continue
        for m, msg in enumerate(messages):
            if not isinstance(msg, dict) or msg.get("role") not in ROLES:
                problems.append(f"Line {n}: messages[{m}] has an unsupported role")
    if count < 3:
        problems.append(f"the dataset has {count} example(s); at least 3 are needed")
    return problems


class FireworksStandIn:
    def __init__(self, key: str, account: str = "acme"):
        self.key, self.account = key, account
        self.datasets: dict[str, dict] = {}
        self.contents: dict[str, bytes] = {}
        self.jobs: dict[str, dict] = {}
        self.metric_rows: dict[str, list[dict]] = {}
        self.reads: dict[str, int] = {}
        self.requests: list[str] = []
        base = "/v1/accounts/{account}"
        routes = [Route(base + "/datasets", self.create_dataset, methods=["POST"]),
                  Route(base + "/datasets", self.list_datasets),
                  Route(base + "/datasets/{dataset}:upload", self.upload, methods=["POST"]),
                  Route(base + "/datasets/{dataset}:validateUpload", self.validate, methods=["POST"]),
                  Route(base + "/datasets/{dataset}", self.get_dataset),
                  Route(base + "/supervisedFineTuningJobs", self.create_job, methods=["POST"]),
                  Route(base + "/supervisedFineTuningJobs", self.list_jobs),
                  Route(base + "/supervisedFineTuningJobs/{job}:cancel", self.cancel, methods=["POST"]),
                  Route(base + "/supervisedFineTuningJobs/{job}", self.get_job),
                  Route("/signed/metrics/{job}", self.metrics_file)]
        self.app = Starlette(routes=routes)
        self.app.add_middleware(BearerAuth, standin=self, refuse=lambda: _error(401, "unauthenticated"),
                                open_prefix="/signed/")

    def _name(self, kind: str, short: str) -> str:
        return f"accounts/{self.account}/{kind}/{short}"

    # -- datasets ------------------------------------------------------------
    async def create_dataset(self, request: Request) -> Response:
        body = await request.json()
        did = body["datasetId"]
        if did in self.datasets:
            return _error(409, f"dataset {did} already exists")
        self.datasets[did] = {"name": self._name("datasets", did), "createTime": _now(), "state": "UPLOADING",
                              "status": {"code": "OK", "message": ""}, "exampleCount": "0",
                              "displayName": body["dataset"].get("displayName", did),
                              "userUploaded": body["dataset"].get("userUploaded", {}), "format": "CHAT"}
        return JSONResponse(self.datasets[did])

    async def list_datasets(self, request: Request) -> Response:
        return JSONResponse({"datasets": list(self.datasets.values()), "totalSize": len(self.datasets)})

    async def upload(self, request: Request) -> Response:
        did = request.path_params["dataset"]
        form = await request.form()
        self.contents[did] = data = await form["file"].read()
        return JSONResponse({"id": did, "object": "file", "bytes": len(data), "created_at": int(time.time()),
                             "filename": form["file"].filename, "purpose": "fine-tune"})

    async def validate(self, request: Request) -> Response:
        did = request.path_params["dataset"]
        problems = dataset_problems(self.contents.get(did, b""))
        ds = self.datasets[did]
        ds["exampleCount"] = str(sum(1 for line in self.contents[did].splitlines() if line.strip()))
        if problems:
            ds["status"] = {"code": "INVALID_ARGUMENT", "message": "\n".join(problems)}
        else:
            ds["state"] = "READY"
        return JSONResponse({})

    async def get_dataset(self, request: Request) -> Response:
        ds = self.datasets.get(request.path_params["dataset"])
        return JSONResponse(ds) if ds else _error(404, "dataset not found")

    # -- jobs ----------------------------------------------------------------
    async def create_job(self, request: Request) -> Response:
        body = await request.json()
        did = body["dataset"].rsplit("/", 1)[-1]
        if self.datasets.get(did, {}).get("state") != "READY":
            return _error(400, f"dataset {body['dataset']} is not READY")
        jid = request.query_params.get("supervisedFineTuningJobId") or f"sftj-{len(self.jobs) + 1:04d}"
        self.jobs[jid] = {"name": self._name("supervisedFineTuningJobs", jid), "dataset": body["dataset"],
                          "baseModel": body.get("baseModel"), "displayName": body.get("displayName"),
                          "epochs": body.get("epochs", 1), "learningRate": body.get("learningRate", 1e-4),
                          "evaluationDataset": body.get("evaluationDataset"), "createTime": _now(),
                          "state": PACE[0], "status": {"code": "OK", "message": ""}, "request": body}
        self.reads[jid], self.metric_rows[jid] = 0, []
        return JSONResponse(self._public(self.jobs[jid]))

    async def list_jobs(self, request: Request) -> Response:
        return JSONResponse({"supervisedFineTuningJobs": [self._public(j) for j in self.jobs.values()],
                             "totalSize": len(self.jobs)})

    async def get_job(self, request: Request) -> Response:
        job = self.jobs.get(request.path_params["job"])
        if job is None:
            return _error(404, "job not found")
        self._advance(job, request)
        return JSONResponse(self._public(job))

    async def cancel(self, request: Request) -> Response:
        job = self.jobs.get(request.path_params["job"])
        if job is None:
            return _error(404, "job not found")
        job["state"] = "JOB_STATE_CANCELLING"
        return JSONResponse({})

    async def metrics_file(self, request: Request) -> Response:
        rows = self.metric_rows.get(request.path_params["job"], [])
        return Response("".join(json.dumps(r) + "\n" for r in rows), media_type="application/jsonl")

    def _advance(self, job: dict, request: Request) -> None:
        jid = job["name"].rsplit("/", 1)[-1]
        if job["state"] == "JOB_STATE_CANCELLING":
            job["state"], job["completedTime"] = "JOB_STATE_CANCELLED", _now()
            return
        if job["state"] in ("JOB_STATE_COMPLETED", "JOB_STATE_CANCELLED", "JOB_STATE_FAILED"):
            return
        self.reads[jid] += 1
        i = min(self.reads[jid], len(PACE) - 1)
        if (job["baseModel"] or "").endswith("-fails") and PACE[i] == "JOB_STATE_RUNNING":
            job["state"] = "JOB_STATE_FAILED"
            job["status"] = {"code": "INTERNAL", "message": "trainer crashed: out of GPU memory"}
            job["completedTime"] = _now()
            return
        job["state"] = PACE[i]
        if job["state"] == "JOB_STATE_RUNNING":
            job["jobProgress"] = {"percent": (i - 1) * 30, "epoch": 0}
            job["metricsFileSignedUrl"] = f"{request.base_url}signed/metrics/{jid}?sig=abc"
        if i in LOSSES:
            self.metric_rows[jid].append({"step": i - 1, "loss": LOSSES[i], "learning_rate": 1e-4})
        if job["state"] == "JOB_STATE_COMPLETED":
            job["outputModel"] = f"accounts/{self.account}/models/{job['displayName'] or jid}"
            job["completedTime"] = _now()
            job["jobProgress"] = {"percent": 100, "epoch": 1}

    @staticmethod
    def _public(job: dict) -> dict:
        return {k: v for k, v in job.items() if k != "request"}
