"""Near-duplicate signatures of a whole file, kept in memory up to a budget and on disk past it.

A signature is 128 bytes (similarity.py): at two million examples 256 MB, more than the whole
check may use. A SignatureStore holds them in a bytearray up to BUDGET bytes; past it, it appends
them to files in a private temporary directory (made on the first spill, removed by `close()`, when
the store is collected or at exit, and only by the process that made it): one file of whole rows,
read back only for the candidate pairs LSH verifies (row by row), and one file per prompt band (4 bytes a row), so banding reads only the column it sorts.
Rows keep their order, so the groups are the same as from one in-memory buffer.

A store travels between processes by pickle with its signatures inline (a worker's chunk is a few
thousand rows). numpy is imported only where a store spills or is read (main process).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from typing import TYPE_CHECKING

from tunescope.quality.similarity import NUM_PERM

if TYPE_CHECKING:
    import numpy as np

WIDTH = 2 * NUM_PERM           # bytes a row: prompt, then reply
BANDS = NUM_PERM // 4          # the prompt's 4-byte bands
BUDGET = 4 << 20               # bytes of signatures held in memory before they go to disk


def private_dir(owner: object, prefix: str) -> tuple[str, weakref.finalize]:
    """A new private temporary directory and the finalizer that removes it (when `owner` is collected,
    at exit or when called), never from a forked child of the process that made it."""
    path = tempfile.mkdtemp(prefix=prefix)
    return path, weakref.finalize(owner, _remove, path, os.getpid())


def _remove(path: str, creator: int) -> None:
    if os.getpid() == creator:
        shutil.rmtree(path, ignore_errors=True)


class SignatureStore:
    """Fixed-width signatures in row order, each followed by `tail` bytes the caller owns (positions,
    digests): `band(b)` reads a prompt band's column, `rows(idx)` whole rows (tail included)."""

    def __init__(self, data: bytes | bytearray = b"", tail: int = 0):
        self.tail = tail
        self.width = WIDTH + tail
        self.memory = bytearray(data)
        self.spilled = 0               # rows in the files (they precede those in memory)
        self._dir: str | None = None
        self._cleanup = None
        self._fd: int | None = None         # the rows file, open for reading once rows() needs it

    def add(self, signature: bytes) -> None:
        self.memory += signature

    def extend(self, other: SignatureStore) -> None:
        self.memory += other.all_bytes() if other.spilled else other.memory
        if len(self.memory) > BUDGET:
            self._spill()

    def __len__(self) -> int:
        return self.spilled + len(self.memory) // self.width

    def _memory_matrix(self) -> np.ndarray:
        import numpy as np
        return np.frombuffer(self.memory, np.uint8).reshape(-1, self.width)

    def _spill(self) -> None:
        if self._fd is not None:         # rows() reads the file as it was
            os.close(self._fd)
            self._fd = None
        if self._dir is None:
            self._dir, self._cleanup = private_dir(self, "tunescope-signatures-")
        bands = self._memory_matrix()[:, :NUM_PERM].view("<u4")
        with open(self._path("rows"), "ab") as f:
            f.write(self.memory)
        for b in range(BANDS):
            with open(self._path(f"band{b:02d}"), "ab") as f:
                f.write(bands[:, b].tobytes())
        self.spilled += len(self.memory) // self.width
        del bands
        self.memory = bytearray()

    def _path(self, name: str) -> str:
        assert self._dir is not None
        return os.path.join(self._dir, name + ".bin")

    def band(self, b: int) -> np.ndarray:
        """The uint32 prompt band `b` of every row."""
        import numpy as np
        memory = self._memory_matrix()[:, :NUM_PERM].view("<u4")[:, b]
        if not self.spilled:
            return memory
        return np.concatenate((np.fromfile(self._path(f"band{b:02d}"), "<u4"), memory))

    def rows(self, idx: np.ndarray) -> np.ndarray:
        """The rows `idx` (uint8, `width` columns: signature, then tail). Rows on disk are read one by one
        with pread: a mapping of the file, even with its pages dropped after each batch, showed as up
        to the whole file in the process's memory (PSS) at two million rows."""
        import numpy as np
        idx = np.asarray(idx, np.int64)
        if not self.spilled:
            return self._memory_matrix()[idx]
        out = np.empty((len(idx), self.width), np.uint8)
        on_disk = idx < self.spilled
        if on_disk.any():
            if self._fd is None:
                self._fd = os.open(self._path("rows"), os.O_RDONLY)
            width, fd, buf = self.width, self._fd, memoryview(out).cast("B")
            for k in np.flatnonzero(on_disk).tolist():
                row = int(idx[k])
                buf[k * width:(k + 1) * width] = os.pread(fd, width, row * width)
        if not on_disk.all():
            out[~on_disk] = self._memory_matrix()[idx[~on_disk] - self.spilled]
        return out

    def all_bytes(self) -> bytes:
        if not self.spilled:
            return bytes(self.memory)
        with open(self._path("rows"), "rb") as f:
            return f.read() + bytes(self.memory)

    def close(self) -> None:
        """Remove the files (the store is empty afterwards)."""
        if self._fd is not None:
            os.close(self._fd)
        if self._cleanup is not None:
            self._cleanup()
        self._dir, self._cleanup, self._fd, self.spilled = None, None, None, 0
        self.memory = bytearray()

    def __getstate__(self) -> dict:
        return {"memory": self.all_bytes() if self.spilled else self.memory, "tail": self.tail}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["memory"], state["tail"])
