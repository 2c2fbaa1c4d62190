"""The dataset screen: the example list, the viewer, findings and stats, wired together.

Composition and routing only. Keys go to the `ReviewSession` (review/commands.py),
which answers with an `Outcome` that `show_outcome` renders; blocking work runs
in the launchers of workers.py and comes back as messages, whose handlers here
apply it. Widgets get their data from above and say what happened with messages.
"""

from __future__ import annotations

import os
import subprocess
import threading
from functools import partial

from textual import on
from textual.app import ComposeResult, SuspendNotSupported
from textual.containers import Horizontal
from textual.notifications import Notification, Notify
from textual.screen import Screen
from textual.widgets import TabbedContent, TabPane

from tunescope.dataset.index import LineIndex
from tunescope.review.commands import EDIT_ACTIONS, FIXES, ReviewSession
from tunescope.review.filters import filter_from_key
from tunescope.review.json_text import EditorUnavailable, json_problem, pretty_json
from tunescope.review.outcome import Notice, Outcome
from tunescope.review.saving import Saved, SaveRefusal
from tunescope.review.search import SearchResult
from tunescope.review.views import View
from tunescope.tokens.models import load_models
from tunescope.tui import keymap, workers
from tunescope.tui.dialogs.confirm import ConfirmScreen
from tunescope.tui.dialogs.editor import JsonEditorScreen
from tunescope.tui.dialogs.fixes_menu import FixesMenu
from tunescope.tui.dialogs.prompts import FilterScreen, GotoLineScreen, MessageScreen, SaveAsScreen, SearchScreen
from tunescope.tui.messages import (AnalysisFailed, CheckFailed, CheckFinished, CheckProgressed, DatasetSaved,
                                    ExampleAnalysed, ExamplesChecked, IndexBuilt, IndexGrew, SaveRejected,
                                    SearchMatched, TokensEstimated, ViewBuilt, WorkFailed)
from tunescope.tui.widgets.dataset.example_list import ExampleList
from tunescope.tui.widgets.dataset.example_viewer import ExampleViewer
from tunescope.tui.widgets.dataset.findings_pane import FindingsPane
from tunescope.tui.widgets.dataset.stats_pane import StatsPane
from tunescope.tui.widgets.dataset.status_bar import StatusBar
from tunescope.tui.widgets.fitted_footer import FittedFooter

PANES = ("list", "viewer", "findings", "stats")
TAB_OF = {"viewer": "tab-example", "findings": "tab-findings", "stats": "tab-stats"}
EMPTY_FILE = "This file is empty: there is nothing to review. A fine-tuning file needs one JSON object per line."


