"""Atomic, streaming save of an `EditSession`.

The rows are written to a temporary file in the target's directory: runs of
untouched lines are copied as byte ranges straight from the original file
descriptor (copy_file_range / sendfile, read+write as fallback), edited rows
are written with the file's own line ending. The temporary file is fsynced,
renamed over the target with `os.replace` and the directory fsynced, so at
every instant the target is either the complete old file or the complete new
one. Any error leaves the original and the session's edits untouched.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass

from tunescope.dataset.index import BOM, LineIndex
from tunescope.editing.table import Piece, Run, run_bytes
from tunescope.editing.written_index import derive_index

TEMP_MARK = ".tunescope-"
TEMP_SUFFIX = ".tmp"
WRITE_BUFFER = 1 << 20
COPY_CHUNK = 64 << 20
FALLBACK_CHUNK = 8 << 20
BACKUP_MODES = ("none", "bak", "timestamp")

# indirections so tests can simulate a full disk or missing kernel support
_os_write = os.write
_os_copy_file_range = getattr(os, "copy_file_range", None)
_os_sendfile = getattr(os, "sendfile", None)
_os_fsync = os.fsync
_os_replace = os.replace
_FALLBACK_ERRNOS = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF,
                    errno.EPERM, getattr(errno, "ENOTSUP", errno.EOPNOTSUPP)}


class SaveError(Exception):
    """Base class; str() is a one-line message for the user."""


class SaveRefused(SaveError):
    """The save was not attempted (the file changed on disk, bad arguments)."""


class SaveFailed(SaveError):
    """The save was attempted and failed; the original file is intact."""


@dataclass
class SaveResult:
    path: str
    rows: int
    bytes_written: int
    seconds: float
    backup_path: str | None = None
    reindex_seconds: float = 0.0   # part of `seconds` spent re-indexing the written file


# -- writing ----------------------------------------------------------------
class FileWriter:
    """Buffered writes and direct range copies into one file descriptor (saves and streamed conversions)."""

    def __init__(self, fd: int):
        self.fd = fd
        self.buf = bytearray()
        self.written = 0
        self._fast = _os_copy_file_range is not None
        self._sendfile = _os_sendfile is not None

    def write(self, data: bytes) -> None:
        self.buf += data
        if len(self.buf) >= WRITE_BUFFER:
            self.flush()

    def flush(self) -> None:
        view = memoryview(self.buf)
        while view:
            n = _os_write(self.fd, view)
            view = view[n:]
            self.written += n
        view.release()
        self.buf.clear()

    def copy(self, src_fd: int, offset: int, count: int) -> None:
        if count <= 0:
            return
        if count < 64 * 1024:  # a short range: cheaper through the buffer
            self.write(_pread_exact(src_fd, count, offset))
            return
        self.flush()
        end = offset + count
        while offset < end and self._fast:
            try:
                n = _os_copy_file_range(src_fd, self.fd, min(end - offset, COPY_CHUNK), offset)
            except OSError as exc:
                if exc.errno not in _FALLBACK_ERRNOS:
                    raise
                self._fast = False
                break
            if n == 0:
                raise SaveFailed("the original file ended early while copying; it was changed on disk")
            offset += n
            self.written += n
        while offset < end and self._sendfile:
            try:
                n = _os_sendfile(self.fd, src_fd, offset, min(end - offset, COPY_CHUNK))
            except OSError as exc:
                if exc.errno not in _FALLBACK_ERRNOS:
                    raise
                self._sendfile = False
                break
            if n == 0:
                raise SaveFailed("the original file ended early while copying; it was changed on disk")
            offset += n
            self.written += n
        while offset < end:
            data = _pread_exact(src_fd, min(end - offset, FALLBACK_CHUNK), offset)
            self.write(data)
            self.flush()
            offset += len(data)


def _pread_exact(fd: int, count: int, offset: int) -> bytes:
    data = os.pread(fd, count, offset)
    if len(data) != count:
        raise SaveFailed("the original file ended early while copying; it was changed on disk")
    return data


def write_segments(fd: int, segments: list, eol: bytes, final_newline: bool, bom: bool) -> int:
    """Write rows to `fd`: untouched runs byte for byte, pieces with `eol`; the last row
    ends with a terminator iff `final_newline`. Returns the bytes written."""
    w = FileWriter(fd)
    if bom and segments:
        w.write(BOM)
    last = len(segments) - 1
    for k, seg in enumerate(segments):
        at_end = k == last
        if isinstance(seg, Piece):
            w.write(seg.data)
            if not at_end or final_newline:
                w.write(seg.eol or eol)
            continue
        if seg.count == 0:
            continue
        span = run_bytes(seg, unterminated=at_end and not final_newline)
        w.copy(seg.index.fd, span.start, span.end - span.start)
        if span.add_eol:
            w.write(eol)
    w.flush()
    return w.written


# -- checks -----------------------------------------------------------------
def check_sources(segments: list) -> None:
    """Every file we copy from must still hold what was indexed (our open descriptor)."""
    seen = set()
    for seg in segments:
        index = getattr(seg, "index", None)
        if not isinstance(seg, Run) or id(index) in seen:
            continue
        seen.add(id(index))
        try:
            st = os.fstat(index.fd)
        except (OSError, ValueError) as exc:
            raise SaveRefused(f"cannot read the original {index.path} any more ({exc}); reload it") from None
        fp = index.fingerprint
        if st.st_size != fp.size or st.st_mtime_ns != fp.mtime_ns:
            raise SaveRefused(f"{index.path} was modified on disk while open, so its unedited lines "
                              "can no longer be copied safely; reload the file and redo the edits")


def check_unchanged(index: LineIndex) -> None:
    """Refuse to overwrite a file that changed on disk since it was indexed."""
    if not os.path.exists(index.path):
        raise SaveRefused(f"{index.path} was deleted or moved since it was opened; "
                          "save to another path (save as) instead")
    if index.changed_on_disk():
        raise SaveRefused(f"{index.path} changed on disk since it was opened (size, time or content "
                          "differ); save to another path or reload it")


# -- atomic file replacement --------------------------------------------------
def _temp_prefix(target: str) -> str:
    return f".{os.path.basename(target)}{TEMP_MARK}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cleanup_stale_temps(target: str) -> list[str]:
    """Remove temp files a killed save left next to `target` (their writer pid is gone)."""
    directory = os.path.dirname(os.path.abspath(target))
    prefix = _temp_prefix(target)
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        if not (name.startswith(prefix) and name.endswith(TEMP_SUFFIX)):
            continue
        pid_part = name[len(prefix):].split("-", 1)[0]
        if pid_part.isdigit() and int(pid_part) != os.getpid() and not _pid_alive(int(pid_part)):
            try:
                os.unlink(os.path.join(directory, name))
                removed.append(name)
            except OSError:
                pass
    return removed


def _fsync_dir(directory: str) -> None:
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        _os_fsync(dfd)
    except OSError:
        pass  # some filesystems refuse fsync on directories; the rename itself is done
    finally:
        os.close(dfd)


def _describe(exc: OSError, target: str) -> str:
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exceeded",
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted",
        errno.EROFS: "the file system is read-only",
        errno.ENOENT: "the folder no longer exists",
        errno.EIO: "an input/output error occurred",
    }
    why = reasons.get(exc.errno, exc.strerror or str(exc))
    return f"could not save {target}: {why}"


def backup_path_for(target: str, mode: str) -> str | None:
    if mode == "none":
        return None
    if mode == "bak":
        return target + ".bak"
    if mode == "timestamp":
        return f"{target}.{time.strftime('%Y%m%d-%H%M%S')}.bak"
    raise SaveRefused(f"unknown backup mode {mode!r}; use one of {', '.join(BACKUP_MODES)}")


def _make_backup(target: str, backup: str) -> None:
    """Keep the current target under `backup` (a hard link when possible: instant, no copy)."""
    directory = os.path.dirname(backup) or "."
    tmp = os.path.join(directory, f".{os.path.basename(backup)}{TEMP_MARK}{os.getpid()}-bak{TEMP_SUFFIX}")
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    try:
        os.link(target, tmp)
    except OSError:
        shutil.copy2(target, tmp)
    _os_replace(tmp, backup)


def _refuse_read_only(target: str) -> None:
    """A rename would replace a write-protected file without asking; the user protected it for a reason."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return
    if stat.S_ISREG(mode) and (not mode & 0o222 or not os.access(target, os.W_OK)):
        raise SaveRefused(f"{target} is read-only; make it writable (chmod u+w) or save to another path")


