"""Noticing that another program changed the open file, cheaply enough to ask every few seconds.

A `stat` (size, modification time, inode) is compared with the one taken when
the file was opened or last saved; nothing is read. The screen polls it from
a timer and tells the user once per change what they can do: reload the file
from disk, or save their edits to another file. Textual-free so the rule is
tested alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class DiskStamp:
    """What `stat` says about a file; two stamps differ when the file was written, replaced or resized."""

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: str | None) -> "DiskStamp | None":
        """The file's stamp now (None when it is missing or cannot be read)."""
        if path is None:
            return None
        try:
            st = os.stat(path)
        except OSError:
            return None
        return cls(st.st_size, st.st_mtime_ns, st.st_ino)


class DiskWatch:
    """Says once that the watched file changed since `rearm` (the open or the last save)."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self.stamp = DiskStamp.of(path)
        self.told = False

    def rearm(self, path: str | None) -> None:
        """Watch `path` as it is now (after opening or saving it)."""
        self.path = path
        self.stamp = DiskStamp.of(path)
        self.told = False

    def changed(self) -> bool:
        """True once when the file differs from the stamp (then quiet until `rearm`)."""
        if self.told or self.path is None:
            return False
        now = DiskStamp.of(self.path)
        if now == self.stamp:
            return False
        self.told = True
        return True

    def notice_text(self, dirty: bool, save_as_works: bool) -> str:
        """What to tell the user about the change, and which keys get them out of it."""
        name = os.path.basename(self.path or "")
        gone = DiskStamp.of(self.path) is None
        what = f"{name} was deleted or moved by another program." if gone else \
            f"{name} was changed on disk by another program."
        if not dirty:
            return f"{what} R reloads it from disk."
        if save_as_works:
            return (f"{what} Your unsaved edits can no longer be saved over it: S saves them to another file, "
                    "R reloads the file from disk (dropping the edits).")
        return (f"{what} It was modified in place, so its unedited lines cannot be copied any more: "
                "R reloads it from disk (dropping the edits); y copies the selected example first.")
