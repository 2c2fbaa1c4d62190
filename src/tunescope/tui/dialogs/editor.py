"""In-app JSON editor for one example: refuses invalid JSON without losing the buffer.

The text must pass `review.json_text.json_problem` (`editing.ops.parse_text`, the one parser
the edit session stores edits with), so what the editor accepts the session accepts
(`{"x": NaN}` is refused here, at its position, not after the editor closed).
A caller may add its own rules with `validate(text) -> error message | None`,
checked first. An error message that mentions "line N, column M" moves the
cursor there.
"""

from __future__ import annotations

import importlib.util
import re
from typing import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static, TextArea

from tunescope.review.json_text import json_problem
from tunescope.tui import keymap
from tunescope.tui.dialogs.confirm import ConfirmScreen

HIGHLIGHT_MAX_CHARS = 100_000   # colours cost nothing felt up to here; at 200 kB they doubled a key's redraw

POSITION = re.compile(r"line (\d+)(?:,)?\s+col(?:umn)?\s+(\d+)", re.IGNORECASE)


def json_highlighting_available() -> bool:
    """True when tree-sitter and its JSON grammar are importable (textual[syntax])."""
    try:
        return bool(importlib.util.find_spec("tree_sitter") and importlib.util.find_spec("tree_sitter_json"))
    except (ImportError, ValueError):
        return False


def error_position(message: str) -> tuple[int, int] | None:
    """(line, column), both 1-based, from messages like "... at line 3, column 5"."""
    match = POSITION.search(message)
    return (int(match.group(1)), int(match.group(2))) if match else None


class JsonTextArea(TextArea):
    """A code-editor TextArea that leaves escape to the editor screen.

    TextArea's own escape handling (move focus on) stops the key, which forced
    the screen's bindings to be priority bindings; those run ahead of keys the
    TextArea has not processed yet, so ctrl+s right after fast typing (or a
    burst over SSH) validated the text as it was a few keys earlier.
    """

    def _on_key(self, event) -> None:
        if event.key == "escape":
            event.prevent_default()          # skip TextArea's handler; the key bubbles to the screen


class JsonEditorScreen(ModalScreen[str | None]):
    """Edit text in a TextArea; ctrl+s applies (if it is a JSON object the caller accepts), escape cancels.

    The bindings are not priority bindings: they fire after the TextArea has
    handled every key typed before them, so the text checked is the text seen.
    """

    BINDINGS = keymap.EDITOR_BINDINGS

    DEFAULT_CSS = """
    JsonEditorScreen {
        background: $background 60%;
        & > #editor-dialog {
            width: 100%;
            height: 1fr;
            border: thick $primary;
            border-title-color: $text;
            border-title-style: bold;
            border-subtitle-color: $text-muted;
            background: $surface;
        }
        & #editor-text { height: 1fr; border: none; padding: 0; }
        & #editor-error {
            display: none;
            height: auto;
            max-height: 4;
            padding: 0 1;
            color: $text-error;
            background: $error 15%;
        }
        & #editor-error.-visible { display: block; }
    }
    """

    def __init__(self, text: str, title: str, validate: Callable[[str], str | None] | None = None,
                 error: str = "") -> None:
        super().__init__()
        self.original_text = text
        self.initial_error = error      # why this text came back (e.g. from $EDITOR), shown on open
        self.title_text = title
        self.validate = validate
        self.highlighting = json_highlighting_available() and len(text) <= HIGHLIGHT_MAX_CHARS

    def compose(self) -> ComposeResult:
        with Vertical(id="editor-dialog") as dialog:
            dialog.border_title = self.title_text
            dialog.border_subtitle = Content("JSON" if self.highlighting else self._plain_reason())
            yield JsonTextArea.code_editor(
                self.original_text,
                language="json" if self.highlighting else None,
                theme="css",
                soft_wrap=True,
                id="editor-text",
            )
            yield Static("", id="editor-error", markup=False)
        yield Footer()

    def _plain_reason(self) -> str:
        if len(self.original_text) > HIGHLIGHT_MAX_CHARS:
            return f"JSON · no colours past {HIGHLIGHT_MAX_CHARS // 1000} kB (keys stay quick)"
        return "JSON · no colours: pip install 'textual[syntax]'"

    def on_mount(self) -> None:
        self.text_area.focus()
        if self.initial_error:
            self.show_error(f"Not applied: {self.initial_error}")
            position = error_position(self.initial_error)
            if position is not None:
                self.call_after_refresh(self._move_cursor, *position)

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#editor-text", TextArea)

    @property
    def modified(self) -> bool:
        return self.text_area.text != self.original_text

    @property
    def error(self) -> str:
        """The error currently shown ("" when none)."""
        widget = self.query_one("#editor-error", Static)
        return str(widget.render()) if widget.has_class("-visible") else ""

    def show_error(self, message: str) -> None:
        widget = self.query_one("#editor-error", Static)
        widget.update(message)
        widget.set_class(bool(message), "-visible")

    def action_apply(self) -> None:
        text = self.text_area.text
        try:
            problem = (self.validate(text) if self.validate is not None else None) or json_problem(text)
        except Exception as exc:  # a validator bug must not lose the user's edit
            problem = f"Could not check the edit: {exc}"
        if not problem:
            self.dismiss(text)
            return
        self.show_error(f"Not applied: {problem}")
        position = error_position(problem)
        if position is not None:
            self._move_cursor(*position)
        self.text_area.focus()

    def _move_cursor(self, line: int, column: int) -> None:
        area = self.text_area
        row = min(max(line - 1, 0), area.document.line_count - 1)
        col = min(max(column - 1, 0), len(area.document.get_line(row)))
        area.move_cursor((row, col), center=True)

    def action_cancel(self) -> None:
        if not self.modified:
            self.dismiss(None)
            return

        def discard(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)
            else:
                self.text_area.focus()

        self.app.push_screen(ConfirmScreen("Discard your changes to this example?", danger=True,
                                           yes_label="Discard", no_label="Keep editing"), discard)
