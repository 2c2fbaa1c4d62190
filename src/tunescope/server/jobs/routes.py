"""/v1/fine_tuning/jobs (+ events, checkpoints, cancel, pause, resume) and checkpoint permissions."""

from __future__ import annotations

import time

from starlette.routing import Route

from tunescope.server import ids
from tunescope.server.jobs import spec as jobspec
from tunescope.server.errors import APIError, bad_request, not_found
from tunescope.server.http import ok, path_id, query_int, read_json, state
from tunescope.server.files.routes import live_file
from tunescope.server.shapes import checkpoint_obj, event_obj, job_obj, list_obj
from tunescope.server.jobs.trainer import new_event

ACTIVE = ("validating_files", "queued", "running", "paused")


def _job(srv, job_id: str) -> tuple[dict, dict]:
    found = srv.store.get_job(job_id) if ids.plausible_id(job_id) else None
    if found is None:
        raise not_found(f"No such fine-tuning job: {job_id}", param="fine_tuning_job_id")
    return found


def _check_file(srv, file_id: str, param: str) -> None:
    try:
        row = live_file(srv, file_id)
    except APIError:
        raise bad_request(f"invalid {param}: {file_id}", param=param) from None
    if row["purpose"] != "fine-tune":
        raise bad_request(f"invalid {param}: {file_id} has purpose '{row['purpose']}'; fine-tuning needs a file "
                          "uploaded with purpose 'fine-tune'.", param=param)


def new_job_doc(srv, req: dict, model: str, now: int) -> dict:
    """A job as the real API returns it right after create (key order of a 2025 job)."""
    return {
        "object": "fine_tuning.job",
        "id": ids.job_id(),
        "model": model,
        "created_at": now,
        "finished_at": None,
        "fine_tuned_model": None,
        "organization_id": srv.org_id,
        "result_files": [],
        "status": "validating_files",
        "validation_file": req["validation_file"],
        "training_file": req["training_file"],
        "hyperparameters": jobspec.top_level_hyperparameters(req["method"]),
        "trained_tokens": None,
        "error": {},
        "user_provided_suffix": req["suffix"],
        "seed": req["seed"],
        "estimated_finish": None,
        "integrations": req["integrations"],
        "metadata": req["metadata"],
        "usage_metrics": None,
        "shared_with_openai": False,
        "eval_id": None,
        "method": req["method"],
    }


async def create_job(request):
    srv = state(request)
    req = jobspec.parse_create(await read_json(request))
    model = jobspec.check_model(req["model"], req["method"]["type"], srv.base_models,
                                lambda name: srv.store.get_model(name) is not None)
    _check_file(srv, req["training_file"], "training_file")
    if req["validation_file"]:
        _check_file(srv, req["validation_file"], "validation_file")
    limit = srv.config.max_active_jobs
    if limit is not None and srv.store.count_active_jobs() >= limit:
        raise APIError(429, f"This fine-tuning request has been rate-limited. Your organization has reached the maximum "
                            f"of {limit} active fine-tuning jobs (a limit set with --max-active-jobs); wait for a job to "
                            "finish or cancel one.", type="invalid_request_error", code="rate_limit_exceeded",
                       headers={"x-should-retry": "false"})
    now = time.time()
    doc = new_job_doc(srv, req, model, int(now))
    files = f"Validating training file: {req['training_file']}"
    if req["validation_file"]:
        files += f" and validation file: {req['validation_file']}"
    with srv.store.transaction():
        srv.store.add_job(doc, {"next_at": now + srv.config.queue_delay, "step": 0})
        srv.store.add_event(new_event(doc["id"], f"Created fine-tuning job: {doc['id']}", data={}, at=now))
        srv.store.add_event(new_event(doc["id"], files, data={}, at=now))
    srv.trainer.wake()
    return ok(job_obj(doc, srv.config.strict_spec))


def _metadata_filter(request):
    """`metadata[k]=v` pairs (all must match), literal `metadata=null` for jobs without metadata."""
    pairs = {}
    for key, value in request.query_params.multi_items():
        if key == "metadata" and value == "null":
            return None
        if key.startswith("metadata[") and key.endswith("]"):
            pairs[key[len("metadata["):-1]] = value
    return pairs or ...


