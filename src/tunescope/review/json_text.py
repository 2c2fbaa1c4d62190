"""The text of one example as people edit it: pretty JSON in, the session's own parser's verdict out.

`json_problem` is what the JSON editor dialog validates with: the same parser
(`editing.ops.parse_text`) the edit session applies, so the dialog never
accepts what the session then refuses. `edit_in_editor` hands the text to
$VISUAL/$EDITOR through a temporary file.
"""

from __future__ import annotations

import json
import os
import shlex
import tempfile
from typing import Callable

from tunescope.editing.ops import JsonEditError, parse_text
from tunescope.review.outcome import Notice


class EditorUnavailable(Exception):
    """The external editor cannot run here; the message says what to do instead."""


def pretty_json(data: bytes) -> str:
    """The example as indented JSON for editing (the raw text when it is not JSON)."""
    try:
        return json.dumps(json.loads(data), indent=2, ensure_ascii=False)
    except ValueError:
        return data.decode("utf-8", "replace")


def json_problem(text: str) -> str | None:
    """Why the JSON editor's text cannot be an example (with the parser's line and column); None when it can.

    The same parser as the edit session (`editing.ops.parse_text`), so the editor never accepts
    what the session then refuses."""
    try:
        obj = parse_text(text)
    except JsonEditError as exc:
        return f"invalid JSON at line {exc.line}, column {exc.column}: {exc.message}"
    if not isinstance(obj, dict):
        return f"an example must be a JSON object, not {type(obj).__name__}"
    return None


def edit_in_editor(text: str, editor: str | None, run: Callable[[list[str]], int]) -> str | Notice:
    """`text` after a round in the external `editor` (a command line run by `run`, which returns the exit
    status or raises EditorUnavailable); a Notice saying why when nothing came back."""
    if not editor:
        return Notice("Set $VISUAL or $EDITOR (e.g. export EDITOR=vim), or press e for the built-in editor.",
                      title="No external editor", severity="warning")
    fd, path = tempfile.mkstemp(prefix="tunescope-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        try:
            status = run(shlex.split(editor) + [path])
        except EditorUnavailable as exc:
            return Notice(str(exc), severity="warning")
        except OSError as exc:
            return Notice(f"could not run {editor!r}: {exc}", title="Editor failed", severity="error")
        if status != 0:
            return Notice(f"{editor} exited with status {status}; nothing changed", severity="warning")
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
