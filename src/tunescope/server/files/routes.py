"""/v1/files and /v1/uploads."""

from __future__ import annotations

import hashlib
import time

import anyio
from starlette.responses import FileResponse
from starlette.routing import Route

from tunescope.server import ids
from tunescope.server.errors import bad_request, invalid_type, missing, not_found, unknown_argument
from tunescope.server.formdata import read_form
from tunescope.server.http import ok, path_id, query_int, read_json, state
from tunescope.server.shapes import file_obj, list_obj, part_obj, upload_obj

PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
JSONL_ONLY = "Invalid file format for Fine-Tuning API. Must be .jsonl"


def _expires(anchor, seconds, now: int) -> int | None:
    if anchor is None and seconds is None:
        return None
    if anchor != "created_at":
        raise bad_request("Invalid 'expires_after.anchor': the only supported anchor is 'created_at'.",
                          param="expires_after.anchor", code="invalid_value")
    try:
        secs = int(seconds)
    except (TypeError, ValueError):
        raise invalid_type("expires_after.seconds", "an integer", seconds) from None
    if not 3600 <= secs <= 2_592_000:
        raise bad_request("Invalid 'expires_after.seconds': must be between 3600 (1 hour) and 2592000 (30 days).",
                          param="expires_after.seconds", code="invalid_value")
    return now + secs


def _check_purpose(purpose, filename: str) -> None:
    if purpose is None:
        raise missing("purpose")
    if purpose not in PURPOSES:
        raise bad_request(f"Invalid value for 'purpose': {purpose!r}. Expected one of {', '.join(PURPOSES)}.",
                          param="purpose", code="invalid_value")
    if purpose == "fine-tune" and not filename.lower().endswith(".jsonl"):
        raise bad_request(JSONL_ONLY, param="file", code="invalid_file_format")


def live_file(srv, file_id: str) -> dict:
    row = srv.store.get_file(file_id) if ids.FILE_ID_RE.match(file_id) else None
    if row is None or (row["expires_at"] is not None and row["expires_at"] <= int(time.time())):
        raise not_found(f"No such File object: {file_id}")
    return row


async def create_file(request):
    srv = state(request)
    fields, incoming = await read_form(request, srv.blobs, "file", srv.config.max_file_bytes)
    try:
        if incoming is None:
            raise missing("file")
        _check_purpose(fields.get("purpose"), incoming.filename)
        if incoming.size == 0:
            raise bad_request("The uploaded file is empty.", param="file")
        now = int(time.time())
        row = {"id": ids.file_id(), "bytes": incoming.size, "created_at": now, "filename": incoming.filename,
               "purpose": fields["purpose"],
               "expires_at": _expires(fields.get("expires_after[anchor]"), fields.get("expires_after[seconds]"), now)}
        srv.blobs.commit(incoming.path, row["id"])
    except BaseException:
        if incoming is not None:
            incoming.path.unlink(missing_ok=True)
        raise
    srv.store.add_file(row)
    return ok(file_obj(srv.store.get_file(row["id"]), srv.config.strict_spec))


async def list_files(request):
    srv = state(request)
    order = request.query_params.get("order", "desc")
    if order not in ("asc", "desc"):
        raise bad_request(f"Invalid 'order': expected 'asc' or 'desc', got {order!r}.", param="order", code="invalid_value")
    limit = query_int(request, "limit", 10_000)
    now = int(time.time())
    for expired in srv.store.expired_files(now):
        srv.store.delete_file(expired)
        srv.blobs.delete(expired)
    rows, more = srv.store.list_files(request.query_params.get("purpose"), order, request.query_params.get("after"), limit, now)
    body = list_obj([file_obj(r, srv.config.strict_spec) for r in rows], more, first_last=True)
    if srv.config.strict_spec and not rows:
        body["first_id"] = body["last_id"] = ""  # the spec types them as strings, never null
    return ok(body)


async def retrieve_file(request):
    srv = state(request)
    return ok(file_obj(live_file(srv, path_id(request, "file_id")), srv.config.strict_spec))


async def delete_file(request):
    srv = state(request)
    row = live_file(srv, path_id(request, "file_id"))
    srv.store.delete_file(row["id"])
    srv.blobs.delete(row["id"])
    return ok({"id": row["id"], "object": "file", "deleted": True})


async def file_content(request):
    srv = state(request)
    row = live_file(srv, path_id(request, "file_id"))
    path = srv.blobs.path(row["id"])
    if not path.exists():
        raise not_found(f"No such File object: {row['id']}")
    return FileResponse(path, media_type="application/octet-stream", filename=row["filename"])


# -- uploads ----------------------------------------------------------------------------------------

UPLOAD_KEYS = {"filename", "purpose", "bytes", "mime_type", "expires_after"}


def _live_upload(srv, upload_id: str, want_pending: bool = True) -> dict:
    row = srv.store.get_upload(upload_id) if upload_id.startswith("upload_") and ids.plausible_id(upload_id) else None
    if row is None:
        raise not_found(f"No such Upload object: {upload_id}")
    if row["status"] == "pending" and int(time.time()) >= row["expires_at"]:
        srv.store.set_upload_status(upload_id, "expired")
        srv.blobs.delete_upload(upload_id)
        row["status"] = "expired"
    if want_pending and row["status"] != "pending":
        raise bad_request(f"Upload {upload_id} is {row['status']}; only pending Uploads accept this operation.",
                          param="upload_id", code="upload_not_pending")
    return row


def _upload_body(srv, row: dict) -> dict:
    file_row = srv.store.get_file(row["file_id"]) if row.get("file_id") else None
    return upload_obj(row, file_row, srv.config.strict_spec)


