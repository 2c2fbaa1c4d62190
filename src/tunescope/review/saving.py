"""Saving the reviewed rows from a worker thread without touching the edit session.

`write_rows` writes a snapshot of the session's rows atomically (see
`editing.save`) and indexes the written file; it changes nothing shared. The
UI thread continues the session on the new index (`EditSession.rebase`) when
the result comes back, so only one thread ever changes the session.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from tunescope.dataset.index import LineIndex
from tunescope.editing.save import SaveError, SaveRefused, check_sources, save_session
from tunescope.editing.written_index import derive_index


@dataclass(frozen=True)
class SaveRequest:
    """What to write: the session's rows as they were when the save was asked for."""

    session: object            # an EditSession, only read (its lock, file and line endings)
    segments: tuple
    path: str | None           # None: the session's own file
    backup: str = "none"


@dataclass(frozen=True)
class Saved:
    """The rows are on disk at `path`; `index` is the written file's line index."""

    path: str
    detail: str
    index: LineIndex


@dataclass(frozen=True)
class SaveRefusal:
    """Nothing was written; `reason` says why."""

    reason: str
    changed_on_disk: bool = False        # the file changed since it was opened (save-as is the way out)
    path: str | None = None
    save_as_blocked: str | None = None   # why no other path works either (the source changed in place)
    read_only: bool = False              # the target is write-protected (save-as is the way out)


def write_rows(request: SaveRequest) -> Saved | SaveRefusal:
    """Write the snapshot and index the result; never raises for a refused or failed save."""
    session, segments = request.session, list(request.segments)
    began = time.perf_counter()
    try:
        result = save_session(session, request.path, backup=request.backup, segments=segments)
        index = derive_index(result.path, segments, session.eol, session.final_newline, session.has_bom,
                             result.bytes_written) or LineIndex(result.path).build()
    except SaveRefused as exc:
        source = session.index
        changed = not os.path.exists(source.path) or source.changed_on_disk()
        return SaveRefusal(str(exc), changed_on_disk=changed, path=request.path,
                           save_as_blocked=sources_unreadable(segments), read_only=is_read_only(request))
    except (SaveError, OSError) as exc:
        return SaveRefusal(str(exc), path=request.path, read_only=is_read_only(request))
    backup = f" (backup: {result.backup_path})" if result.backup_path else ""
    detail = f"{result.rows:,} rows, {result.bytes_written:,} bytes in {time.perf_counter() - began:.2f} s{backup}"
    return Saved(result.path, detail, index)


def is_read_only(request: SaveRequest) -> bool:
    """The save failed because its target cannot be written (read-only file or folder)."""
    target = request.path or request.session.path
    if os.path.exists(target):
        return not os.stat(target).st_mode & 0o222 or not os.access(target, os.W_OK)
    return not os.access(os.path.dirname(os.path.abspath(target)) or ".", os.W_OK)


def sources_unreadable(segments: list) -> str | None:
    """Why no save (to any path) can copy these rows' untouched lines; None when it can.

    The save refuses to copy from a file that changed under its open descriptor
    (modified in place); a file replaced or deleted by another program still
    reads as it was, so saving elsewhere works.
    """
    try:
        check_sources(segments)
    except SaveRefused as exc:
        return str(exc)
    return None