class DatasetScreen(Screen):
    """Review and fix one dataset file."""

    BINDINGS = keymap.DATASET_BINDINGS + [keymap._b("escape", "back", "Back", "dataset.back", "Back to the list")]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]

    def __init__(self, path: str | None, display_name: str, options, model_info, settings,
                 allow_estimate: bool = False, open_error: str | None = None) -> None:
        super().__init__()
        self.path, self.display_name, self.open_error = path, display_name, open_error
        self.options, self.model_info, self.allow_estimate = options, model_info, allow_estimate
        self.review = ReviewSession(options, allow_estimate, getattr(settings, "backup", "none"))
        self.cancel = threading.Event()        # indexing
        self._pending_viewer = None
        self._pane_wanted: str | None = None   # side pane asked for, until it takes focus
        self._edit_toast: Notification | None = None

    def compose(self) -> ComposeResult:
        self.status_bar, self.example_list, self.viewer = StatusBar(id="status"), ExampleList(id="list"), \
            ExampleViewer(id="viewer")
        yield self.status_bar
        with Horizontal(id="main"):
            yield self.example_list
            with TabbedContent(id="side", initial="tab-example"):
                with TabPane("Example", id="tab-example"):
                    yield self.viewer
                with TabPane("Findings", id="tab-findings"):
                    yield FindingsPane(id="findings")
                with TabPane("Stats", id="tab-stats"):
                    yield StatsPane(id="stats")
        yield FittedFooter()

    @property
    def state(self):
        return self.review.state

    def on_mount(self) -> None:
        self.status_bar.set(file=self.display_name, model=self.options.model)
        self.example_list.focus()
        try:
            self.query_one(StatsPane).set_models(load_models().names(), self.options.model)
        except Exception as exc:  # noqa: BLE001 - a broken user model table: the rest still works
            self.notify(f"model table unavailable: {exc}", severity="warning")
        try:
            index = LineIndex(self.path) if self.open_error is None else None
        except OSError as exc:
            self.open_error = f"{self.path}: {exc.strerror or exc}"
        if self.open_error is not None:
            self.example_list.empty_text = self.open_error
            self.viewer.clear(self.open_error)
            self.notify(self.open_error, title="Cannot open the file", severity="error", timeout=10)
            return
        self.example_list.set_state(self.review.open(index))
        self.status_bar.set(phase="indexing", done=0, total=index.size)
        workers.start_daemon(workers.index_file, index, self.post_message, self.cancel, name="tunescope-index")

    def on_unmount(self) -> None:
        self.stop_background_work()

    def stop_background_work(self) -> None:
        """Tell every background thread to stop; nothing waits for them."""
        self.cancel.set()
        self.review.runs.stop_all()

    def _thread(self, work, *args, group: str, exclusive: bool = False) -> None:
        self.run_worker(partial(work, *args), thread=True, group=group, exclusive=exclusive, exit_on_error=False,
                        description=group)

    def start_check(self) -> None:
        """(Re)check the whole file in the background; earlier runs are cancelled and ignored."""
        run = self.review.runs.start("check")
        self.state.results.reset()
        self.status_bar.set(phase="checking", done=0, total=self.state.index.size)
        workers.start_daemon(workers.check_dataset, self.state.index, self.options, self.allow_estimate,
                             self.post_message, run, name="tunescope-check")

    def _analyse(self, *analyses) -> None:
        if any(analyses):
            self._thread(workers.analyse_rows, self.review.checker, [a for a in analyses if a], self.state.format,
                         self.post_message, group="analyse")

    # -- index and check messages -----------------------------------------------------------------
    @on(IndexGrew)
    def _index_grew(self, event: IndexGrew) -> None:
        self.example_list.reload()
        self.status_bar.set(lines=event.lines, done=event.scanned, total=event.size)

    @on(IndexBuilt)
    def _index_built(self, event: IndexBuilt) -> None:
        if event.error:
            self.notify(f"indexing stopped: {event.error}", title="Cannot read the whole file", severity="error")
        self.show_outcome(Outcome(notice=self.review.start_editing(), reload_list=True))
        self.status_bar.set(lines=len(self.state.index), phase="")
        if self.state.index.size == 0:
            self.viewer.clear(EMPTY_FILE)
        self.start_check()
        self.schedule_viewer()

    @on(ExamplesChecked)
    def _examples_checked(self, event: ExamplesChecked) -> None:
        if self.review.runs.is_current("check", event.generation):
            for summary in event.summaries:
                self.state.results.add(summary)
            self.example_list.refresh()
            self.status_bar.show_counts(self.state)

    @on(CheckProgressed)
    def _check_progressed(self, event: CheckProgressed) -> None:
        if self.review.runs.is_current("check", event.generation):
            self.status_bar.set(phase="checking", done=event.done, total=event.total)

    @on(CheckFinished)
    def _check_finished(self, event: CheckFinished) -> None:
        if self.review.runs.is_current("check", event.generation):
            self.state.check_finished(event.report)
            self.status_bar.set(phase="", format=event.report.format, estimated=self.state.results.estimated)
            self.status_bar.show_counts(self.state)
            self.example_list.refresh()
            self.query_one(FindingsPane).set_report(event.report)
            self.query_one(StatsPane).set_report(event.report, self.model_info)
            self.say(self.review.file_notice_for(event.report))
            self.schedule_viewer()

    @on(CheckFailed)
    def _check_failed(self, event: CheckFailed) -> None:
        if self.review.runs.is_current("check", event.generation):
            self.state.results.finished = True
            self.example_list.refresh()
            self.status_bar.set(phase="")
            self.notify(event.reason, title="Checking failed; rows are shown unchecked", severity="error",
                        timeout=10)

    @on(TokensEstimated)
    def _tokens_estimated(self, event: TokensEstimated) -> None:
        self.state.results.estimated = True
        self.status_bar.set(estimated=True)
        self.notify(f"{event.reason}\nToken counts are estimates until then (marked ~estimated).",
                    title="Exact token counts unavailable", severity="warning", timeout=15)

    @on(WorkFailed)
    def _work_failed(self, event: WorkFailed) -> None:
        self.notify(f"{event.what} failed: {event.reason}", severity="error")

    # -- the viewer and re-analysis -----------------------------------------------------------------
    @on(ExampleList.Highlighted)
    @on(TabbedContent.TabActivated, pane="#tab-example")
    def schedule_viewer(self) -> None:
        if self._pending_viewer is not None:
            self._pending_viewer.stop()
        self._pending_viewer = self.set_timer(0.03, self.show_selected)

    def current_row(self) -> int | None:
        """Session row under the list cursor (None when the list is empty)."""
        if self.state is None or not self.example_list.count:
            return None
        return self.state.row_at(self.example_list.cursor)

    def show_selected(self, keep_cursor: bool = False) -> None:
        row = self.current_row()
        if row is not None and not self.viewer.show_row(self.state, row, keep_cursor):
            self._analyse(self.review.viewer_analysis(row, self.viewer.data))

    @on(ExampleList.RowsShown)
    def _rows_shown(self, event: ExampleList.RowsShown) -> None:
        if self.state is not None:
            self._analyse(*self.review.analyses_for(range(event.first, event.first + event.count)))

    @on(ExampleAnalysed)
    def _example_analysed(self, event: ExampleAnalysed) -> None:
        self.review.analysed(event.key, event.summary)
        if event.key[0] == "m":
            self.example_list.refresh()
            self.status_bar.show_counts(self.state)
        row = self.current_row()
        if row is not None and self.state.data(row) == event.data:
            self.show_selected(keep_cursor=True)

    @on(AnalysisFailed)
    def _analysis_failed(self, event: AnalysisFailed) -> None:
        self.review.analysed(event.key, None)
        self.notify(f"could not analyse line {event.line}: {event.reason}", severity="warning")

    # -- panes ---------------------------------------------------------------------------------------
    def current_pane(self) -> str:
        if self._pane_wanted is not None:      # focus is moving there (applied after the next refresh)
            return self._pane_wanted
        node = self.focused
        while node is not None and node is not self:
            if node.id in PANES:
                return node.id
            node = node.parent
        return "list"

    @on(ExampleList.Opened)
    def _opened(self) -> None:
        self.show_pane("viewer")

    @on(ExampleViewer.Closed)
    def _viewer_closed(self) -> None:
        self.show_pane("list")

    def show_pane(self, name: str) -> None:
        """Focus a pane; on narrow screens the side panes replace the list while open."""
        self._pane_wanted = None if name == "list" else name
        self.set_class(name != "list", "-side-open")
        if name == "list":
            self.example_list.focus()
            return
        self.query_one("#side", TabbedContent).active = TAB_OF[name]
        self.call_after_refresh(self._focus_pane, name)

    def _focus_pane(self, name: str) -> None:
        """Focus a side pane once it is shown (a hidden widget cannot take focus)."""
        if self._pane_wanted == name:
            self._pane_wanted = None
            self.query_one(f"#{name}").focus()

    def action_next_pane(self, step: int = 1) -> None:
        self.show_pane(PANES[(PANES.index(self.current_pane()) + step) % len(PANES)])

    def action_previous_pane(self) -> None:
        self.action_next_pane(-1)

    def action_back(self) -> None:
        stopped = self.review.stop_search()
        if stopped is not None:
            self.show_outcome(stopped)
        elif self.current_pane() != "list" or self.has_class("-side-open"):
            self.show_pane("list")
        else:
            self.show_outcome(self.review.clear_view())

    # -- moving around, search, filter, sort -------------------------------------------------------------
    def jump_to_row(self, row: int, message_index: int | None = None) -> bool:
        """Move the cursor to session row `row`, clearing the filter if it hides the row."""
        self.show_outcome(self.review.jump(row, message_index))
        return True

    def action_goto_line(self) -> None:
        def done(line: int | None) -> None:
            if line is not None:
                self.show_outcome(self.review.goto_line(line))
                self.example_list.focus()
        if self.state is not None:
            row = self.current_row()
            origin = self.state.origin(row) if row is not None else None
            self.app.push_screen(GotoLineScreen(len(self.state.index), None if origin is None else origin + 1), done)

    def action_next_error(self, step: int = 1) -> None:
        if self.state is not None:
            self.show_outcome(self.review.next_error(self.example_list.cursor, step))

    def action_previous_error(self) -> None:
        self.action_next_error(-1)

    @on(FindingsPane.GroupSelected)
    def _group_selected(self, event: FindingsPane.GroupSelected) -> None:
        self.set_filter(("check", event.check_id))
        if self.has_class("-narrow"):       # the list is hidden behind the pane there: show the lines asked for
            self.show_pane("list")

    @on(FindingsPane.FindingSelected)
    def _finding_selected(self, event: FindingsPane.FindingSelected) -> None:
        if self.state is not None and event.line is not None:
            self.show_outcome(self.review.goto_line(event.line, event.message_index, f"line {event.line} was deleted"))

    @on(StatsPane.ModelChanged)
    def _model_changed(self, event: StatsPane.ModelChanged) -> None:
        self.app.change_model(event.name)

    def action_search(self) -> None:
        last = self.review.search
        self.app.push_screen(SearchScreen(last.pattern if last else "", last.regex if last else False),
                             lambda found: self.show_outcome(self.review.set_search(*found)) if found else None)

    def action_search_next(self, step: int = 1) -> None:
        self.show_outcome(self.review.search_again(step))

    def action_search_previous(self) -> None:
        self.action_search_next(-1)

    def start_search(self, step: int) -> None:
        """Search from the cursor in a worker; a newer search (or esc) stops the one running. On a big file
        a search that finds nothing reads every line, so the status bar says it runs and esc stops it."""
        run, spec = self.review.runs.start("search"), self.review.search
        self.status_bar.set(view=f"searching {spec.pattern!r}… (esc stops)")
        self._thread(workers.search, self.state, spec, self.example_list.cursor, step, self.post_message, run,
                     group="search")

    @on(SearchMatched)
    def _search_matched(self, event: SearchMatched) -> None:
        self.show_outcome(self.review.search_matched(SearchResult(event.pattern, event.row, event.wrapped),
                                                     event.generation))

    def action_filter(self) -> None:
        self.app.push_screen(FilterScreen(self.review.filter_options(), self.review.current_filter_key()),
                             lambda key: self.set_filter(filter_from_key(key)) if key is not None else None)

    def set_filter(self, spec) -> None:
        self.show_outcome(self.review.set_filter(spec))

    def action_sort(self) -> None:
        if self.state is not None:
            self.show_outcome(self.review.toggle_sort())

    def apply_view(self) -> None:
        run = self.review.runs.start("view")
        self.status_bar.set(view=self.review.view_label())
        self._thread(workers.view, self.state, self.review.filter, self.state.sort, self.post_message, run,
                     group="view", exclusive=True)

    @on(ViewBuilt)
    def _view_built(self, event: ViewBuilt) -> None:
        self.show_outcome(self.review.view_built(View(event.rows, event.description), event.generation,
                                                 self.current_row()))

    # -- edits -----------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters) -> bool | None:
        return self.review.availability(action)

    def on_key(self, event) -> None:
        """A greyed-out edit key still answers: the footer dims it, the toast says why."""
        active = self.active_bindings.get(event.key)
        if active is not None and active.node is self and active.binding.action in EDIT_ACTIONS \
                and not active.enabled:
            self.notify(self.review.unavailable_reason(active.binding.action))

    def action_edit(self) -> None:
        row = self.current_row()
        if row is not None:
            self.open_editor(row, pretty_json(self.state.data(row)))

    def open_editor(self, row: int, text: str, error: str = "") -> None:
        self.app.push_screen(JsonEditorScreen(text, self.review.editor_title(row), validate=json_problem, error=error),
                             lambda new_text: self.apply_text(row, new_text) if new_text is not None else None)

    def apply_text(self, row: int, text: str) -> bool:
        """Replace `row` by `text`; False when it was refused (the editor comes back on invalid JSON)."""
        outcome = self.review.edit(row, text)
        self.show_outcome(outcome)
        return outcome.refresh_rows

    def action_edit_external(self) -> None:
        row = self.current_row()
        if row is not None:
            editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
            self.show_outcome(self.review.edit_externally(row, editor, self._run_editor))

    def _run_editor(self, command: list[str]) -> int:
        """Hand the terminal to an external editor; its exit status."""
        try:
            with self.app.suspend():
                return subprocess.run(command).returncode
        except SuspendNotSupported:
            if not self.app.is_headless:
                raise EditorUnavailable("This terminal cannot hand over to an external editor; press e instead.")
            return subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True).returncode

    def action_delete(self) -> None:
        row = self.current_row()
        if row is not None:
            self.show_outcome(self.review.delete(row))

    def action_toggle_weight(self) -> None:
        row = self.current_row()
        shown = row is not None and self.viewer.data == self.state.data(row)
        self.show_outcome(self.review.toggle_weight(row, self.viewer.selected_message_index if shown else None, shown))

    def action_fixes(self) -> None:
        self.app.push_screen(FixesMenu(FIXES, self.review.fix_preview),
                             lambda name: self.show_outcome(self.review.apply_fix(name)) if name else None)

    def action_undo(self) -> None:
        self.show_outcome(self.review.undo())

    def action_redo(self) -> None:
        self.show_outcome(self.review.redo())

    def action_copy(self) -> None:
        row = self.current_row()
        if row is not None:
            text, notice = self.review.copy_text(row)
            self.app.copy_to_clipboard(text)
            self.show_outcome(Outcome(notice=notice))

    # -- saving and quitting ---------------------------------------------------------------------------
    def action_save(self, path: str | None = None) -> None:
        self.show_outcome(self.review.save(path))

    @on(DatasetSaved)
    def _dataset_saved(self, event: DatasetSaved) -> None:
        outcome = self.review.saved(Saved(event.path, event.detail, event.index))
        self.path = self.review.session.path            # the session continues on the written file
        self.display_name = os.path.basename(self.path)
        self.status_bar.set(phase="", file=self.display_name, lines=len(self.state.index))
        self.show_outcome(outcome)

    @on(SaveRejected)
    def _save_rejected(self, event: SaveRejected) -> None:
        self.status_bar.set(phase="")
        refusal = SaveRefusal(event.reason, event.changed_on_disk, event.path, event.save_as_blocked)
        self.show_outcome(self.review.save_refused(refusal))

    def request_quit(self) -> None:
        def done(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.stop_background_work()
                self.app.exit()
        if self.review.session is None or not self.review.session.dirty:
            done(True)
        else:
            self.app.push_screen(ConfirmScreen("You have unsaved edits. Quit and lose them? (ctrl+s saves)",
                                               danger=True), done)

    # -- rendering outcomes ------------------------------------------------------------------------------
    def show_outcome(self, outcome: Outcome) -> None:
        """Render what a review command did, in the order the Outcome lists it."""
        if outcome.recheck:
            self.start_check()
        if outcome.status_view is not None:
            self.status_bar.set(view=outcome.status_view)
        if outcome.reload_list or outcome.refresh_rows:
            self.example_list.reload()
        if outcome.refresh_rows:
            self.status_bar.show_counts(self.state)
            self.show_selected(keep_cursor=True)
        if outcome.cursor is not None:
            self.example_list.move_to(outcome.cursor, center=True)
        if outcome.message is not None:
            self.call_after_refresh(lambda: (self.show_selected(), self.viewer.select_message(outcome.message)))
        if outcome.run_view:
            self.apply_view()
        if outcome.search_step is not None:
            self.start_search(outcome.search_step)
        if outcome.toast_text:
            self.notify_change(outcome.toast_text)
        self.say(outcome.notice)
        if outcome.retry is not None:
            self.open_editor(outcome.retry.row, outcome.retry.text, outcome.retry.error)
        if outcome.save is not None:
            self.status_bar.set(phase="saving", done=0, total=1)
            self._thread(workers.save, outcome.save, self.post_message, group="save", exclusive=True)
        if outcome.explain is not None:
            self.app.push_screen(MessageScreen(*outcome.explain))
        if outcome.offer_save_as is not None:
            self.app.push_screen(SaveAsScreen(self.review.save_as_default(), reason=outcome.offer_save_as),
                                 lambda path: self.action_save(os.path.expanduser(path)) if path else None)
        self.refresh_bindings()

    def say(self, notice: Notice | None) -> None:
        if notice is not None:
            self.notify(notice.text, title=notice.title, severity=notice.severity, timeout=notice.timeout)

    def notify_change(self, text: str) -> None:
        """Toast the latest change in place of the previous change's toast: six quick deletes stacked six
        toasts over the 80x24 list. The previous one is expired (timeout 0), so the app drops it."""
        if self._edit_toast is not None:
            self._edit_toast.timeout = 0
        self._edit_toast = Notification(text, "", "information", self.app.NOTIFICATION_TIMEOUT)
        self.app.post_message(Notify(self._edit_toast))
