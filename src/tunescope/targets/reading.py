"""Read the examples of a file one by one, with their 1-based line numbers, in any layout tunescope reads.

JSONL is streamed line by line through the line index (memory grows with the number of lines, not
bytes); a pretty-printed file or a JSON array is read as a document (as `tunescope check` does).
A line that is not a JSON object comes back with the reason instead of an object, so callers report it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import orjson

from tunescope.dataset.filefacts import JSONL, detect_document_layout, iter_documents
from tunescope.dataset.index import open_index


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    record: dict | None
    problem: str = ""          # why `record` is None


def iter_rows(path: str) -> Iterator[Row]:
    """Every non-blank example of the file at `path`."""
    with open_index(path) as index:
        if index.error is not None:
            raise OSError(str(index.error))
        layout, _count = detect_document_layout(index)
        if layout != JSONL:
            try:
                for line, obj in iter_documents(index):
                    yield Row(line, obj) if isinstance(obj, dict) else Row(line, None, "not a JSON object")
            except ValueError as exc:
                yield Row(getattr(exc, "line", 1), None, f"the file is not valid JSON ({exc})")
            return
        for i in range(len(index)):
            data = index.line(i)
            if not data.strip():
                continue
            try:
                obj = orjson.loads(data)
            except orjson.JSONDecodeError as exc:
                yield Row(i + 1, None, f"not valid JSON ({str(exc).split(':')[0]})")
                continue
            yield Row(i + 1, obj) if isinstance(obj, dict) else Row(i + 1, None, "not a JSON object")
