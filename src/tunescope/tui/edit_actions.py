"""The keys that change the dataset: edit, delete, weight, fixes, undo/redo, save, quit, copy.

A mixin for `DatasetScreen` so the screen module stays about composition.
Every change goes through the `EditSession` (one undo step each) and ends in
`after_edit`, which refreshes what depends on it and shows a toast naming
the change and how to undo it. Only quitting with unsaved edits asks first.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile

from textual import work

from tunescope.tui.messages import DatasetSaved, SaveRejected

FIXES = [
    ("strip_whitespace", "Strip whitespace", "Remove whitespace and newlines around message texts."),
    ("dedupe", "Remove exact duplicates", "Keep the first of each group of identical examples."),
    ("drop_invalid", "Drop invalid lines", "Delete blank lines, lines that are not JSON, and non-objects."),
    ("drop_extra_keys", "Drop extra top-level keys", "Remove keys the format does not define (OpenAI rejects them)."),
    ("rename_near_miss", "Fix near-miss formats",
     "Rename look-alike keys (LLaMA-Factory, ShareGPT, ...) to OpenAI's chat format."),
    ("to_chat", "Convert prompt/completion to chat", "Turn legacy prompt/completion rows into chat messages."),
    ("drop_over_limit", "Drop examples over the token limit", "Delete examples longer than the model allows."),
    ("truncate_over_limit", "Truncate examples over the token limit",
     "Drop early turns until each example fits the model's limit."),
    ("to_jsonl", "Convert to JSONL", "Rewrite pretty-printed JSON or a JSON array as one object per line."),
]
MODEL_FIXES = {"drop_over_limit", "truncate_over_limit"}

EDIT_ACTIONS = {"edit", "edit_external", "delete", "toggle_weight", "fixes", "undo", "redo", "save", "copy"}


def pretty_json(data: bytes) -> str:
    """The example as indented JSON for editing (the raw text when it is not JSON)."""
    try:
        return json.dumps(json.loads(data), indent=2, ensure_ascii=False)
    except ValueError:
        return data.decode("utf-8", "replace")


def sources_unreadable(session) -> str | None:
    """Why no save (to any path) can copy the session's untouched lines; None when it can.

    The save refuses to copy from a file that changed under its open descriptor
    (modified in place); a file replaced or deleted by another program still
    reads as it was, so saving elsewhere works.
    """
    from tunescope.editing.save import SaveRefused, _check_sources

    try:
        _check_sources(session.segments)
    except SaveRefused as exc:
        return str(exc)
    return None


def json_error(text: str) -> str | None:
    """Why `text` is not a JSON object, with the position; None when it is fine."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    if not isinstance(obj, dict):
        return f"an example must be a JSON object, not {type(obj).__name__}"
    return None


