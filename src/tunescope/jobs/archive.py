"""Keep a backend's fine-tuning jobs on disk before the backend loses them.

OpenAI starts no new jobs after 2027-01-06 and deletes its fine-tunable models, with every
fine-tune on them, on 2027-01-14; a job's record, events, checkpoints and results go with them.
`JobArchiver` copies what the API still serves into a folder:

    DIR/archive.json                     what was kept, what could not be, and why
    DIR/jobs/<job id>/job.json           the job as the backend returned it (every field)
    DIR/jobs/<job id>/events.jsonl       every event, oldest first
    DIR/jobs/<job id>/checkpoints.json   the kept checkpoints (their model ids and metrics)
    DIR/jobs/<job id>/results.csv        the per-step results file, decoded (OpenAI sends base64)
    DIR/files/<file id>/<filename>       training and validation files, once each however many jobs used them

Running it again refreshes the records and downloads only the files not yet kept whole, so an
archive interrupted by a network error, or made while a job still ran, is finished by running it
again. A file the backend will not hand back (some refuse to serve the files a job trained on) is
named in the manifest with the reason: keep your own copy of it. Model weights cannot be
downloaded from OpenAI at all; the archive records their ids.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tunescope.jobs.client import JobsClient, decode_results
from tunescope.jobs.errors import JobsError
from tunescope.jobs.types import Job

MANIFEST = "archive.json"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class JobEntry:
    """What the archive holds of one job."""

    id: str
    status: str
    model: str
    fine_tuned_model: str | None
    saved: list[str] = field(default_factory=list)          # paths relative to the archive folder
    problems: list[dict] = field(default_factory=list)      # {"what": ..., "error": ...}
    note: str | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "status": self.status, "model": self.model, "fine_tuned_model": self.fine_tuned_model,
                "saved": self.saved, "problems": self.problems, "note": self.note}


@dataclass
class Archive:
    """The manifest of one run (also written as archive.json)."""

    folder: Path
    backend: str
    jobs: list[JobEntry] = field(default_factory=list)
    files: dict[str, dict] = field(default_factory=dict)    # file id -> {"path", "bytes", "how"} or {"error"}
    downloaded_bytes: int = 0

    @property
    def problems(self) -> int:
        return sum(len(j.problems) for j in self.jobs)

    def to_dict(self) -> dict:
        return {"backend": self.backend, "archived_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "jobs": [j.to_dict() for j in self.jobs], "files": self.files,
                "downloaded_bytes": self.downloaded_bytes, "problems": self.problems}


Progress = Callable[[JobEntry, int, int], None]


class JobArchiver:
    """Copies jobs through one JobsClient into `folder` (see the module docstring for the layout)."""

    def __init__(self, jobs: JobsClient, folder: str | os.PathLike, backend: str = ""):
        self.jobs = jobs
        self.archive = Archive(Path(folder), backend)

    def run(self, job_ids: list[str] | None = None, progress: Progress | None = None) -> Archive:
        """Archive the given jobs, or every job the backend lists; returns (and writes) the manifest."""
        self.archive.folder.mkdir(parents=True, exist_ok=True)
        jobs = [self.jobs.get(j) for j in job_ids] if job_ids else self._every_job()
        for n, job in enumerate(jobs, 1):
            entry = self._job(job)
            self.archive.jobs.append(entry)
            if progress is not None:
                progress(entry, n, len(jobs))
        _write_json(self.archive.folder / MANIFEST, self.archive.to_dict())
        return self.archive

    def _every_job(self) -> list[Job]:
        out: list[Job] = []
        after = None
        while True:
            page = self.jobs.list(limit=100, after=after)
            out.extend(page.items)
            if not page.has_more or not page.items:
                return out
            after = page.items[-1].id

    def _job(self, job: Job) -> JobEntry:
        entry = JobEntry(job.id, job.status, job.model, job.fine_tuned_model)
        if not job.done:
            entry.note = f"{job.status} when archived: run the archive again once it has finished"
        home = self.archive.folder / "jobs" / _safe(job.id)
        home.mkdir(parents=True, exist_ok=True)
        self._keep(entry, "job record", home / "job.json", lambda path: _write_json(path, self.jobs.raw_job(job.id)))
        self._keep(entry, "events", home / "events.jsonl", lambda path: _write_lines(
            path, [json.dumps(e.to_dict(), ensure_ascii=False) for e in self.jobs.events(job.id)]))
        self._keep(entry, "checkpoints", home / "checkpoints.json",
                   lambda path: _write_json(path, self.jobs.raw_checkpoints(job.id)))
        for n, file_id in enumerate(job.result_files, 1):    # one, in practice: results.csv
            self._keep(entry, f"results file {file_id}", home / ("results.csv" if n == 1 else f"results-{n}.csv"),
                       lambda path, fid=file_id: self._results(fid, path))
        for role, file_id in (("training", job.training_file), ("validation", job.validation_file)):
            if file_id:
                self._file(entry, role, file_id)
        return entry

    def _keep(self, entry: JobEntry, what: str, path: Path, write: Callable[[Path], object]) -> None:
        try:
            write(path)
        except (JobsError, OSError) as exc:
            entry.problems.append({"what": what, "error": str(exc)})
            return
        except Exception as exc:  # noqa: BLE001 - a backend's odd answer costs this item, never the archive
            entry.problems.append({"what": what, "error": f"unexpected answer from the backend ({exc!r})"})
            return
        entry.saved.append(path.relative_to(self.archive.folder).as_posix())

    def _results(self, file_id: str, path: Path) -> None:
        raw = self.jobs.file_bytes(file_id, "results")
        self.archive.downloaded_bytes += len(raw)
        _write_text(path, decode_results(raw))

    def _file(self, entry: JobEntry, role: str, file_id: str) -> None:
        """A training or validation file, downloaded once per archive (and not again once kept whole)."""
        known = self.archive.files.get(file_id)
        if known is None:
            known = self.archive.files[file_id] = self._fetch(file_id)
        if "error" in known:
            entry.problems.append({"what": f"{role} file {file_id} ({known.get('filename') or 'name unknown'})",
                                   "error": known["error"]})
        else:
            entry.saved.append(known["path"])

    def _fetch(self, file_id: str) -> dict:
        try:
            info = self.jobs.file_info(file_id)
        except JobsError as exc:
            return {"error": str(exc)}
        name = _safe(Path(str(info.get("filename") or "")).name) or f"{_safe(file_id)}.jsonl"
        path = self.archive.folder / "files" / _safe(file_id) / name
        size = info.get("bytes")
        record = {"filename": info.get("filename"), "path": path.relative_to(self.archive.folder).as_posix(),
                  "bytes": size, "purpose": info.get("purpose")}
        if path.is_file() and size is not None and path.stat().st_size == size:
            return {**record, "how": "kept from an earlier run"}
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            got = self.jobs.download(file_id, path)
        except (JobsError, OSError) as exc:
            return {**record, "error": f"{exc} Keep your own copy of this file."}
        self.archive.downloaded_bytes += got
        return {**record, "bytes": got, "how": "downloaded"}


def _safe(name: str) -> str:
    """A backend-given name as one harmless path component (no separators, no '..', no control characters)."""
    cleaned = _UNSAFE.sub("_", name).strip("._")
    return cleaned[:120]


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _write_json(path: Path, data) -> None:
    _write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _write_lines(path: Path, lines: list[str]) -> None:
    _write_text(path, "".join(line + "\n" for line in lines))