def atomic_write(target: str, produce, mode_from: str | None = None, backup: str | None = None) -> int:
    """Write `target` atomically: `produce(fd) -> bytes written` fills a temp file in the
    same folder, which then replaces the target. Raises SaveFailed, original intact."""
    target = os.path.abspath(target)
    directory = os.path.dirname(target)
    _refuse_read_only(target)
    tmp = None
    try:
        cleanup_stale_temps(target)
        fd, tmp = tempfile.mkstemp(prefix=f"{_temp_prefix(target)}{os.getpid()}-", suffix=TEMP_SUFFIX,
                                   dir=directory)
        try:
            ref = target if os.path.exists(target) else mode_from
            if ref is not None:
                st = os.stat(ref)
                os.fchmod(fd, stat.S_IMODE(st.st_mode))
                try:
                    os.fchown(fd, st.st_uid, st.st_gid)
                except OSError:
                    pass  # only root may give files away; the mode is what matters
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.fchmod(fd, 0o666 & ~umask)
            written = produce(fd)
            _os_fsync(fd)
        finally:
            os.close(fd)
        if backup is not None and os.path.exists(target):
            _make_backup(target, backup)
        _os_replace(tmp, target)
        tmp = None
        _fsync_dir(directory)
        return written
    except OSError as exc:
        raise SaveFailed(_describe(exc, target)) from exc
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


