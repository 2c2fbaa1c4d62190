"""What a bulk fix would do: a `FixPlan` (new rows) and its `FixReport` (one line per change).

Every fix is a plan function `(session, **params) -> FixPlan`, declared in the
fix registry (registry.py). It reads the session's current rows and never
changes them: `EditSession.preview_fix` returns the plan's report and
`EditSession.apply_fix` turns the plan into piece-table segments in one pass
(`table.rewrite_rows`: untouched rows stay Runs of the original file) and
applies them as ONE undo step. These types are the base every fix module
imports; this module imports no fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tunescope.editing.table import Piece, rewrite_rows


class FixError(ValueError):
    """A fix cannot run on this data (bad parameter, unparseable document); nothing changed."""


@dataclass(frozen=True, slots=True)
class FixChange:
    row: int              # 0-based row in the buffer before the fix (for inserts: position in the result)
    line: int | None      # 1-based line in the indexed file; None for rows inserted earlier
    action: str           # "deleted" | "changed" | "inserted"
    reason: str

    def describe(self) -> str:
        where = f"line {self.line}" if self.line is not None else f"row {self.row + 1}"
        return f"{where}: {self.action}: {self.reason}"


@dataclass
class FixReport:
    fix: str
    description: str
    changes: list[FixChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # things seen but left alone, and why

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def summary(self) -> str:
        parts = [f"{self.count(a)} {a}" for a in ("deleted", "changed", "inserted") if self.count(a)]
        return f"{self.description}: " + (", ".join(parts) if parts else "nothing to change")


@dataclass
class FixPlan:
    """What a fix would do: row -> new bytes (None deletes it), or a whole new set of rows."""

    report: FixReport
    rows: dict[int, bytes | None] = field(default_factory=dict)
    replacement: list[bytes] | None = None

    def change(self, session, row: int, data: bytes | None, reason: str) -> None:
        self.rows[row] = data
        self.report.changes.append(FixChange(row, line_of(session, row),
                                             "deleted" if data is None else "changed", reason))

    def segments(self, session) -> list:
        """The session's rows after this plan, as piece-table segments."""
        if self.replacement is not None:
            return [Piece(data) for data in self.replacement]
        return rewrite_rows(session.segments, self.rows)


def line_of(session, row: int) -> int | None:
    """1-based line in the indexed file of the session's row `row`; None for an inserted row."""
    origin = session.origin(row)
    return None if origin is None else origin + 1
