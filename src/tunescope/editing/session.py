"""Editing a dataset without touching it: an overlay on its `LineIndex`.

`EditSession` holds the current rows as a piece table (see table.py):
untouched lines are never read into memory, edited and inserted rows are.
Every change is one undo step (bulk fixes included); `save()` streams the
result atomically (see save.py). Row numbers are 0-based positions in the
current buffer; `origin(i)` maps a row back to its line in the indexed file.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from tunescope.dataset.index import LineIndex
from tunescope.editing import ops
from tunescope.editing.fixes.registry import plan_fix
from tunescope.editing.json_style import dumps_like
from tunescope.editing.ops import EditError, JsonEditError, parse_row, parse_text
from tunescope.editing.save import save_session
from tunescope.editing.table import Piece, PieceTable, Run, Splice, piece_at, terminated_lines

__all__ = ["EditError", "EditSession", "JsonEditError", "Step"]


@dataclass
class Step:
    """One undo step: the splices it made, in order. `rebase` steps (a save that
    moved the session onto the new file) change no content and are passed over."""

    description: str
    splices: list[Splice] = field(default_factory=list)
    rebase: bool = False


class EditSession:
    """Overlay of edits on an indexed file; the file stays untouched until `save()`."""

    def __init__(self, index: LineIndex):
        if not index.complete:
            index.wait()  # rows are only stable once the whole file is indexed
        if index.error is not None:
            raise EditError(f"cannot edit {index.path}: indexing failed ({index.error})")
        self.index = index
        self.path = index.path
        self.has_bom = index.has_bom
        n = len(index)
        self.final_newline = index.final_newline or index.size == 0
        terminated = terminated_lines(index)
        self.eol = b"\r\n" if terminated > 0 and index.crlf_lines * 2 > terminated else b"\n"
        self._table = PieceTable([Run(index, 0, n)] if n else [])
        self._history: list[Step] = []
        self._cursor = 0            # steps [0, cursor) are applied
        self._saved_cursor = 0
        self.version = 0
        self.lock = threading.RLock()
        self._old_indexes: list[LineIndex] = []

    @classmethod
    def open(cls, path: str | os.PathLike) -> EditSession:
        return cls(LineIndex(path).build())

    # -- reading --------------------------------------------------------
    def __len__(self) -> int:
        return len(self._table)

    def get(self, i: int) -> bytes:
        """Current content of row i, without terminator (or BOM)."""
        with self.lock:
            return self._table.get(i)

    def origin(self, i: int) -> int | None:
        """0-based line of row i in the indexed file, None if the row was inserted."""
        with self.lock:
            seg, off = self._table.segment_at(i)
        if seg.index is not self.index:
            return None
        return seg.start + off if isinstance(seg, Run) else seg.origin

    def is_modified(self, i: int) -> bool:
        with self.lock:
            seg, _ = self._table.segment_at(i)
        return not (isinstance(seg, Run) and seg.index is self.index)

    def row_of(self, line: int) -> int | None:
        """Current row of original line `line` (0-based), None if it was deleted."""
        with self.lock:
            for first, seg in self._table.iter_segments():
                if seg.index is not self.index:
                    continue
                if isinstance(seg, Run) and seg.start <= line < seg.start + seg.count:
                    return first + line - seg.start
                if isinstance(seg, Piece) and seg.origin == line:
                    return first
        return None

    def iter_rows(self, start: int = 0) -> Iterator[bytes]:
        """Rows from `start` in order, original lines read in large blocks (for bulk work)."""
        return self._table.iter_rows(start)

    @property
    def segments(self) -> list:
        """The piece table's segments (Run | Piece), read-only use: save and fixes."""
        return self._table.segments

    @property
    def dirty(self) -> bool:
        return self._cursor != self._saved_cursor

    @property
    def can_undo(self) -> bool:
        return any(not s.rebase for s in self._history[:self._cursor])

    @property
    def can_redo(self) -> bool:
        return any(not s.rebase for s in self._history[self._cursor:])

    # -- history --------------------------------------------------------
    def _commit(self, step: Step) -> None:
        del self._history[self._cursor:]
        if self._saved_cursor > self._cursor:
            self._saved_cursor = -1  # the saved state is no longer reachable
        self._history.append(step)
        self._cursor += 1
        self.version += 1

    def _do(self, description: str, change: Callable[[PieceTable], Splice]) -> None:
        with self.lock:
            self._commit(Step(description, [change(self._table)]))

    def undo(self) -> str | None:
        """Undo the last change; returns its description (None if there is nothing to undo)."""
        with self.lock:
            if not self.can_undo:
                return None
            while True:
                self._cursor -= 1
                step = self._history[self._cursor]
                for sp in reversed(step.splices):
                    self._table.undo_splice(sp)
                if not step.rebase:
                    break
            self.version += 1
            return step.description

    def redo(self) -> str | None:
        """Redo the last undone change; returns its description (None if nothing to redo)."""
        with self.lock:
            if not self.can_redo:
                return None
            done = None
            while self._cursor < len(self._history):
                step = self._history[self._cursor]
                if done is not None and not step.rebase:
                    break
                for sp in step.splices:
                    self._table.redo_splice(sp)
                self._cursor += 1
                if not step.rebase:
                    done = step.description
            self.version += 1
            return done

    @property
    def undo_description(self) -> str | None:
        for step in reversed(self._history[:self._cursor]):
            if not step.rebase:
                return step.description
        return None

    # -- row edits ------------------------------------------------------
    def _piece_for(self, i: int, data: bytes) -> object:
        """A segment holding `data` at row i's place, keeping its origin; a Run again
        when `data` equals the row's original line (so editing back is not a change)."""
        seg, off = self._table.segment_at(i)
        line = seg.start + off if isinstance(seg, Run) else seg.origin
        if line is None:
            return Piece(data)
        if seg.index.line(line) == data:
            return Run(seg.index, line, 1)
        return piece_at(seg, off, data)

    @staticmethod
    def _check_row_bytes(data: bytes) -> bytes:
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError("row data must be bytes")
        if b"\n" in data or data.endswith(b"\r"):
            raise EditError("a row cannot contain a line break; one example per line")
        return bytes(data)

    def replace(self, i: int, data: bytes, description: str | None = None) -> None:
        data = self._check_row_bytes(data)
        with self.lock:
            piece = self._piece_for(i, data)
            self._do(description or f"edit row {i + 1}", lambda t: t.set_row(i, piece))

    def replace_text(self, i: int, text: str) -> bytes:
        """Replace row i from JSON text (e.g. pretty-printed by an editor), stored on one line in
        the style of the row it replaces. Invalid JSON raises JsonEditError and changes nothing."""
        obj = parse_text(text)
        data = dumps_like(obj, self.get(i))
        self.replace(i, data, f"edit row {i + 1}")
        return data

    def delete(self, i: int) -> None:
        with self.lock:
            self._table.locate(i)
            self._do(f"delete row {i + 1}", lambda t: t.delete_row(i))

    def insert_after(self, i: int, data: bytes) -> int:
        """Insert a row after row i (i = -1 inserts at the top); returns the new row."""
        data = self._check_row_bytes(data)
        with self.lock:
            if not -1 <= i < len(self):
                raise IndexError(f"row {i} out of range")
            self._do(f"insert row {i + 2}", lambda t: t.insert_before(i + 1, [Piece(data)]))
        return i + 1

    def _edit_object(self, i: int, description: str, change: Callable[[dict], object]):
        with self.lock:
            obj = parse_row(self.get(i))
            result = change(obj)
            if result is False:
                return False
            self.replace(i, dumps_like(obj, self.get(i)), description)
            return result

    def set_weight(self, i: int, message_index: int, zero: bool) -> None:
        what = "set weight 0 on" if zero else "clear weight on"
        self._edit_object(i, f"{what} message {message_index + 1} of row {i + 1}",
                          lambda o: ops.set_weight(o, message_index, zero))

    def strip_whitespace(self, i: int) -> bool:
        """Strip whitespace around message contents; False (and no undo step) if none."""
        return self._edit_object(i, f"strip whitespace in row {i + 1}", ops.strip_whitespace) is not False

    def drop_message(self, i: int, message_index: int) -> None:
        self._edit_object(i, f"drop message {message_index + 1} of row {i + 1}",
                          lambda o: ops.drop_message(o, message_index))

    def move_message(self, i: int, message_index: int, delta: int) -> int:
        return self._edit_object(i, f"move message {message_index + 1} of row {i + 1}",
                                 lambda o: ops.move_message(o, message_index, delta))

    # -- bulk -----------------------------------------------------------
    def apply_segments(self, description: str, segments: list) -> None:
        """Replace all rows by `segments` as ONE undo step (used by bulk fixes)."""
        with self.lock:
            self._commit(Step(description, [self._table.replace_all(segments)]))

    def preview_fix(self, name: str, **params):
        """What fix `name` (a name in the fix registry, editing/fixes/registry.py) would
        change, as a FixReport; nothing is changed. Holds the
        lock while reading, so edits from another thread wait for the preview."""
        with self.lock:
            return plan_fix(self, name, **params).report

    def apply_fix(self, name: str, **params):
        """Apply fix `name` as one undo step; returns its FixReport."""
        with self.lock:
            plan = plan_fix(self, name, **params)
            if plan.report.changes:
                self.apply_segments(plan.report.description, plan.segments(self))
            return plan.report

    # -- saving ---------------------------------------------------------
    def save(self, path: str | os.PathLike | None = None, backup: str = "none", switch: bool = True):
        """Write the rows atomically to `path` (default: the file itself). See save.py."""
        return save_session(self, path, backup=backup, switch=switch)

    def rebase(self, index: LineIndex) -> None:
        """After a save: continue on the freshly written file. Earlier steps stay
        undoable (their rows are read from the old file's still-open descriptor)."""
        with self.lock:
            if self.index is not index:
                self._old_indexes.append(self.index)
            n = len(index)
            step = Step("save", [self._table.replace_all([Run(index, 0, n)] if n else [])], rebase=True)
            self._commit(step)
            self.index = index
            self.path = index.path
            self._saved_cursor = self._cursor

    def mark_saved(self) -> None:
        self._saved_cursor = self._cursor

    def close(self) -> None:
        for ix in [self.index, *self._old_indexes]:
            ix.close()
