"""Which local file a job trained on: by path for jobs started in this session, else by the name the server
keeps. The jobs screen's `o` uses it to open the failing line, in the open dataset or in the file the job
was trained from (Textual-free)."""

from __future__ import annotations

import os


def _started_path(started: dict, job, role: str) -> str | None:
    files = started.get(job.id)
    if files is None:
        return None
    return files.training if role == "training" else files.validation


def file_name(started: dict, names: dict, job, role: str) -> str:
    """The job's `role` file: the local path it was started from, else its name on the server."""
    path = _started_path(started, job, role)
    if path:
        return path
    file_id = job.training_file if role == "training" else job.validation_file
    return names.get(file_id or "") or f"the {role} file"


def is_open_dataset(started: dict, names: dict, job, role: str, dataset_path: str | None) -> bool:
    """Whether the job's `role` file is the open dataset: by path for jobs started here, else by name."""
    path = _started_path(started, job, role)
    if path and dataset_path:
        try:
            return os.path.samefile(path, dataset_path)
        except OSError:
            return os.path.abspath(path) == os.path.abspath(dataset_path)
    file_id = job.training_file if role == "training" else job.validation_file
    name = names.get(file_id or "")
    return bool(name) and bool(dataset_path) and os.path.basename(dataset_path) == name


def local_path(name: str, dataset_path: str | None) -> str | None:
    """`name` as a file on this machine: the path as given, else beside the open dataset; None if not found."""
    candidates = [name]
    if dataset_path and not os.path.isabs(name):
        candidates.append(os.path.join(os.path.dirname(dataset_path), os.path.basename(name)))
    for candidate in candidates:
        if os.path.isfile(candidate):
            return os.path.abspath(candidate)
    return None
