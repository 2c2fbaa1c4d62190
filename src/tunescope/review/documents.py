"""The objects of a pretty-printed file or JSON array, as spans of physical lines.

Such a file is reviewed line by line like any other (edits and saves work on
lines), but a line there is a piece of an object: every line showed
"(not JSON)" and the viewer showed the wrong object's findings. The checker
reads the objects and reports each on its first line; this map says which
object a line belongs to (object k on lines a–b), so the list and the viewer
show objects, and the conversion to JSONL is the fix offered.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right

import orjson

from tunescope.dataset.records import compact_dumps


class DocumentMap:
    """Object k starts on 0-based line `starts[k]` and ends before the next one (or at the last line)."""

    def __init__(self, starts, line_count: int) -> None:
        self.starts = array("q", sorted(starts))
        self.line_count = line_count

    def __len__(self) -> int:
        return len(self.starts)

    def span(self, line: int) -> tuple[int, int, int] | None:
        """(k, first, last) of the object holding 0-based `line` (None before the first object)."""
        k = bisect_right(self.starts, line) - 1
        if k < 0:
            return None
        last = self.starts[k + 1] - 1 if k + 1 < len(self.starts) else self.line_count - 1
        return k, self.starts[k], last

    def label(self, line: int) -> str | None:
        """What the list shows for a line: "object k of n, lines a–b" (1-based)."""
        span = self.span(line)
        if span is None:
            return None
        k, first, last = span
        return f"object {k + 1:,} of {len(self):,}, lines {first + 1:,}–{last + 1:,}"

    def object_bytes(self, line: int, read_line) -> bytes | None:
        """The object holding `line` as one compact JSON line (`read_line(i)` gives a line's bytes);
        None when its lines do not parse alone (the checker's findings say why)."""
        span = self.span(line)
        if span is None:
            return None
        _, first, last = span
        text = b"\n".join(read_line(i) for i in range(first, last + 1)).strip().rstrip(b",")
        if text.startswith(b"[") and first == self.starts[0]:
            text = text[1:].lstrip()
        if text.endswith(b"]") and span[0] == len(self) - 1:
            text = text[:-1].rstrip().rstrip(b",")
        try:
            return compact_dumps(orjson.loads(text))
        except (orjson.JSONDecodeError, TypeError, ValueError):
            return None
