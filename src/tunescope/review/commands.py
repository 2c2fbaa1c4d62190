"""What the review keys do, as plain methods: each returns an `Outcome` for the UI to show.

`ReviewSession` holds the review of one file (rows and results, filter,
search, the background runs, a save in flight) and answers every key of the
dataset screen: whether it is available and why not, what an edit, a fix,
undo or a save changes, where a search or a line is. The screen only renders
the answer (a toast, reloaded rows, the JSON editor again with the parser's
reason, a save to start). Textual-free, so every rule here is tested without
a UI.
"""

from __future__ import annotations

import os
from typing import Callable

import orjson

from tunescope.checks.model import CheckOptions
from tunescope.dataset.index import LineIndex
from tunescope.editing.ops import EditError, JsonEditError
from tunescope.editing.session import EditSession
from tunescope.review.filters import FilterSpec, filter_options
from tunescope.editing.fixes.plan import FixError
from tunescope.editing.fixes.registry import FIXES
from tunescope.review.fix_choice import (SPLIT, document_refusal, fix_entries, split_preview, split_request,
                                          suggested_fix)
from tunescope.review.live_check import LiveCheckRequest, LiveReport
from tunescope.review.json_text import edit_in_editor, pretty_json
from tunescope.review.outcome import EditorRequest, Notice, Outcome, describe_error, file_notice
from tunescope.review.reanalyse import RowChecker
from tunescope.review.runs import Run, Runs
from tunescope.review.saving import Saved, SaveRefusal, SaveRequest
from tunescope.review.finder import Finder
from tunescope.review.search import SearchResult, SearchSpec
from tunescope.review.state import DatasetState
from tunescope.review.views import View

EDIT_ACTIONS = {"edit", "edit_external", "delete", "toggle_weight", "fixes", "undo", "redo", "save", "save_as",
                "reload", "copy"}
UNDO_HINT = "u to undo"
EDITOR_MAX_BYTES = 200_000     # the built-in editor redraws a long line whole: past this, keys lag a second