async def list_jobs(request):
    srv = state(request)
    limit = query_int(request, "limit", 20)
    meta = _metadata_filter(request)
    kwargs = {} if meta is ... else {"metadata": meta}
    docs, more = srv.store.list_jobs(request.query_params.get("after"), limit, **kwargs)
    return ok(list_obj([job_obj(d, srv.config.strict_spec) for d in docs], more))


async def retrieve_job(request):
    srv = state(request)
    doc, _ = _job(srv, path_id(request, "job_id"))
    return ok(job_obj(doc, srv.config.strict_spec))


def _transition(srv, job_id: str, allowed: tuple[str, ...], verb: str, apply) -> dict:
    with srv.store.transaction():
        doc, sim = _job(srv, job_id)
        if doc["status"] not in allowed:
            raise bad_request(f"Job {job_id} cannot be {verb}: its status is '{doc['status']}' (it must be "
                              f"{' or '.join(allowed)}).", param="fine_tuning_job_id", code="invalid_job_status")
        apply(doc, sim, time.time())
        srv.store.save_job(doc, sim)
    srv.trainer.wake()
    return ok(job_obj(doc, srv.config.strict_spec))


async def cancel_job(request):
    srv = state(request)

    def apply(doc, sim, now):
        doc.update(status="cancelled", finished_at=int(now), estimated_finish=None)
        srv.store.add_event(new_event(doc["id"], "Fine-tuning job cancelled", data={}, at=now))

    return _transition(srv, path_id(request, "job_id"), ACTIVE, "cancelled", apply)


async def pause_job(request):
    srv = state(request)

    def apply(doc, sim, now):
        sim["paused_from"] = doc["status"]
        doc.update(status="paused", estimated_finish=None)
        srv.store.add_event(new_event(doc["id"], f"Fine-tuning job paused at step {sim.get('step', 0)}", data={}, at=now))

    return _transition(srv, path_id(request, "job_id"), ("queued", "running"), "paused", apply)


async def resume_job(request):
    srv = state(request)

    def apply(doc, sim, now):
        doc["status"] = "queued"
        sim["next_at"] = now + srv.config.queue_delay
        srv.store.add_event(new_event(doc["id"], "Fine-tuning job resumed", data={}, at=now))

    return _transition(srv, path_id(request, "job_id"), ("paused",), "resumed", apply)


async def list_events(request):
    srv = state(request)
    doc, _ = _job(srv, path_id(request, "job_id"))
    limit = query_int(request, "limit", 20)
    rows, more = srv.store.list_events(doc["id"], request.query_params.get("after"), limit)
    return ok(list_obj([event_obj(r, srv.config.strict_spec) for r in rows], more))


async def list_checkpoints(request):
    srv = state(request)
    doc, _ = _job(srv, path_id(request, "job_id"))
    limit = query_int(request, "limit", 10)
    rows, more = srv.store.list_checkpoints(doc["id"], request.query_params.get("after"), limit)
    return ok(list_obj([checkpoint_obj(r) for r in rows], more, first_last=True))


async def checkpoint_permissions(request):
    raise APIError(400, "Checkpoint permissions are not supported by the tunescope local server: it has a single "
                        "organization and no projects to share checkpoints with.",
                   param="fine_tuned_model_checkpoint", code="unsupported_on_local_server")


ROUTES = [
    Route("/fine_tuning/jobs", create_job, methods=["POST"]),
    Route("/fine_tuning/jobs", list_jobs, methods=["GET"]),
    Route("/fine_tuning/jobs/{job_id}", retrieve_job, methods=["GET"]),
    Route("/fine_tuning/jobs/{job_id}/cancel", cancel_job, methods=["POST"]),
    Route("/fine_tuning/jobs/{job_id}/pause", pause_job, methods=["POST"]),
    Route("/fine_tuning/jobs/{job_id}/resume", resume_job, methods=["POST"]),
    Route("/fine_tuning/jobs/{job_id}/events", list_events, methods=["GET"]),
    Route("/fine_tuning/jobs/{job_id}/checkpoints", list_checkpoints, methods=["GET"]),
    Route("/fine_tuning/checkpoints/{checkpoint}/permissions", checkpoint_permissions, methods=["GET", "POST"]),
    Route("/fine_tuning/checkpoints/{checkpoint}/permissions/{permission_id}", checkpoint_permissions, methods=["DELETE"]),
]
