"""Finding the next example whose text matches: plain text (smart case) or a regular expression.

Only message texts, tool-call names and arguments, and prompt/completion are
searched, never keys. A cheap test on the raw bytes skips most rows without
parsing them; `find_next` polls `cancel`, since a search that finds nothing
reads every line.
"""

from __future__ import annotations

import re
import threading
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from typing import Callable

import orjson

from tunescope.dataset.records import message_texts
from tunescope.review.state import DatasetState


PROGRESS_ROWS = 8192


@dataclass(frozen=True)
class SearchSpec:
    pattern: str
    regex: bool = False

    def compiled(self) -> re.Pattern:
        """The pattern as a regular expression (smart case); raises re.error for a bad one."""
        flags = re.IGNORECASE if self.pattern == self.pattern.lower() else 0
        return re.compile(self.pattern if self.regex else re.escape(self.pattern), flags)

    def matcher(self) -> Callable[[str], bool]:
        """A test on one text; raises re.error for a bad regular expression."""
        compiled = self.compiled()
        return lambda text: compiled.search(text) is not None

    def prefilter(self) -> Callable[[bytes], bool] | None:
        """A cheap test on raw bytes that never misses a match (None when there is none)."""
        if self.regex or not self.pattern.isascii() or any(c in self.pattern for c in '"\\/') \
                or not self.pattern.isprintable():
            return None
        needle = self.pattern.lower().encode()
        if self.pattern == self.pattern.lower():
            return lambda data: needle in data.lower()
        exact = self.pattern.encode()
        return lambda data: exact in data


@dataclass(frozen=True)
class SearchResult:
    """Where a search ended: display row `row` (None: nothing matches), and whether it wrapped around."""

    pattern: str
    row: int | None
    wrapped: bool = False


def row_matches(data: bytes, match, prefilter) -> bool:
    if prefilter is not None and not prefilter(data):
        return False
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError:
        return match(data.decode("utf-8", "replace"))
    return any(match(text) for text in message_texts(obj) if text)


def find_next(state: DatasetState, spec: SearchSpec, start: int, step: int,
              cancel: threading.Event, progress: Callable[[int, int], None] | None = None) -> SearchResult | None:
    """The next display row after `start` (wrapping once) whose texts match; None when cancelled.
    `progress(rows read, rows)` is called every PROGRESS_ROWS rows."""
    match, prefilter = spec.matcher(), spec.prefilter()
    count = state.display_count()
    order = [range(start + step, count) if step > 0 else range(start + step, -1, -1),
             range(0, start + 1) if step > 0 else range(count - 1, start - 1, -1)]
    read = 0
    for wrapped, rows in enumerate(order):
        for d in rows:
            read += 1
            if d % 512 == 0 and cancel.is_set():
                return None
            if progress is not None and read % PROGRESS_ROWS == 0:
                progress(read, count)
            try:
                data = state.data(state.row_at(d))
            except (IndexError, OSError):
                continue
            if row_matches(data, match, prefilter):
                return SearchResult(spec.pattern, d, bool(wrapped))
    return None if cancel.is_set() else SearchResult(spec.pattern, None)


def count_matches(state: DatasetState, spec: SearchSpec, cancel: threading.Event,
                  progress: Callable[[int, int], None] | None = None) -> array | None:
    """Every display row whose texts match, in order ("match k of N"); None when cancelled."""
    match, prefilter = spec.matcher(), spec.prefilter()
    count = state.display_count()
    found = array("q")
    for d in range(count):
        if d % 512 == 0 and cancel.is_set():
            return None
        if progress is not None and d and d % PROGRESS_ROWS == 0:
            progress(d, count)
        try:
            data = state.data(state.row_at(d))
        except (IndexError, OSError):
            continue
        if row_matches(data, match, prefilter):
            found.append(d)
    return found


def match_position(matches: array | None, row: int) -> str:
    """ "match k of N" for display row `row` ("N matches" when the row is not one of them)."""
    if matches is None:
        return ""
    k = bisect_left(matches, row)
    if k < len(matches) and matches[k] == row:
        return f"match {k + 1:,} of {len(matches):,}"
    return f"{len(matches):,} match{'es' if len(matches) != 1 else ''}"
