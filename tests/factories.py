"""Row builders and file writers shared by the tests, so each test says only what differs.

One place builds a chat, preference or RFT example and writes rows to a JSONL file; the tests used
to carry their own copies of these (eight file writers, five chat builders).
"""

from __future__ import annotations

import json
from pathlib import Path

USER = {"role": "user", "content": "Hi"}
DEVELOPER = {"role": "developer", "content": "Be nice."}


def messages(*messages: dict, **top) -> dict:
    """A chat example made of the given message dicts, plus any top-level keys."""
    return {"messages": list(messages), **top}


def chat(user: str, assistant: str = "Sure.", system: str | None = None, **extra) -> dict:
    """A one-turn chat example: optional system, one user and one assistant message."""
    turns = [{"role": "system", "content": system}] if system else []
    turns += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return {"messages": turns, **extra}


def pref(inp: list | None = None, preferred: str = "Good answer", non_preferred: str = "Bad answer",
         **extra) -> dict:
    """A preference (DPO) example with one preferred and one non-preferred reply."""
    row = {"input": {"messages": inp if inp is not None else [USER]},
           "preferred_output": [{"role": "assistant", "content": preferred}],
           "non_preferred_output": [{"role": "assistant", "content": non_preferred}]}
    row.update(extra)
    return row


def rft(*messages: dict, **keys) -> dict:
    """A reinforcement fine-tuning example: messages without the answer, grader keys on top."""
    return {"messages": list(messages) or [DEVELOPER, USER], **keys}


def encode_row(row, ensure_ascii: bool = True) -> bytes:
    """One line's bytes: dicts and lists become JSON, str is UTF-8 encoded, bytes pass through."""
    if isinstance(row, (dict, list)):
        return json.dumps(row, ensure_ascii=ensure_ascii).encode()
    if isinstance(row, str):
        return row.encode()
    return row


def write_jsonl(directory: Path, rows: list, name: str = "d.jsonl", *, eol: bytes = b"\n", final: bool = True,
                ensure_ascii: bool = True) -> Path:
    """Write rows one per line to directory/name (a final end of line unless `final` is False)."""
    return write_lines(Path(directory) / name, rows, eol=eol, final=final, ensure_ascii=ensure_ascii)


def write_lines(path: Path, rows: list, *, eol: bytes = b"\n", final: bool = True,
                ensure_ascii: bool = True) -> Path:
    """Like write_jsonl, for a full path."""
    data = eol.join(encode_row(row, ensure_ascii) for row in rows)
    path.write_bytes(data + (eol if final else b""))
    return path


def write_file(directory: Path, data: bytes | str, name: str = "d.jsonl") -> Path:
    """Write raw bytes (or UTF-8 text) to directory/name, for files that are not one row a line."""
    path = Path(directory) / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path
