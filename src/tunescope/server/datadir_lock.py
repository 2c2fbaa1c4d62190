"""One server per data directory, and where to reach it.

The server that holds a data directory's `.lock` (an advisory POSIX lock, released by the kernel
when its process dies) writes its address into that file once it accepts requests. Another
tunescope process that wants the same directory, say `tunescope jobs list --backend local` while the
app is open, reads the address and talks to that server instead of failing: two servers on one
SQLite store would each move the same jobs on. The file holds no key, only whether one is needed.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

try:  # POSIX advisory lock: one server per data dir
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

LOCK_NAME = ".lock"


class DataDirBusy(RuntimeError):
    """Another tunescope server holds the data directory's lock."""


@dataclass(frozen=True)
class Announcement:
    """What the holder of a data directory wrote about itself."""

    base_url: str          # e.g. http://127.0.0.1:41234/v1
    pid: int
    needs_key: bool        # started with --api-key: a client must bring that key
    trainer: str           # "simulated", or "real" (--trainer hf)


class DataDirLock:
    """The lock on `data_dir/.lock`, held from construction to `release`; raises DataDirBusy when taken."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / LOCK_NAME
        self._fh = open(self.path, "a+")  # noqa: SIM115 - held for the server's lifetime
        if fcntl is not None:
            try:
                fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                self._fh.close()
                raise DataDirBusy(f"{data_dir} is in use by another tunescope server; stop it or pass "
                                  "another --data-dir.") from None
        self._clear()         # what a server that died wrote is not an address any more

    def announce(self, base_url: str, needs_key: bool, trainer: str) -> None:
        """Write where this server answers (called once it accepts requests)."""
        self._clear()
        self._fh.write(json.dumps({"base_url": base_url, "pid": os.getpid(), "needs_key": needs_key,
                                   "trainer": trainer}))
        self._fh.flush()

    def release(self) -> None:
        if self._fh.closed:
            return
        with contextlib.suppress(OSError):
            self._clear()
            if fcntl is not None:
                fcntl.flock(self._fh, fcntl.LOCK_UN)
        self._fh.close()

    def _clear(self) -> None:
        self._fh.seek(0)
        self._fh.truncate()
        self._fh.flush()


def announced(data_dir: Path) -> Announcement | None:
    """The address the holder of `data_dir` wrote, or None (no holder, one still starting, or a file
    from an older tunescope)."""
    try:
        data = json.loads((Path(data_dir) / LOCK_NAME).read_text(encoding="utf-8") or "null")
        return Announcement(str(data["base_url"]), int(data["pid"]), bool(data["needs_key"]), str(data["trainer"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None