# -- the session save -----------------------------------------------------------
def save_session(session, path=None, backup: str = "none", switch: bool = True,
                 segments: list | None = None) -> SaveResult:
    """Save `session` to its own file (default) or to `path` ("save as").

    In place, the save is refused when the file changed on disk since it was
    indexed. After success the session continues on the written file (for
    save-as only when `switch`). `segments` writes a subset instead (split).
    """
    began = time.perf_counter()
    with session.lock:
        target = os.path.abspath(os.fspath(path) if path is not None else session.path)
        source = os.path.abspath(session.path)
        in_place = target == source or (os.path.exists(target) and os.path.exists(source)
                                        and os.path.samefile(target, source))
        segs = list(session.segments if segments is None else segments)
        check_sources(segs)
        if in_place:
            check_unchanged(session.index)
        backup_file = backup_path_for(target, backup)
        if backup_file is not None and not os.path.exists(target):
            backup_file = None

        def produce(fd: int) -> int:
            n = write_segments(fd, segs, session.eol, session.final_newline, session.has_bom)
            if in_place:
                check_unchanged(session.index)  # last look before the rename
            return n

        written = atomic_write(target, produce, mode_from=session.path, backup=backup_file)
        rows = sum(s.count for s in segs)
        reindex = 0.0
        if segments is None and (in_place or switch):
            t = time.perf_counter()
            new_index = derive_index(target, segs, session.eol, session.final_newline, session.has_bom, written)
            session.rebase(new_index or LineIndex(target).build())
            reindex = time.perf_counter() - t
        return SaveResult(target, rows, written, time.perf_counter() - began, backup_file, reindex)
