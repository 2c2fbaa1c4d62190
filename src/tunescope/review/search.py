"""Finding the next example whose text matches: plain text (smart case) or a regular expression.

Only message texts, tool-call names and arguments, and prompt/completion are
searched, never keys. A cheap test on the raw bytes skips most rows without
parsing them; `find_next` polls `cancel`, since a search that finds nothing
reads every line.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Callable

import orjson

from tunescope.dataset.records import message_texts
from tunescope.review.state import DatasetState


@dataclass(frozen=True)
class SearchSpec:
    pattern: str
    regex: bool = False

    def matcher(self) -> Callable[[str], bool]:
        """A test on one text; raises re.error for a bad regular expression."""
        flags = re.IGNORECASE if self.pattern == self.pattern.lower() else 0
        if self.regex:
            compiled = re.compile(self.pattern, flags)
        else:
            compiled = re.compile(re.escape(self.pattern), flags)
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
              cancel: threading.Event) -> SearchResult | None:
    """The next display row after `start` (wrapping once) whose texts match; None when cancelled."""
    match, prefilter = spec.matcher(), spec.prefilter()
    count = state.display_count()
    order = [range(start + step, count) if step > 0 else range(start + step, -1, -1),
             range(0, start + 1) if step > 0 else range(count - 1, start - 1, -1)]
    for wrapped, rows in enumerate(order):
        for d in rows:
            if d % 512 == 0 and cancel.is_set():
                return None
            try:
                data = state.data(state.row_at(d))
            except (IndexError, OSError):
                continue
            if row_matches(data, match, prefilter):
                return SearchResult(spec.pattern, d, bool(wrapped))
    return None if cancel.is_set() else SearchResult(spec.pattern, None)