class ReviewSession:
    """The review of one dataset file."""

    def __init__(self, options: CheckOptions, allow_estimate: bool = False, backup: str = "none") -> None:
        self.options = options
        self.backup = backup
        self.state: DatasetState | None = None
        self.filter: FilterSpec | None = None
        self.runs = Runs()
        self.finder = Finder(self.runs)
        self.checker = RowChecker(options, allow_estimate)
        self.saving = False
        self.file_notice: tuple = ()           # checks named by the last "About this file" notice

    @property
    def session(self) -> EditSession | None:
        return self.state.session if self.state is not None else None

    def open(self, path: str | None, problem: str | None = None) -> tuple[DatasetState | None, str | None]:
        """Start reviewing the file at `path` (its index is built afterwards); (None, why) when it cannot
        be opened, or when `problem` already says why."""
        if problem is None:
            try:
                self.state = DatasetState(LineIndex(path), self.options.token_limit)
            except OSError as exc:
                problem = f"{path}: {exc.strerror or exc}"
        return self.state, problem

    def start_editing(self) -> Notice | None:
        """Edits become possible once the whole file is indexed."""
        try:
            self.state.attach_session(EditSession(self.state.index))
        except Exception as exc:  # noqa: BLE001 - the file stays reviewable, read-only
            return Notice(f"editing is unavailable: {describe_error(exc)}", severity="warning")
        return None

    # -- which keys work ------------------------------------------------------------------------
    def availability(self, action: str) -> bool | None:
        """True when `action` can run; None when it is shown greyed out (`unavailable_reason` says why)."""
        if action not in EDIT_ACTIONS:
            return True
        session = self.session
        if session is None or self.saving and action != "copy":
            return None
        if action == "undo":
            return True if session.can_undo else None
        if action == "redo":
            return True if session.can_redo else None
        if action == "save":
            return True if session.dirty else None
        if action in ("save_as", "reload"):
            return True
        return True if self.state.display_count() else None

    def unavailable_reason(self, action: str) -> str:
        if self.state is None:
            return "No file is open."
        if self.session is None:
            return "Still reading the file; editing starts as soon as it is indexed."
        if self.saving and action != "copy":
            return "Saving; edits wait until the file is written."
        if action == "undo":
            return "Nothing to undo."
        if action == "redo":
            return "Nothing to redo."
        if action == "save":
            return "No unsaved edits: the file on disk is up to date."
        return "No example selected: the list is empty."

    # -- editing one example ----------------------------------------------------------------------
    def _rows_changed(self, toast: str | None = None, undo_hint: str | None = None, **more) -> Outcome:
        """Rows changed: the list, counts, viewer and (when one is on) the view follow."""
        if self.finder.matches is not None:              # the match count no longer holds: stop saying it
            self.finder.matches = None
            more.setdefault("status_view", self.state.view_description)
        return Outcome(toast=toast, undo_hint=undo_hint, refresh_rows=True, run_view=self.state.view is not None,
                       **more)

    def _editor_title(self, row: int) -> str:
        line = self.line_of(row)
        return f"line {line}" if line is not None else "new example"

    def open_editor(self, row: int | None) -> Outcome:
        """The JSON editor on row `row`, pretty-printed; a notice instead for a row too big for it (the
        editor widget redraws a long line whole: a 20 MB line froze the app for 40 s)."""
        if row is None:
            return Outcome()
        data = self.state.data(row)
        if len(data) > EDITOR_MAX_BYTES:
            return Outcome(notice=Notice(
                f"This example is {len(data) / 1e6:,.1f} MB; the built-in editor stays responsive up to "
                f"{EDITOR_MAX_BYTES // 1000:,} kB. E edits it in $VISUAL/$EDITOR, x offers bulk fixes, "
                "d deletes it.", title="Too big for the built-in editor", severity="warning", timeout=10))
        return Outcome(editor=EditorRequest(row, pretty_json(data), self._editor_title(row)))

    def line_of(self, row: int | None) -> int | None:
        """The 1-based original line of a session row (None for an inserted row, or no row)."""
        origin = self.state.origin(row) if row is not None else None
        return None if origin is None else origin + 1

    def edit(self, row: int, text: str) -> Outcome:
        """Replace a row by JSON text (pretty-printed or not); the editor comes back on invalid JSON."""
        session = self.session
        before = session.get(row)
        try:
            session.replace_text(row, text)
        except JsonEditError as exc:       # the editor comes back with the text, the reason and the cursor on it
            return Outcome(editor=EditorRequest(row, text, self._editor_title(row), str(exc)))
        except EditError as exc:
            return Outcome(notice=Notice(str(exc), title="Edit refused", severity="error"))
        if session.get(row) == before:
            return self._rows_changed(notice=Notice("no change"))
        return self._rows_changed(session.undo_description, UNDO_HINT)

    def edit_externally(self, row: int | None, editor: str | None, run: Callable[[list[str]], int]) -> Outcome:
        """Edit a row in `editor` (a command line; `run` runs it and returns its exit status)."""
        if row is None:
            return Outcome()
        text = edit_in_editor(pretty_json(self.state.data(row)), editor, run)
        return Outcome(notice=text) if isinstance(text, Notice) else self.edit(row, text)

    def delete(self, row: int | None) -> Outcome:
        if row is None:
            return Outcome()
        self.session.delete(row)
        return self._rows_changed(self.session.undo_description, UNDO_HINT)

    def toggle_weight(self, row: int | None, message_index: int | None, shown: bool) -> Outcome:
        """Weight 0 on/off for message `message_index` (the viewer's selection, None when it has none) of `row`;
        `shown` says whether the viewer shows this row as it is now."""
        obj = self._object(row) if row is not None and shown else None
        messages = obj.get("messages") if isinstance(obj, dict) else None
        message = messages[message_index] if isinstance(messages, list) and message_index is not None \
            and 0 <= message_index < len(messages) else None
        if not isinstance(message, dict) or message.get("role") != "assistant":
            return Outcome(notice=Notice(self._weight_refusal(obj, messages), severity="warning"))
        try:
            self.session.set_weight(row, message_index, message.get("weight") != 0)
        except EditError as exc:
            return Outcome(notice=Notice(str(exc), severity="error"))
        return self._rows_changed(self.session.undo_description, UNDO_HINT)

    @staticmethod
    def _weight_refusal(obj, messages) -> str:
        """Why w cannot toggle a weight here, and what would let it."""
        if isinstance(obj, dict) and not isinstance(messages, list):
            return ("Weights belong to the assistant messages of a chat example; this example has no "
                    "messages list (preference outputs and prompt/completion rows have no weight).")
        if isinstance(messages, list) and not any(isinstance(m, dict) and m.get("role") == "assistant"
                                                  for m in messages):
            return "This example has no assistant message to set a weight on."
        return "Select an assistant message first: enter opens the example, j/k pick a message."

    def _object(self, row: int):
        try:
            return orjson.loads(self.state.data(row))
        except orjson.JSONDecodeError:
            return None

    # -- bulk fixes -------------------------------------------------------------------------------
    def _fix_params(self, name: str) -> dict:
        return {"model": self.options.model} if FIXES[name].needs_model else {}

    def fix_entries(self) -> list[tuple[str, str, str]]:
        return fix_entries(self.state)

    def suggested_fix(self) -> str | None:
        return suggested_fix(self.state.shown_report) if self.state is not None else None

    def fix_preview(self, name: str) -> int | str:
        """How many rows fix `name` would change (or what it would write)."""
        if (refusal := document_refusal(self.state, name)) is not None:
            raise FixError(refusal)
        if name == SPLIT:
            return split_preview(self.state)
        return len(self.session.preview_fix(name, **self._fix_params(name)).changes)

    def apply_fix(self, name: str) -> Outcome:
        if (refusal := document_refusal(self.state, name)) is not None:
            return Outcome(notice=Notice(refusal, title=f"Fix {name} not applied", severity="warning"))
        if name == SPLIT:
            return Outcome(split=split_request(self.session))
        try:
            report = self.session.apply_fix(name, **self._fix_params(name))
        except Exception as exc:  # noqa: BLE001 - a fix refusing (e.g. nothing to convert) explains itself
            return Outcome(notice=Notice(str(exc), title=f"Fix {name} not applied", severity="error"))
        if not report.changes:
            return Outcome(notice=Notice(f"{report.description}: nothing to change"))
        return self._rows_changed(report.summary(), UNDO_HINT)

    # -- history ----------------------------------------------------------------------------------
    def undo(self) -> Outcome:
        done = self.session.undo()
        return self._rows_changed(f"undid: {done}" if done else "nothing to undo")

    def redo(self) -> Outcome:
        done = self.session.redo()
        return self._rows_changed(f"redid: {done}" if done else "nothing to redo")

    # -- saving -----------------------------------------------------------------------------------
    def save(self, path: str | None = None) -> Outcome:
        """Ask for a save (to `path`, default the file itself); the outcome carries the request."""
        session = self.session
        if session is None:
            return Outcome()
        if not session.dirty and path is None:
            return Outcome(notice=Notice("no unsaved edits"))
        self.saving = True
        self.runs.stop("check")
        return Outcome(save=SaveRequest(session, tuple(session.segments), path, self.backup))

    def start_check(self) -> Run:
        """A new run of the checker over the whole file; results start again from nothing."""
        self.state.results.reset()
        return self.runs.start("check")

    def saved(self, saved: Saved) -> Outcome:
        """The rows are on disk: the session continues on the written file, which is checked again."""
        self.saving = False
        self.session.rebase(saved.index)
        self.state.switch_index(saved.index)
        return self._rows_changed(f"saved {saved.path}: {saved.detail}", recheck=True)

    def save_refused(self, refusal: SaveRefusal) -> Outcome:
        self.saving = False
        explain = offer = None
        if refusal.save_as_blocked is not None:
            # Offering save-as here would only fail the same way: say so, and what is left to do.
            explain = ("Cannot save these edits", (
                f"{refusal.save_as_blocked}.\n\nSaving to another file cannot work either: the unedited lines "
                "would be copied from the changed file. R reloads the file from disk (dropping these edits); "
                "before that, y copies the selected example to the clipboard."))
        elif (refusal.changed_on_disk or refusal.read_only) and refusal.path is None:
            offer = refusal.reason
        return Outcome(notice=Notice(refusal.reason, title="Not saved", severity="error", timeout=10),
                       explain=explain, offer_save_as=offer, recheck=self.state.results.checked == 0)

    def save_as_default(self) -> str:
        root, ext = os.path.splitext(self.session.path)
        return f"{root}.edited{ext or '.jsonl'}"

    # -- results ----------------------------------------------------------------------------------
    def live_request(self) -> LiveCheckRequest | None:
        """The edited rows to check again (None when there are no edits: the panes show the file's report)."""
        session = self.session
        if session is None or not session.dirty or self.saving:
            self.state.live = None
            return None
        return LiveCheckRequest(session.path, self.state.index, tuple(session.segments), session.eol,
                                session.final_newline, session.has_bom)

    def live_checked(self, live: LiveReport | None, generation: int) -> bool:
        """A check of the edited rows came back; True when the panes should show it."""
        if not self.runs.is_current("live", generation) or live is None or not self.session.dirty:
            return False
        self.state.live = live
        return True

    def file_notice_for(self, report) -> Notice | None:
        """One notice for what concerns the whole file, said once (a re-check finding the same is quiet)."""
        notice, said = file_notice(report)
        if notice is None or said == self.file_notice:
            return None
        self.file_notice = said
        return notice

    # -- moving around ----------------------------------------------------------------------------
    def jump(self, row: int, message_index: int | None = None) -> Outcome:
        """The list cursor to session row `row` (and the viewer to one of its messages), dropping the
        filter and sort when they hide the row."""
        display = self.state.display_of(row)
        if display is not None:
            return Outcome(cursor=display, message=message_index)
        self.filter = None
        self.state.sort = "line"
        self._set_view(View(None, ""))
        return Outcome(status_view="", reload_list=True, cursor=row, message=message_index)

    def goto_line(self, line: int, message_index: int | None = None, missing: str = "") -> Outcome:
        """To 1-based original line `line`; `missing` is what to say when it is not there any more."""
        row = self.state.row_for_line(line)
        if row is None:
            return Outcome(notice=Notice(missing or f"line {line} is not in this file (1–{len(self.state.index):,}) "
                                                    "or was deleted", severity="warning"))
        return self.jump(row, message_index)

    def next_error(self, display_row: int, step: int) -> Outcome:
        found = self.state.next_with_status(display_row, step)
        if found is None:
            return Outcome(notice=Notice("no more examples with errors " + ("below" if step > 0 else "above")))
        return Outcome(cursor=found)

    # -- search -----------------------------------------------------------------------------------
    def set_search(self, pattern: str, regex: bool) -> Outcome:
        return self.finder.start(pattern, regex, self.state)

    def search_again(self, step: int) -> Outcome:
        return self.finder.again(step)

    def search_matched(self, result: SearchResult, generation: int) -> Outcome:
        return self.finder.matched(result, generation, self.state)

    def matches_counted(self, matches, generation: int, row: int | None) -> Outcome:
        return self.finder.counted(matches, generation, self.state, row)

    def stop_search(self) -> Outcome | None:
        return self.finder.stop(self.state)

    @property
    def search(self) -> SearchSpec | None:
        return self.finder.spec

    # -- view -------------------------------------------------------------------------------------
    def set_filter(self, spec) -> Outcome:
        self.filter = FilterSpec(*spec) if spec is not None else None
        return Outcome(run_view=True)

    def filter_options(self) -> list[tuple[str, str]]:
        return filter_options(self.state.report if self.state is not None else None)

    def current_filter_key(self) -> str:
        return self.filter.key if self.filter is not None else "all"

    def toggle_sort(self) -> Outcome:
        self.state.sort = "tokens" if self.state.sort == "line" else "line"
        return Outcome(run_view=True)

    def clear_view(self) -> Outcome:
        """Back to every row in file order (nothing to do when that is the view already)."""
        if self.filter is None and (self.state is None or self.state.sort == "line"):
            return Outcome()
        self.filter = None
        self.state.sort = "line"
        return Outcome(run_view=True)

    def view_label(self) -> str:
        """What the status bar says while a view is being built."""
        return "filtering…" if self.filter is not None else "sorting…"

    def view_built(self, view: View, generation: int, keep_row: int | None) -> Outcome:
        """A filter or sort is ready; the cursor stays on `keep_row` when the view still shows it."""
        if not self.runs.is_current("view", generation):
            return Outcome()
        self._set_view(view)
        display = self.state.display_of(keep_row) if keep_row is not None else None
        empty = self.filter is not None and self.state.display_count() == 0
        return Outcome(status_view=view.description, reload_list=True, cursor=display or 0,
                       notice=Notice("no example matches this filter (escape clears it)", severity="warning")
                       if empty else None)

    def _set_view(self, view: View) -> None:
        self.state.view = view.rows
        self.state.view_description = view.description

    def copy(self, row: int | None) -> Outcome:
        """The row's JSON to the clipboard."""
        if row is None:
            return Outcome()
        text = self.state.data(row).decode("utf-8", "replace")
        line = self.line_of(row)
        where = f"line {line}" if line is not None else "the new example"
        return Outcome(clipboard=text, notice=Notice(f"copied {where} ({len(text):,} characters) to the clipboard"))
