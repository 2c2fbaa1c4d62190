"""Wire shapes of every object, as the real API sends them.

Jobs are stored in their real-world shape (key order of a 2025 job, `error: {}`
when not failed, `user_provided_suffix`, `usage_metrics`, `shared_with_openai`,
`eval_id`). With `strict=True` the same objects are reduced to what the OpenAPI
extract allows, so a client with strict response validation accepts them.
"""

from __future__ import annotations

JOB_EXTRAS = ("user_provided_suffix", "usage_metrics", "shared_with_openai", "eval_id")


def file_obj(row: dict, strict: bool = False) -> dict:
    out = {
        "object": "file",
        "id": row["id"],
        "purpose": row["purpose"],
        "filename": row["filename"],
        "bytes": row["bytes"],
        "created_at": row["created_at"],
        "expires_at": row.get("expires_at"),
        "status": row.get("status") or "processed",
        "status_details": None,
    }
    if strict:
        if out["expires_at"] is None:
            del out["expires_at"]
        del out["status_details"]
    return out


def upload_obj(row: dict, file_row: dict | None, strict: bool = False) -> dict:
    return {
        "object": "upload",
        "id": row["id"],
        "purpose": row["purpose"],
        "filename": row["filename"],
        "bytes": row["bytes"],
        "created_at": row["created_at"],
        "expires_at": row["expires_at"],
        "status": row["status"],
        "file": file_obj(file_row, strict) if file_row else None,
    }


def part_obj(row: dict) -> dict:
    return {"object": "upload.part", "id": row["id"], "created_at": row["created_at"], "upload_id": row["upload_id"]}


def job_obj(doc: dict, strict: bool = False) -> dict:
    out = dict(doc)
    if not strict:
        return out
    for key in JOB_EXTRAS:
        out.pop(key, None)
    if not out.get("error"):
        out["error"] = None
    if out["status"] == "paused":
        # The spec's status enum has no "paused"; its own resume example answers "queued".
        out["status"] = "queued"
    return out


def event_obj(row: dict, strict: bool = False) -> dict:
    data = row.get("data")
    if strict and data is None:
        data = {}
    return {
        "object": "fine_tuning.job.event",
        "id": row["id"],
        "created_at": row["created_at"],
        "level": row["level"],
        "message": row["message"],
        "data": data,
        "type": row["type"],
    }


def checkpoint_obj(row: dict) -> dict:
    return {
        "object": "fine_tuning.job.checkpoint",
        "id": row["id"],
        "created_at": row["created_at"],
        "fine_tuned_model_checkpoint": row["model"],
        "fine_tuning_job_id": row["job_id"],
        "metrics": row["metrics"],
        "step_number": row["step"],
    }


def model_obj(model_id: str, created: int, owned_by: str) -> dict:
    return {"id": model_id, "object": "model", "created": created, "owned_by": owned_by}


def list_obj(data: list[dict], has_more: bool | None = None, first_last: bool = False) -> dict:
    out: dict = {"object": "list", "data": data}
    if first_last:
        out["first_id"] = data[0]["id"] if data else None
        out["last_id"] = data[-1]["id"] if data else None
    if has_more is not None:
        out["has_more"] = has_more
    return out