async def create_upload(request):
    srv = state(request)
    body = await read_json(request)
    for key in body:
        if key not in UPLOAD_KEYS:
            raise unknown_argument(key)
    for key in ("filename", "purpose", "bytes", "mime_type"):
        if body.get(key) is None:
            raise missing(key)
    if not isinstance(body["filename"], str) or not body["filename"]:
        raise invalid_type("filename", "a non-empty string", body["filename"])
    size = body["bytes"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise invalid_type("bytes", "a non-negative integer", size)
    if size > srv.config.max_upload_bytes:
        raise bad_request(f"Invalid 'bytes': an Upload accepts at most {srv.config.max_upload_bytes} bytes.",
                          param="bytes", code="invalid_value")
    _check_purpose(body["purpose"], body["filename"])
    now = int(time.time())
    exp = body.get("expires_after") or {}
    file_exp = _expires(exp.get("anchor"), exp.get("seconds"), 0) if exp else None
    row = {"id": ids.upload_id(), "created_at": now, "expires_at": now + srv.config.upload_ttl,
           "filename": body["filename"], "purpose": body["purpose"], "bytes": size, "mime_type": str(body["mime_type"]),
           "status": "pending", "file_expires_after": file_exp}
    srv.store.add_upload(row)
    return ok(_upload_body(srv, row))


async def add_part(request):
    srv = state(request)
    upload = _live_upload(srv, path_id(request, "upload_id"))
    fields, incoming = await read_form(request, srv.blobs, "data", srv.config.max_part_bytes)
    if incoming is None:
        raise missing("data")
    part = {"id": ids.part_id(), "upload_id": upload["id"], "created_at": int(time.time()), "bytes": incoming.size}
    dest = srv.blobs.part_path(upload["id"], part["id"])
    dest.parent.mkdir(parents=True, exist_ok=True)
    incoming.path.replace(dest)
    if _live_upload(srv, upload["id"], want_pending=False)["status"] != "pending":  # cancelled meanwhile
        dest.unlink(missing_ok=True)
        raise bad_request(f"Upload {upload['id']} is no longer pending.", param="upload_id", code="upload_not_pending")
    srv.store.add_part(part)
    return ok(part_obj(part))


def _md5(path) -> str:
    digest = hashlib.md5()  # noqa: S324 - a checksum the client asked for, not security
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


async def complete_upload(request):
    srv = state(request)
    upload = _live_upload(srv, path_id(request, "upload_id"))
    body = await read_json(request)
    for key in body:
        if key not in ("part_ids", "md5"):
            raise unknown_argument(key)
    part_ids = body.get("part_ids")
    if part_ids is None:
        raise missing("part_ids")
    if not isinstance(part_ids, list) or not all(isinstance(p, str) for p in part_ids):
        raise invalid_type("part_ids", "an array of strings", part_ids)
    if len(set(part_ids)) != len(part_ids):
        raise bad_request("Invalid 'part_ids': a Part can be listed only once.", param="part_ids")
    parts = srv.store.parts(upload["id"])
    unknown = [p for p in part_ids if p not in parts]
    if unknown:
        raise bad_request(f"Invalid 'part_ids': {unknown[0]} is not a Part of Upload {upload['id']}.", param="part_ids")
    total = sum(parts[p]["bytes"] for p in part_ids)
    if total != upload["bytes"]:
        raise bad_request(f"The number of bytes uploaded ({total}) does not match the number of bytes specified when "
                          f"the Upload was created ({upload['bytes']}).", param="part_ids", code="bytes_mismatch")
    file_id = ids.file_id()
    sources = [srv.blobs.part_path(upload["id"], p) for p in part_ids]
    await anyio.to_thread.run_sync(srv.blobs.concat, sources, file_id)
    md5 = body.get("md5")
    if md5:
        actual = await anyio.to_thread.run_sync(_md5, srv.blobs.path(file_id))
        if actual.lower() != str(md5).lower():
            srv.blobs.delete(file_id)
            raise bad_request(f"The md5 checksum of the assembled file ({actual}) does not match 'md5' ({md5}).",
                              param="md5", code="checksum_mismatch")
    now = int(time.time())
    exp = upload["file_expires_after"]
    srv.store.add_file({"id": file_id, "bytes": total, "created_at": now, "filename": upload["filename"],
                        "purpose": upload["purpose"], "expires_at": now + exp if exp else None})
    srv.store.set_upload_status(upload["id"], "completed", file_id)
    srv.blobs.delete_upload(upload["id"])
    return ok(_upload_body(srv, srv.store.get_upload(upload["id"])))


async def cancel_upload(request):
    srv = state(request)
    upload = _live_upload(srv, path_id(request, "upload_id"))
    srv.store.set_upload_status(upload["id"], "cancelled")
    srv.blobs.delete_upload(upload["id"])
    return ok(_upload_body(srv, srv.store.get_upload(upload["id"])))


ROUTES = [
    Route("/files", create_file, methods=["POST"]),
    Route("/files", list_files, methods=["GET"]),
    Route("/files/{file_id}", retrieve_file, methods=["GET"]),
    Route("/files/{file_id}", delete_file, methods=["DELETE"]),
    Route("/files/{file_id}/content", file_content, methods=["GET"]),
    Route("/uploads", create_upload, methods=["POST"]),
    Route("/uploads/{upload_id}/parts", add_part, methods=["POST"]),
    Route("/uploads/{upload_id}/complete", complete_upload, methods=["POST"]),
    Route("/uploads/{upload_id}/cancel", cancel_upload, methods=["POST"]),
]
