"""/v1/files and /v1/uploads: parse the request, call `FilesService`, answer with its wire shape."""

from __future__ import annotations

from starlette.responses import FileResponse
from starlette.routing import Route

from tunescope.server.errors import bad_request, invalid_type, missing, unknown_argument
from tunescope.server.files.service import FilesService
from tunescope.server.files.shapes import (
    file_deleted_obj,
    file_obj,
    part_obj,
    upload_obj,
)
from tunescope.server.formdata import read_form
from tunescope.server.http import list_obj, ok, path_id, query_int, read_json, state

UPLOAD_KEYS = {"filename", "purpose", "bytes", "mime_type", "expires_after"}


def _files(request) -> FilesService:
    return state(request).files


def _strict(request) -> bool:
    return state(request).config.strict_spec


def _upload_body(request, row: dict) -> dict:
    return upload_obj(row, _files(request).upload_file(row), _strict(request))


async def create_file(request):
    srv = state(request)
    fields, incoming = await read_form(request, srv.blobs, "file", srv.config.max_file_bytes)
    return ok(file_obj(srv.files.create_file(incoming, fields), srv.config.strict_spec))


async def list_files(request):
    order = request.query_params.get("order", "desc")
    if order not in ("asc", "desc"):
        raise bad_request(f"Invalid 'order': expected 'asc' or 'desc', got {order!r}.", param="order", code="invalid_value")
    limit = query_int(request, "limit", 10_000)
    rows, more = _files(request).list_files(request.query_params.get("purpose"), order,
                                            request.query_params.get("after"), limit)
    strict = _strict(request)
    body = list_obj([file_obj(r, strict) for r in rows], more, first_last=True)
    if strict and not rows:
        body["first_id"] = body["last_id"] = ""  # the spec types them as strings, never null
    return ok(body)


async def retrieve_file(request):
    return ok(file_obj(_files(request).live_file(path_id(request, "file_id")), _strict(request)))


async def delete_file(request):
    return ok(file_deleted_obj(_files(request).delete_file(path_id(request, "file_id"))))


async def file_content(request):
    path, filename = _files(request).content(path_id(request, "file_id"))
    return FileResponse(path, media_type="application/octet-stream", filename=filename)


async def create_upload(request):
    body = await read_json(request)
    for key in body:
        if key not in UPLOAD_KEYS:
            raise unknown_argument(key)
    for key in ("filename", "purpose", "bytes", "mime_type"):
        if body.get(key) is None:
            raise missing(key)
    for key in ("filename", "purpose", "mime_type"):
        if not isinstance(body[key], str):
            raise invalid_type(key, "a string", body[key])
    size = body["bytes"]
    if not isinstance(size, int) or isinstance(size, bool):
        raise invalid_type("bytes", "an integer", size)
    expires_after = body.get("expires_after")
    if expires_after is not None and not isinstance(expires_after, dict):
        raise invalid_type("expires_after", "an object", expires_after)
    row = _files(request).create_upload(body["filename"], body["purpose"], size, body["mime_type"],
                                        expires_after or None)
    return ok(_upload_body(request, row))


async def add_part(request):
    srv = state(request)
    upload = srv.files.upload(path_id(request, "upload_id"))
    room = srv.files.part_room(upload)
    _, incoming = await read_form(request, srv.blobs, "data", min(srv.config.max_part_bytes, room),
                                  too_large=lambda _limit: srv.files.part_too_large(upload, room))
    if incoming is None:
        raise missing("data")
    return ok(part_obj(srv.files.add_part(upload["id"], incoming)))


async def complete_upload(request):
    files = _files(request)
    upload = files.upload(path_id(request, "upload_id"))
    body = await read_json(request)
    for key in body:
        if key not in ("part_ids", "md5"):
            raise unknown_argument(key)
    part_ids = body.get("part_ids")
    if part_ids is None:
        raise missing("part_ids")
    if not isinstance(part_ids, list) or not all(isinstance(p, str) for p in part_ids):
        raise invalid_type("part_ids", "an array of strings", part_ids)
    return ok(_upload_body(request, await files.complete_upload(upload["id"], part_ids, body.get("md5"))))


async def cancel_upload(request):
    return ok(_upload_body(request, _files(request).cancel_upload(path_id(request, "upload_id"))))


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