class EditActions:
    """Mixed into DatasetScreen (uses its state, list, viewer and status bar)."""

    # -- availability -------------------------------------------------------------------------
    def check_action(self, action: str, parameters) -> bool | None:
        if action not in EDIT_ACTIONS:
            return True
        session = self.state.session if self.state is not None else None
        if session is None:
            return None
        if action == "undo":
            return True if session.can_undo else None
        if action == "redo":
            return True if session.can_redo else None
        if action == "save":
            return True if session.dirty else None
        return True if self.example_list.count else None

    def unavailable_reason(self, action: str) -> str:
        """Why an edit key does nothing right now (said when it is pressed while greyed out)."""
        session = self.state.session if self.state is not None else None
        if self.state is None:
            return "No file is open."
        if session is None:
            return "Still reading the file; editing starts as soon as it is indexed."
        if action == "undo":
            return "Nothing to undo."
        if action == "redo":
            return "Nothing to redo."
        if action == "save":
            return "No unsaved edits: the file on disk is up to date."
        return "No example selected: the list is empty."

    def on_key(self, event) -> None:
        """A greyed-out edit key still answers: the footer dims it, the toast says why."""
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if binding.action in EDIT_ACTIONS and self.check_action(binding.action, ()) is None:
                self.notify(self.unavailable_reason(binding.action))
                return

    def after_edit(self, toast: str | None) -> None:
        """Refresh everything that shows the rows, after any change."""
        self.example_list.reload()
        self.update_counts()
        self.refresh_bindings()
        self.show_selected(keep_cursor=True)
        if self.state.view is not None:
            self.apply_view()
        if toast:
            self.notify_edit(toast)

    def notify_edit(self, text: str) -> None:
        """Toast the latest change, replacing the toast of the change before it.

        Six quick deletes used to stack six toasts over the whole 80x24 list; only the
        latest one (with its undo hint) is worth reading.
        """
        from textual.notifications import Notification, Notify

        app = self.app
        previous = getattr(self, "_edit_toast", None)
        if previous is not None and previous in app._notifications:
            app._unnotify(previous, refresh=False)
        self._edit_toast = Notification(text, "", "information", app.NOTIFICATION_TIMEOUT)
        app.post_message(Notify(self._edit_toast))

    # -- editing one example ----------------------------------------------------------------
    def action_edit(self) -> None:
        row = self.current_row()
        if row is None:
            return
        self.open_editor(row, pretty_json(self.state.data(row)))

    def open_editor(self, row: int, text: str, error: str = "") -> None:
        from tunescope.tui.dialogs.editor import JsonEditorScreen

        origin = self.state.origin(row)
        title = f"line {origin + 1}" if origin is not None else "new example"

        def done(new_text: str | None) -> None:
            if new_text is not None:
                self.apply_text(row, new_text)
        self.app.push_screen(JsonEditorScreen(text, title, validate=json_error, error=error), done)

    def apply_text(self, row: int, text: str) -> bool:
        from tunescope.editing.session import EditError, JsonEditError

        session = self.state.session
        before = session.get(row)
        try:
            session.replace_text(row, text)
        except JsonEditError as exc:       # the editor comes back with the text, the reason and the cursor on it
            self.open_editor(row, text, error=str(exc))
            return False
        except EditError as exc:
            self.notify(str(exc), title="Edit refused", severity="error")
            return False
        if session.get(row) == before:
            self.notify("no change")
            self.after_edit(None)
            return True
        self.after_edit(f"{session.undo_description} — u to undo")
        return True

    def action_edit_external(self) -> None:
        from textual.app import SuspendNotSupported

        row = self.current_row()
        if row is None:
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            self.notify("Set $VISUAL or $EDITOR (e.g. export EDITOR=vim), or press e for the built-in editor.",
                        title="No external editor", severity="warning")
            return
        fd, path = tempfile.mkstemp(prefix="tunescope-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(pretty_json(self.state.data(row)) + "\n")
            command = shlex.split(editor) + [path]
            try:
                with self.app.suspend():
                    result = subprocess.run(command)
            except SuspendNotSupported:
                if not self.app.is_headless:
                    self.notify("This terminal cannot hand over to an external editor; press e instead.",
                                severity="warning")
                    return
                result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True)
            except OSError as exc:
                self.notify(f"could not run {editor!r}: {exc}", title="Editor failed", severity="error")
                return
            if result.returncode != 0:
                self.notify(f"{editor} exited with status {result.returncode}; nothing changed",
                            severity="warning")
                return
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        finally:
            try:
                os.unlink(path)
            except OSError:
                pass
        self.apply_text(row, text)

    def action_delete(self) -> None:
        row = self.current_row()
        if row is None:
            return
        self.state.session.delete(row)
        self.after_edit(f"{self.state.session.undo_description} — u to undo")

    def action_toggle_weight(self) -> None:
        from tunescope.editing.session import EditError

        row = self.current_row()
        viewer = self.viewer
        block = viewer.selected_block
        if row is None or block is None or block.role != "assistant" or viewer.data != self.state.data(row):
            self.notify(self.weight_refusal(row), severity="warning")
            return
        message = viewer.obj["messages"][block.message_index]
        zero = message.get("weight") != 0
        try:
            self.state.session.set_weight(row, block.message_index, zero)
        except EditError as exc:
            self.notify(str(exc), severity="error")
            return
        self.after_edit(f"{self.state.session.undo_description} — u to undo")

    def weight_refusal(self, row: int | None) -> str:
        """Why w cannot toggle a weight here, and what would let it."""
        obj = self.viewer.obj if row is not None and self.viewer.data == self.state.data(row) else None
        messages = obj.get("messages") if isinstance(obj, dict) else None
        if isinstance(obj, dict) and not isinstance(messages, list):
            return ("Weights belong to the assistant messages of a chat example; this example has no "
                    "messages list (preference outputs and prompt/completion rows have no weight).")
        if isinstance(messages, list) and not any(isinstance(m, dict) and m.get("role") == "assistant"
                                                  for m in messages):
            return "This example has no assistant message to set a weight on."
        return "Select an assistant message first: enter opens the example, j/k pick a message."

    # -- bulk fixes -------------------------------------------------------------------------
    def action_fixes(self) -> None:
        from tunescope.tui.dialogs.fixes_menu import FixesMenu

        session = self.state.session

        def params(name: str) -> dict:
            return {"model": self.options.model} if name in MODEL_FIXES else {}

        def preview(name: str) -> int:
            return len(session.preview_fix(name, **params(name)).changes)

        def done(name: str | None) -> None:
            if not name:
                return
            try:
                report = session.apply_fix(name, **params(name))
            except Exception as exc:  # a fix refusing (e.g. nothing to convert) explains itself
                self.notify(str(exc), title=f"Fix {name} not applied", severity="error")
                return
            if not report.changes:
                self.notify(f"{report.description}: nothing to change")
                return
            self.after_edit(f"{report.summary()} — u to undo")
        self.app.push_screen(FixesMenu(FIXES, preview), done)

    # -- history ------------------------------------------------------------------------------
    def action_undo(self) -> None:
        done = self.state.session.undo()
        self.after_edit(f"undid: {done}" if done else "nothing to undo")

    def action_redo(self) -> None:
        done = self.state.session.redo()
        self.after_edit(f"redid: {done}" if done else "nothing to redo")

    # -- saving -------------------------------------------------------------------------------
    def action_save(self, path: str | None = None) -> None:
        session = self.state.session
        if session is None:
            return
        if not session.dirty and path is None:
            self.notify("no unsaved edits")
            return
        self.cancel_check()
        self.status_bar.set(phase="saving", done=0, total=1)
        self.run_save(path)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save", description="save the dataset")
    def run_save(self, path: str | None) -> None:
        from tunescope.editing.save import SaveError, SaveRefused

        session = self.state.session
        try:
            result = session.save(path, backup=getattr(self.settings, "backup", "none"))
        except SaveRefused as exc:
            index = session.index
            changed = not os.path.exists(index.path) or index.changed_on_disk()
            self.post_message(SaveRejected(str(exc), changed_on_disk=changed, path=path,
                                           save_as_blocked=sources_unreadable(session)))
            return
        except (SaveError, OSError) as exc:
            self.post_message(SaveRejected(str(exc), path=path))
            return
        backup = f" (backup: {result.backup_path})" if result.backup_path else ""
        self.post_message(DatasetSaved(result.path, f"{result.rows:,} rows, {result.bytes_written:,} bytes"
                                                    f" in {result.seconds:.2f} s{backup}"))

    def on_dataset_saved(self, event: DatasetSaved) -> None:
        state = self.state
        session = state.session
        if session.index is not state.index:     # the session continues on the written file
            state.switch_index(session.index)
            self.path = session.path
            self.display_name = os.path.basename(session.path)
            self.start_check()
        self.status_bar.set(phase="", file=self.display_name, lines=len(state.index))
        self.after_edit(f"saved {event.path}: {event.detail}")

    def on_save_rejected(self, event: SaveRejected) -> None:
        from tunescope.tui.dialogs.message import MessageScreen

        self.status_bar.set(phase="")
        self.notify(event.reason, title="Not saved", severity="error", timeout=10)
        if event.save_as_blocked is not None:
            # Offering save-as here would only fail the same way: say so, and what is left to do.
            self.app.push_screen(MessageScreen("Cannot save these edits", (
                f"{event.save_as_blocked}.\n\nSaving to another file cannot work either: the unedited lines "
                "would be copied from the changed file. Your edits stay open here until you quit; y copies "
                "the selected example to the clipboard.")))
        elif event.changed_on_disk and event.path is None:
            self.offer_save_as(event.reason)
        if self.state.results.checked == 0:
            self.start_check()

    def offer_save_as(self, reason: str = "") -> None:
        from tunescope.tui.dialogs.save_as import SaveAsScreen

        root, ext = os.path.splitext(self.state.session.path)

        def done(path: str | None) -> None:
            if path:
                self.action_save(os.path.expanduser(path))
        self.app.push_screen(SaveAsScreen(f"{root}.edited{ext or '.jsonl'}", reason=reason), done)

    # -- quitting and copying ---------------------------------------------------------------
    def request_quit(self) -> None:
        session = self.state.session if self.state is not None else None
        if session is None or not session.dirty:
            self.stop_background_work()
            self.app.exit()
            return
        from tunescope.tui.dialogs.confirm import ConfirmScreen

        def done(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.stop_background_work()
                self.app.exit()
        self.app.push_screen(ConfirmScreen("You have unsaved edits. Quit and lose them? (ctrl+s saves)",
                                           danger=True), done)

    def action_copy(self) -> None:
        row = self.current_row()
        if row is None:
            return
        text = self.state.data(row).decode("utf-8", "replace")
        self.app.copy_to_clipboard(text)
        origin = self.state.origin(row)
        where = f"line {origin + 1}" if origin is not None else "the new example"
        self.notify(f"copied {where} ({len(text):,} characters) to the clipboard")
