"""What a review command answers: an `Outcome` (what changed, what to show, what to start next).

The UI renders outcomes and decides nothing itself: a toast that replaces the
previous change's toast, a `Notice` said once, rows to redraw, the JSON
editor to open, a save or a check to start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tunescope.review.saving import SaveRequest


@dataclass(frozen=True)
class Notice:
    """Something to tell the user once (it does not replace the toast of the last change)."""

    text: str
    title: str = ""
    severity: str = "information"
    timeout: float | None = None


@dataclass(frozen=True)
class EditorRequest:
    """Open the JSON editor on `text` for `row` (titled `title`); `error` says why it came back, if it did."""

    row: int
    text: str
    title: str
    error: str = ""


@dataclass(frozen=True)
class Outcome:
    """What a command changed and what to show for it, in the order a UI applies it."""

    recheck: bool = False                # check the whole file again
    status_view: str | None = None       # the status bar's filter/sort text
    reload_list: bool = False            # the rows shown changed (a view came or went)
    refresh_rows: bool = False           # rows changed: list, counts and viewer follow
    cursor: int | None = None            # display row to put the list cursor on (centred)
    message: int | None = None           # message of that row to select in the viewer
    run_view: bool = False               # build the filter/sort view again
    search_step: int | None = None       # search from the cursor, forwards (1) or backwards (-1)
    count_matches: bool = False          # count every match of the search in the background
    toast: str | None = None             # the change, shown in place of the previous change's toast
    undo_hint: str | None = None
    notice: Notice | None = None
    editor: EditorRequest | None = None
    clipboard: str | None = None         # text to put on the clipboard
    save: SaveRequest | None = None      # a save to run in the background
    explain: tuple[str, str] | None = None   # (title, text) worth a dialog of its own
    offer_save_as: str | None = None     # the reason to offer saving elsewhere
    split: object | None = None          # a SplitRequest to run in the background

    @property
    def toast_text(self) -> str | None:
        if self.toast is None:
            return None
        return f"{self.toast} — {self.undo_hint}" if self.undo_hint else self.toast


def describe_error(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if isinstance(exc, (OSError, ValueError, RuntimeError)) else f"{type(exc).__name__}: {text}"


GIST_CHARS = 120


def gist(text: str, limit: int = GIST_CHARS) -> str:
    """The first sentence of `text`, at most `limit` characters: a toast that quoted every finding in
    full covered half an 80x24 screen for 8 seconds at every open (the Findings pane has the rest)."""
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def file_notice(report) -> tuple[Notice | None, tuple]:
    """The notice about the whole file (binary, pretty-printed, too few examples...) and the checks it
    names (for saying it once)."""
    found = list(getattr(report.facts, "findings", []) or []) + [f for f in report.findings if f.line is None]
    found = [f for f in dict.fromkeys(found) if f.severity.value != "info"]
    if not found:
        return None, ()
    found.sort(key=lambda f: -f.severity.rank)
    lines = [f"{'✗' if f.severity.value == 'error' else '▲'} {gist(f.message)}" for f in found[:4]]
    if found[0].hint:
        lines.append(f"→ {gist(found[0].hint)}")
    return (Notice("\n".join(lines), title="About this file",
                   severity="error" if found[0].severity.value == "error" else "warning", timeout=8),
            tuple(sorted({f.check for f in found})))
