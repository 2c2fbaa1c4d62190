"""The JSON lines a training process writes and the server reads: one message per line on stdout.

Each line starts with `PREFIX` so that whatever else a library prints to stdout is ignored. Kinds:
`warning` {message}, `step` {step, loss, accuracy, tokens, reward?}, `checkpoint` {step, path},
`done` {trained_tokens}, `error` {code, message}. Light: both sides import it.
"""

from __future__ import annotations

import json
import os
import sys

PREFIX = "@tunescope "
STOP_FILE = "STOP"
"""Created in a job's directory to ask its training process to save a checkpoint and stop (pause)."""
SPEC_FILE = "spec.json"
FINAL_DIR = "final"


def emit(kind: str, **fields) -> None:
    """Write one message; when the server has gone (its end of the pipe closed), end this process at once, so a
    server killed with SIGKILL leaves no run behind that would race the one its restart starts."""
    try:
        sys.stdout.write(PREFIX + json.dumps({"kind": kind, **fields}) + "\n")
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        os._exit(3)


def parse(line: str) -> dict | None:
    """The message on a line of the process's stdout, or None for any other output."""
    if not line.startswith(PREFIX):
        return None
    try:
        message = json.loads(line[len(PREFIX):])
    except json.JSONDecodeError:
        return None
    return message if isinstance(message, dict) and "kind" in message else None
