"""/v1/fine_tuning/jobs (+ events, checkpoints, cancel, pause, resume) and checkpoint permissions:
parse the request, call `JobsService`, answer with its wire shape. No route changes a job itself."""

from __future__ import annotations

from starlette.routing import Route

from tunescope.server.http import list_obj, ok, path_id, query_int, read_json, state
from tunescope.server.jobs import spec
from tunescope.server.jobs.service import JobsService
from tunescope.server.jobs.shapes import checkpoint_obj, event_obj, job_obj


def _jobs(request) -> JobsService:
    return state(request).jobs


def _job_body(request, doc: dict):
    return ok(job_obj(doc, state(request).config.strict_spec))


def _metadata_filter(request):
    """`metadata[k]=v` pairs (all must match), literal `metadata=null` for jobs without metadata, ... for no filter."""
    pairs = {}
    for key, value in request.query_params.multi_items():
        if key == "metadata" and value == "null":
            return None
        if key.startswith("metadata[") and key.endswith("]"):
            pairs[key[len("metadata["):-1]] = value
    return pairs or ...


async def create_job(request):
    req = spec.parse_create(await read_json(request))
    return _job_body(request, _jobs(request).create(req))


async def list_jobs(request):
    limit = query_int(request, "limit", 20)
    docs, more = _jobs(request).list_jobs(request.query_params.get("after"), limit, _metadata_filter(request))
    strict = state(request).config.strict_spec
    return ok(list_obj([job_obj(d, strict) for d in docs], more))


async def retrieve_job(request):
    return _job_body(request, _jobs(request).get(path_id(request, "job_id")))


async def cancel_job(request):
    return _job_body(request, _jobs(request).cancel(path_id(request, "job_id")))


async def pause_job(request):
    return _job_body(request, _jobs(request).pause(path_id(request, "job_id")))


async def resume_job(request):
    return _job_body(request, _jobs(request).resume(path_id(request, "job_id")))


async def list_events(request):
    job_id = path_id(request, "job_id")
    _jobs(request).get(job_id)  # an unknown job answers 404 before `limit` is parsed
    rows, more = _jobs(request).events(job_id, request.query_params.get("after"), query_int(request, "limit", 20))
    strict = state(request).config.strict_spec
    return ok(list_obj([event_obj(r, strict) for r in rows], more))


async def list_checkpoints(request):
    job_id = path_id(request, "job_id")
    _jobs(request).get(job_id)
    rows, more = _jobs(request).checkpoints(job_id, request.query_params.get("after"), query_int(request, "limit", 10))
    return ok(list_obj([checkpoint_obj(r) for r in rows], more, first_last=True))


async def checkpoint_permissions(request):
    _jobs(request).checkpoint_permissions()


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
    Route("/fine_tuning/checkpoints/{checkpoint}/permissions/{permission_id}", checkpoint_permissions,
          methods=["DELETE"]),
]
