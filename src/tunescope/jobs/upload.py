"""Uploading a training file: pre-flight check, reuse of an identical upload,
the Files API for small files and the multipart Uploads API for big ones.

Bytes stream from disk in both paths (one 64 MB part is never held in memory),
progress is reported as (bytes sent, total), and a `threading.Event` stops an
upload between chunks. A small ledger in the cache directory remembers the
SHA-256 of what tunescope uploaded, so a same-name, same-size file whose
content changed is never mistaken for an earlier upload.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Callable

from tunescope.config import cache_dir
from tunescope.jobs.errors import JobsError, sdk_errors
from tunescope.jobs.types import UploadedFile

MB = 1024 * 1024
FILES_API_LIMIT = 512 * MB
"""Files at or above this size go through the Uploads API (the Files API refuses them)."""
PART_SIZE = 64 * MB
MIME_TYPE = "text/jsonl"
READY_STATUSES = (None, "", "processed", "succeeded", "uploaded")
"""File states a job can use ("uploaded": OpenAI's files are usable at once; None: no status reported)."""
READY_TIMEOUT = 600.0

Progress = Callable[[int, int], None]


class PreflightFailed(JobsError):
    """The local check found errors the provider would reject the file for."""

    def __init__(self, message: str, report: Any, errors: list):
        super().__init__(message, kind="preflight")
        self.report = report
        self.errors = errors


class UploadCancelled(JobsError):
    def __init__(self, path: str):
        super().__init__(f"upload of {path} cancelled", kind="cancelled")


def preflight(path: str | os.PathLike, model: str | None = None, method: str | None = None,
              role: str = "training"):
    """Run tunescope's checker; returns (report, error findings that would make the provider reject the file)."""
    from tunescope.checks.run.runner import check_path, options_for_model

    try:
        options = options_for_model(model, method)
    except Exception:  # noqa: BLE001 - deployment names (Azure) are not in the model table: check generically
        options = options_for_model(None, method)
    try:
        report = check_path(path, options, allow_estimate=True)
    except OSError as exc:
        raise JobsError(f"{path}: {exc.strerror or exc}", kind="config") from None
    errors = [f for f in report.findings if getattr(f.severity, "value", f.severity) == "error"]
    if role == "validation":  # the 10-example minimum is for training files only
        errors = [f for f in errors if f.check != "too_few_examples"]
    return report, errors


def preflight_message(path, errors: list) -> str:
    first = errors[0]
    where = f"line {first.line}: " if first.line else ""
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return (f"{path}: {len(errors)} error(s) the provider would reject: {where}{first.message.rstrip('.')}{more}. "
            f"Fix them (`tunescope {path}` or `tunescope check {path}`) or upload anyway with --force.")


class _Reader(io.RawIOBase):
    """A read-only window [start, start+length) of an open file that hashes and reports what is read."""

    def __init__(self, fh, start: int, length: int, on_read: Callable[[int, bytes], None],
                 cancel: threading.Event | None):
        super().__init__()
        self._fh, self._start, self._length = fh, start, length
        self._pos = 0
        self._on_read, self._cancel = on_read, cancel

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        self._pos = max(0, min(self._length, base + offset))
        if self._pos == 0:
            self._on_read(-1, b"")  # a retry starts over: reset hashes and progress
        return self._pos

    def read(self, size: int = -1) -> bytes:
        if self._cancel is not None and self._cancel.is_set():
            raise UploadCancelled("file")
        left = self._length - self._pos
        size = left if size is None or size < 0 else min(size, left)
        if size <= 0:
            return b""
        self._fh.seek(self._start + self._pos)
        data = self._fh.read(size)
        self._pos += len(data)
        self._on_read(self._pos, data)
        return data

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


class UploadLedger:
    """file id -> SHA-256 of what tunescope uploaded there, per server (base URL)."""

    def __init__(self, path: Path | None = None):
        if path is None:
            path = cache_dir() / "uploads.json"
        self.path = path

    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def digest(self, server: str, file_id: str) -> str | None:
        entry = self._load().get(server, {}).get(file_id)
        return entry.get("sha256") if isinstance(entry, dict) else None

    def record(self, server: str, file_id: str, sha256: str, size: int) -> None:
        data = self._load()
        data.setdefault(server, {})[file_id] = {"sha256": sha256, "bytes": size}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # the ledger only sharpens reuse; failing to write it must not fail an upload


def sha256_of(path: str | os.PathLike, cancel: threading.Event | None = None) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(4 * MB):
            if cancel is not None and cancel.is_set():
                raise UploadCancelled(str(path))
            digest.update(chunk)
    return digest.hexdigest()


class Uploader:
    """Uploads one file with an `openai.OpenAI` client; errors come out as JobsError."""

    def __init__(self, client, host: str = "the server", secrets: tuple[str, ...] = (),
                 ledger: UploadLedger | None = None, server_id: str | None = None):
        self.client, self.host, self.secrets = client, host, secrets
        self.ledger = ledger or UploadLedger()
        self.server = server_id or str(getattr(client, "base_url", host))
        """Ledger key: the base URL, or a stable id where the URL changes (the local server's port)."""

    def find_existing(self, path: Path, purpose: str, cancel: threading.Event | None = None) -> Any | None:
        """An earlier upload with the same name, size and purpose (and, when known, the same SHA-256)."""
        size = path.stat().st_size
        with sdk_errors(f"list files on {self.host}", self.host, self.secrets):
            candidates = [f for f in self.client.files.list(purpose=purpose)
                          if f.filename == path.name and int(f.bytes or 0) == size
                          and getattr(f, "status", "processed") != "error"]
        if not candidates:
            return None
        local = None
        for f in candidates:
            known = self.ledger.digest(self.server, f.id)
            if known is None:
                return f  # uploaded by another tool: same name, size and purpose is all we can compare
            local = local or sha256_of(path, cancel)
            if known == local:
                return f
        return None

    def upload(self, path: str | os.PathLike, purpose: str = "fine-tune", progress: Progress | None = None,
               reuse: bool = True, cancel: threading.Event | None = None) -> UploadedFile:
        path = Path(path)
        size = path.stat().st_size
        if reuse:
            existing = self.find_existing(path, purpose, cancel)
            if existing is not None:
                if progress:
                    progress(size, size)
                return UploadedFile.from_sdk(existing, reused=True, via="existing")
        if size >= FILES_API_LIMIT:
            done = self._multipart(path, size, purpose, progress, cancel)
        else:
            done = self._single(path, size, purpose, progress, cancel)
        return self.wait_processed(done, cancel)

    def wait_processed(self, uploaded: UploadedFile, cancel: threading.Event | None = None,
                       timeout: float = READY_TIMEOUT, interval: float = 2.0) -> UploadedFile:
        """Wait while the server still processes the file (Azure reports pending/running for a while);
        a job created before that fails. Servers that report no status are taken as ready."""
        status = uploaded.status
        deadline = time.monotonic() + timeout
        while status not in READY_STATUSES:
            if status == "error":
                raise JobsError(f"{self.host} could not process {uploaded.filename} ({uploaded.id}): "
                                f"{uploaded.status_details or 'no details given'}", kind="bad_request")
            if time.monotonic() > deadline:
                raise JobsError(f"{uploaded.filename} ({uploaded.id}) is still {status} on {self.host} after "
                                f"{timeout:.0f}s; try creating the job later with that file id", kind="timeout")
            if cancel is not None and cancel.wait(interval):
                raise UploadCancelled(uploaded.filename)
            if cancel is None:
                time.sleep(interval)
            with sdk_errors(f"check {uploaded.id} on {self.host}", self.host, self.secrets):
                fresh = UploadedFile.from_sdk(self.client.files.retrieve(uploaded.id), uploaded.reused, uploaded.via)
            uploaded, status = fresh, fresh.status
        return uploaded

    def _tracker(self, size: int, progress: Progress | None, hashes: list):
        """Progress and hashing shared by both paths; `mark(base)` starts a part, a rewind re-hashes it."""
        state = {"base": 0, "snapshot": [h.copy() for h in hashes]}

        def mark(base: int) -> None:
            state["base"], state["snapshot"] = base, [h.copy() for h in hashes]

        def on_read(pos: int, data: bytes) -> None:
            if pos < 0:  # rewind (first render or an SDK retry): back to the state at the start of the part
                hashes[:] = [h.copy() for h in state["snapshot"]]
                return
            for h in hashes:
                h.update(data)
            if progress:
                progress(state["base"] + pos, size)

        return mark, on_read

    def _single(self, path: Path, size: int, purpose: str, progress, cancel) -> UploadedFile:
        hashes = [hashlib.sha256()]
        _, on_read = self._tracker(size, progress, hashes)
        with open(path, "rb") as fh:
            reader = _Reader(fh, 0, size, on_read, cancel)
            try:
                with sdk_errors(f"upload {path.name} to {self.host}", self.host, self.secrets):
                    created = self.client.files.create(file=(path.name, reader), purpose=purpose)
            except JobsError:
                if cancel is not None and cancel.is_set():
                    raise UploadCancelled(str(path)) from None
                raise
        self.ledger.record(self.server, created.id, hashes[0].hexdigest(), size)
        return UploadedFile.from_sdk(created, via="files")

    def _multipart(self, path: Path, size: int, purpose: str, progress, cancel) -> UploadedFile:
        hashes = [hashlib.sha256(), hashlib.md5()]  # noqa: S324 - md5 is the API's integrity checksum
        mark, on_read = self._tracker(size, progress, hashes)
        action = f"upload {path.name} to {self.host} in parts"
        with sdk_errors(action, self.host, self.secrets):
            upload = self.client.uploads.create(bytes=size, filename=path.name, mime_type=MIME_TYPE, purpose=purpose)
        part_ids = []
        try:
            with open(path, "rb") as fh:
                for start in range(0, size, PART_SIZE):
                    if cancel is not None and cancel.is_set():
                        raise UploadCancelled(str(path))
                    length = min(PART_SIZE, size - start)
                    mark(start)
                    reader = _Reader(fh, start, length, on_read, cancel)
                    with sdk_errors(action, self.host, self.secrets):
                        part = self.client.uploads.parts.create(upload.id, data=(path.name, reader))
                    if reader.tell() != length:  # pragma: no cover - a short read would corrupt the file
                        raise JobsError(f"{action}: {path} changed while uploading", kind="config")
                    part_ids.append(part.id)
            with sdk_errors(action, self.host, self.secrets):
                done = self.client.uploads.complete(upload.id, part_ids=part_ids, md5=hashes[1].hexdigest())
        except BaseException:
            try:
                self.client.uploads.cancel(upload.id)
            except Exception:  # noqa: BLE001 - best effort; the Upload expires after an hour anyway
                pass
            if cancel is not None and cancel.is_set():
                raise UploadCancelled(str(path)) from None
            raise
        file_obj = getattr(done, "file", None)
        if file_obj is None:
            raise JobsError(f"{action}: {self.host} completed the upload but returned no file", kind="server")
        self.ledger.record(self.server, file_obj.id, hashes[0].hexdigest(), size)
        return UploadedFile.from_sdk(file_obj, via="uploads")
