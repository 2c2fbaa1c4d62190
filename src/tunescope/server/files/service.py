"""Files and Uploads: what may be stored, for how long, and how Upload parts become a File.

The one place that writes file and upload rows and their bytes. Routes hand it parsed
arguments (and the temporary file a multipart body was streamed into); the jobs service
asks it for live training files and stores results files through it.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

import anyio

from tunescope.server import ids
from tunescope.server.blobs import Blobs
from tunescope.server.errors import APIError, bad_request, invalid_type, missing, not_found
from tunescope.server.formdata import IncomingFile
from tunescope.server.settings import ServerConfig
from tunescope.server.store import Store

PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
SPEC_FILE_PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data")
"""The purposes a request may give that the spec's File object can show (it has no `evals`)."""
JSONL_ONLY = "Invalid file format for Fine-Tuning API. Must be .jsonl"
JSONL_MIME = ("application/jsonl", "text/jsonl", "application/x-jsonl", "application/jsonlines",
              "application/x-ndjson", "application/json", "text/plain", "application/octet-stream")
IMAGE_MIME = ("image/jpeg", "image/png", "image/webp", "image/gif")
MIME_TYPES = {"fine-tune": JSONL_MIME, "batch": JSONL_MIME, "evals": JSONL_MIME, "vision": IMAGE_MIME}
"""The MIME types an Upload may declare for a purpose (purposes not listed take any type)."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_filename(filename: str, param: str) -> None:
    """A filename is stored and sent back in headers: no NUL or other control characters."""
    bad = _CONTROL.search(filename)
    if not filename or bad:
        what = "is empty" if not filename else f"contains the control character {bad.group()!r} at position {bad.start()}"
        raise bad_request(f"Invalid '{param}': the filename {what}. Use a plain file name such as 'train.jsonl'.",
                          param=param, code="invalid_value")


def check_mime_type(mime_type: str, purpose: str) -> None:
    allowed = MIME_TYPES.get(purpose)
    kind = mime_type.split(";", 1)[0].strip().lower()
    if _CONTROL.search(mime_type) or not kind or (allowed is not None and kind not in allowed):
        expected = f"one of {', '.join(allowed)}" if allowed else "a MIME type such as 'text/plain'"
        raise bad_request(f"Invalid 'mime_type': {mime_type!r} is not supported for purpose '{purpose}'; expected "
                          f"{expected}.", param="mime_type", code="invalid_value")


def form_expiry(fields: dict[str, str], now: int) -> int | None:
    """`expires_after` of a multipart form: bracket fields (what the SDK sends) or one JSON part."""
    if "expires_after" not in fields:
        return expiry(fields.get("expires_after[anchor]"), fields.get("expires_after[seconds]"), now)
    try:
        value = json.loads(fields["expires_after"])
    except ValueError:
        raise bad_request("Invalid 'expires_after': expected a JSON object such as {\"anchor\": \"created_at\", "
                          "\"seconds\": 3600}.", param="expires_after", code="invalid_value") from None
    if not isinstance(value, dict):
        raise invalid_type("expires_after", "an object", value)
    return expiry(value.get("anchor"), value.get("seconds"), now)


def expiry(anchor, seconds, now: int) -> int | None:
    """`expires_after` as a timestamp (`now` + seconds), None when not given; 400 on a bad value."""
    if anchor is None and seconds is None:
        return None
    if anchor != "created_at":
        raise bad_request("Invalid 'expires_after.anchor': the only supported anchor is 'created_at'.",
                          param="expires_after.anchor", code="invalid_value")
    try:
        if isinstance(seconds, (bool, float)):
            raise TypeError
        secs = int(seconds)
    except (TypeError, ValueError):
        raise invalid_type("expires_after.seconds", "an integer", seconds) from None
    if not 3600 <= secs <= 2_592_000:
        raise bad_request("Invalid 'expires_after.seconds': must be between 3600 (1 hour) and 2592000 (30 days).",
                          param="expires_after.seconds", code="invalid_value")
    return now + secs


def check_purpose(purpose, filename: str, strict: bool = False) -> None:
    if purpose is None:
        raise missing("purpose")
    if strict and purpose in PURPOSES and purpose not in SPEC_FILE_PURPOSES:
        raise bad_request(f"Invalid value for 'purpose': {purpose!r} is not available on this server: it runs with "
                          "--strict-spec, and the spec's File object has no such purpose, so strict clients could not "
                          "read the file back. Restart `tunescope serve` without --strict-spec to store it.",
                          param="purpose", code="invalid_value")
    if purpose not in PURPOSES:
        raise bad_request(f"Invalid value for 'purpose': {purpose!r}. Expected one of {', '.join(PURPOSES)}.",
                          param="purpose", code="invalid_value")
    if purpose == "fine-tune" and not filename.lower().endswith(".jsonl"):
        raise bad_request(JSONL_ONLY, param="file", code="invalid_file_format")


def _md5(path: Path) -> str:
    digest = hashlib.md5()  # noqa: S324 - a checksum the client asked for, not security
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


class FilesService:
    """Files (rows + bytes on disk) and multipart Uploads."""

    def __init__(self, store: Store, blobs: Blobs, config: ServerConfig) -> None:
        self.store, self.blobs, self.config = store, blobs, config

    # -- files -------------------------------------------------------------------------------
    def create_file(self, incoming: IncomingFile | None, fields: dict[str, str]) -> dict:
        """Keep an uploaded file; the temporary file is moved into place or deleted, never left behind."""
        try:
            if incoming is None:
                raise missing("file")
            check_filename(incoming.filename, "file")
            check_purpose(fields.get("purpose"), incoming.filename, self.config.strict_spec)
            if incoming.size == 0:
                raise bad_request("The uploaded file is empty.", param="file")
            now = int(time.time())
            row = {"id": ids.file_id(), "bytes": incoming.size, "created_at": now, "filename": incoming.filename,
                   "purpose": fields["purpose"], "expires_at": form_expiry(fields, now)}
            self.blobs.commit(incoming.path, row["id"])
        except BaseException:
            if incoming is not None:
                incoming.path.unlink(missing_ok=True)
            raise
        self.store.add_file(row)
        return self.store.get_file(row["id"])

    def list_files(self, purpose: str | None, order: str, after: str | None, limit: int) -> tuple[list[dict], bool]:
        """One page of live files; expired ones are deleted on the way."""
        now = int(time.time())
        for expired in self.store.expired_files(now):
            self.store.delete_file(expired)
            self.blobs.delete(expired)
        # under --strict-spec, files kept by an earlier non-strict run with a purpose the spec's File lacks stay unlisted
        hidden = tuple(p for p in PURPOSES if p not in SPEC_FILE_PURPOSES) if self.config.strict_spec else ()
        return self.store.list_files(purpose, order, after, limit, now, hidden)

    def live_file(self, file_id: str) -> dict:
        """The file's row; 404 when it is unknown or expired."""
        row = self.store.get_file(file_id) if ids.FILE_ID_RE.match(file_id) else None
        if row is None or (row["expires_at"] is not None and row["expires_at"] <= int(time.time())):
            raise not_found(f"No such File object: {file_id}")
        return row

    def delete_file(self, file_id: str) -> str:
        row = self.live_file(file_id)
        self.store.delete_file(row["id"])
        self.blobs.delete(row["id"])
        return row["id"]

    def content(self, file_id: str) -> tuple[Path, str]:
        """Path of the file's bytes and its original filename."""
        row = self.live_file(file_id)
        path = self.blobs.path(row["id"])
        if not path.exists():
            raise not_found(f"No such File object: {row['id']}")
        return path, row["filename"]

    def path(self, file_id: str) -> Path:
        """Where a file's bytes live (whether or not they are still there)."""
        return self.blobs.path(file_id)

    def add_generated(self, filename: str, payload: bytes, purpose: str, now: float) -> str:
        """Store a file the server made itself (a job's results file); returns its id."""
        file_id = ids.file_id()
        self.blobs.write(file_id, payload)
        self.store.add_file({"id": file_id, "bytes": len(payload), "created_at": int(now), "expires_at": None,
                             "filename": filename, "purpose": purpose})
        return file_id

    # -- uploads -----------------------------------------------------------------------------
    def create_upload(self, filename: str, purpose, size: int, mime_type: str, expires_after: dict | None) -> dict:
        self.sweep_uploads()
        if size < 1:
            raise bad_request(f"Invalid 'bytes': integer below minimum value. Expected a value >= 1, but got {size} "
                              "instead. An empty file cannot be uploaded (POST /v1/files refuses it too).",
                              param="bytes", code="integer_below_min_value")
        if size > self.config.max_upload_bytes:
            raise bad_request(f"Invalid 'bytes': an Upload accepts at most {self.config.max_upload_bytes} bytes.",
                              param="bytes", code="invalid_value")
        check_filename(filename, "filename")
        check_purpose(purpose, filename, self.config.strict_spec)
        check_mime_type(mime_type, purpose)
        now = int(time.time())
        file_exp = expiry(expires_after.get("anchor"), expires_after.get("seconds"), 0) if expires_after else None
        row = {"id": ids.upload_id(), "created_at": now, "expires_at": now + self.config.upload_ttl,
               "filename": filename, "purpose": purpose, "bytes": size, "mime_type": mime_type,
               "status": "pending", "file_expires_after": file_exp}
        self.store.add_upload(row)
        return row

    def upload(self, upload_id: str, want_pending: bool = True) -> dict:
        """The Upload's row (expiring it when its time is up); 400 unless pending when `want_pending`."""
        row = self.store.get_upload(upload_id) if upload_id.startswith("upload_") and ids.plausible_id(upload_id) else None
        if row is None:
            raise not_found(f"No such Upload object: {upload_id}")
        if row["status"] == "pending" and int(time.time()) >= row["expires_at"]:
            self.store.set_upload_status(upload_id, "expired")
            self.blobs.delete_upload(upload_id)
            row["status"] = "expired"
        if want_pending and row["status"] != "pending":
            raise bad_request(f"Upload {upload_id} is {row['status']}; only pending Uploads accept this operation.",
                              param="upload_id", code="upload_not_pending")
        return row

    def sweep_uploads(self) -> None:
        """Expire every pending Upload whose hour is up and delete its parts from disk."""
        for upload_id in self.store.expired_uploads(int(time.time())):
            self.store.set_upload_status(upload_id, "expired")
            self.blobs.delete_upload(upload_id)

    def part_room(self, upload: dict) -> int:
        """Bytes the Upload's parts may still add before they pass the size it was created with."""
        return max(0, upload["bytes"] - sum(p["bytes"] for p in self.store.parts(upload["id"]).values()))

    def part_too_large(self, upload: dict, room: int) -> APIError:
        return bad_request(f"Upload part is too large: Upload {upload['id']} was created for {upload['bytes']} bytes "
                           f"and its parts may add only {room} more. Send the remaining bytes, or cancel the Upload "
                           "and create one with the right 'bytes'.", param="data", code="upload_part_too_large")

    def upload_file(self, row: dict) -> dict | None:
        """The File an Upload was completed into, if any."""
        return self.store.get_file(row["file_id"]) if row.get("file_id") else None

    def add_part(self, upload_id: str, incoming: IncomingFile) -> dict:
        room = self.part_room(self.store.get_upload(upload_id))
        if incoming.size > room:  # parts added in parallel meanwhile
            incoming.path.unlink(missing_ok=True)
            raise self.part_too_large(self.store.get_upload(upload_id), room)
        part = {"id": ids.part_id(), "upload_id": upload_id, "created_at": int(time.time()), "bytes": incoming.size}
        dest = self.blobs.part_path(upload_id, part["id"])
        dest.parent.mkdir(parents=True, exist_ok=True)
        incoming.path.replace(dest)
        if self.upload(upload_id, want_pending=False)["status"] != "pending":  # cancelled meanwhile
            dest.unlink(missing_ok=True)
            raise bad_request(f"Upload {upload_id} is no longer pending.", param="upload_id", code="upload_not_pending")
        self.store.add_part(part)
        return part

    async def complete_upload(self, upload_id: str, part_ids: list[str], md5: str | None) -> dict:
        """Assemble the parts (off the event loop) in the order given into a new File."""
        upload = self.upload(upload_id)
        if len(set(part_ids)) != len(part_ids):
            raise bad_request("Invalid 'part_ids': a Part can be listed only once.", param="part_ids")
        parts = self.store.parts(upload["id"])
        unknown = [p for p in part_ids if p not in parts]
        if unknown:
            raise bad_request(f"Invalid 'part_ids': {unknown[0]} is not a Part of Upload {upload['id']}.", param="part_ids")
        total = sum(parts[p]["bytes"] for p in part_ids)
        if total != upload["bytes"]:
            raise bad_request(f"The number of bytes uploaded ({total}) does not match the number of bytes specified when "
                              f"the Upload was created ({upload['bytes']}).", param="part_ids", code="bytes_mismatch")
        file_id = ids.file_id()
        sources = [self.blobs.part_path(upload["id"], p) for p in part_ids]
        await anyio.to_thread.run_sync(self.blobs.concat, sources, file_id)
        if md5:
            actual = await anyio.to_thread.run_sync(_md5, self.blobs.path(file_id))
            if actual.lower() != str(md5).lower():
                self.blobs.delete(file_id)
                raise bad_request(f"The md5 checksum of the assembled file ({actual}) does not match 'md5' ({md5}).",
                                  param="md5", code="checksum_mismatch")
        now = int(time.time())
        exp = upload["file_expires_after"]
        self.store.add_file({"id": file_id, "bytes": total, "created_at": now, "filename": upload["filename"],
                             "purpose": upload["purpose"], "expires_at": now + exp if exp else None})
        self.store.set_upload_status(upload["id"], "completed", file_id)
        self.blobs.delete_upload(upload["id"])
        return self.store.get_upload(upload["id"])

    def cancel_upload(self, upload_id: str) -> dict:
        upload = self.upload(upload_id)
        self.store.set_upload_status(upload["id"], "cancelled")
        self.blobs.delete_upload(upload["id"])
        return self.store.get_upload(upload["id"])
