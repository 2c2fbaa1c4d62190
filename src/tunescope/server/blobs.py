"""Uploaded bytes on disk, addressed only through ids the server generated.

A file id maps to `<data>/files/<id>` only after it matches `file-[A-Za-z0-9]+`
(no separators, no dots), so no id can name a path outside the data dir.
Writes go to a temporary file in the same directory and are renamed into place.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from tunescope.server.ids import FILE_ID_RE

_PART_RE = re.compile(r"^(upload|part)_[A-Za-z0-9]{1,64}$")


class Blobs:
    def __init__(self, files_dir: Path, uploads_dir: Path, tmp_dir: Path) -> None:
        self.files_dir, self.uploads_dir, self.tmp_dir = files_dir, uploads_dir, tmp_dir

    def path(self, file_id: str) -> Path:
        if not FILE_ID_RE.match(file_id):
            raise ValueError(f"not a file id: {file_id!r}")
        return self.files_dir / file_id

    def part_path(self, upload_id: str, part_id: str) -> Path:
        if not (_PART_RE.match(upload_id) and _PART_RE.match(part_id)):
            raise ValueError("not an upload/part id")
        return self.uploads_dir / upload_id / part_id

    def temp(self) -> tuple[int, Path]:
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, prefix="incoming-")
        return fd, Path(name)

    def commit(self, tmp: Path, file_id: str) -> None:
        os.replace(tmp, self.path(file_id))

    def write(self, file_id: str, data: bytes) -> None:
        fd, tmp = self.temp()
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        self.commit(tmp, file_id)

    def concat(self, sources: list[Path], file_id: str) -> None:
        """Assemble upload parts into one file without holding them in memory."""
        fd, tmp = self.temp()
        try:
            with os.fdopen(fd, "wb") as out:
                for src in sources:
                    with open(src, "rb") as fh:
                        shutil.copyfileobj(fh, out, 1024 * 1024)
            self.commit(tmp, file_id)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def delete(self, file_id: str) -> None:
        with contextlib.suppress(FileNotFoundError, ValueError):
            self.path(file_id).unlink()

    def delete_upload(self, upload_id: str) -> None:
        if _PART_RE.match(upload_id):
            shutil.rmtree(self.uploads_dir / upload_id, ignore_errors=True)

    def clean_tmp(self) -> None:
        for p in self.tmp_dir.glob("incoming-*"):
            with contextlib.suppress(OSError):
                p.unlink()
