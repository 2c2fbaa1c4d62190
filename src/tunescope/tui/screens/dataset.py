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
from textual.notifications import Notification, Notify
from textual.screen import Screen

from tunescope.review.commands import EDIT_ACTIONS, ReviewSession
from tunescope.review.filters import filter_from_key
from tunescope.review.json_text import EditorUnavailable
from tunescope.review.outcome import Outcome
from tunescope.review.search import SearchResult
from tunescope.review.views import View
from tunescope.tui import keymap, workers
from tunescope.tui.dialogs.editor import JsonEditorScreen
from tunescope.tui.dialogs.filter import FilterScreen
from tunescope.tui.dialogs.goto import GotoLineScreen
from tunescope.tui.dialogs.message import MessageScreen
from tunescope.tui.dialogs.search import SearchScreen
from tunescope.tui.messages import (AnalysisFailed, CheckFailed, CheckFinished, CheckProgressed,
                                    ExampleAnalysed, ExamplesChecked, IndexBuilt, IndexGrew,
                                    MatchesCounted, SearchMatched, SearchProgressed, Told, TokensEstimated,
                                    ViewBuilt, WorkFailed)
from tunescope.tui.widgets.dataset.example_list import ExampleList
from tunescope.tui.widgets.dataset.example_viewer import ExampleViewer
from tunescope.tui.widgets.dataset.findings_pane import FindingsPane
from tunescope.tui.widgets.dataset.review_panes import ReviewPanes
from tunescope.tui.widgets.dataset.stats_pane import StatsPane
from tunescope.tui.widgets.dataset.status_bar import StatusBar
from tunescope.tui.widgets.fitted_footer import FittedFooter
from tunescope.tui.screens.dataset_file import DatasetFileActions
from tunescope.tui.screens.dataset_live import LiveFindings
from tunescope.tui.screens.dataset_mask import MaskPreviewKey
from tunescope.tui.screens.dataset_versions import VersionsKey
from tunescope.tui.screens.dataset_targets import TargetActions


class DatasetScreen(DatasetFileActions, TargetActions, LiveFindings, MaskPreviewKey, VersionsKey, Screen):
    """Review and fix one dataset file."""

    BINDINGS = keymap.DATASET_SCREEN_BINDINGS
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]

    def __init__(self, path: str | None, display_name: str, options, model_info, settings,
                 allow_estimate: bool = False, open_error: str | None = None) -> None:
        super().__init__()
        self.path, self.display_name, self.open_error = path, display_name, open_error
        self.options, self.model_info, self.allow_estimate = options, model_info, allow_estimate
        self.review = ReviewSession(options, allow_estimate, getattr(settings, "backup", "none"))
        self.cancel = threading.Event()        # indexing
        self._edit_toast: Notification | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield ReviewPanes(id="main")
        yield FittedFooter()

    @property
    def state(self):
        return self.review.state

    def on_mount(self) -> None:
        self.status_bar, self.panes = self.query_one(StatusBar), self.query_one(ReviewPanes)
        self.example_list, self.viewer = self.query_one(ExampleList), self.query_one(ExampleViewer)
        self.status_bar.set(file=self.display_name, model=self.options.model)
        self.query_one(StatsPane).show_model_table(self.options.model)
        state, self.open_error = self.review.open(self.path, self.open_error)
        if state is None:
            self.example_list.empty_text = self.open_error
            self.viewer.clear(self.open_error)
            self.notify(self.open_error, title="Cannot open the file", severity="error", timeout=10)
            return
        self.panes.set_state(state)
        self.watch_disk()
        self.status_bar.set(phase="indexing", done=0, total=state.index.size)
        workers.start_daemon(workers.index_file, state.index, self.post_message, self.cancel, name="tunescope-index")

    def on_unmount(self) -> None:
        self.stop_background_work()

    def stop_background_work(self) -> None:
        """Tell every background thread to stop; nothing waits for them."""
        self.cancel.set()
        self.review.runs.stop_all()

    def _thread(self, work, *args, group: str, exclusive: bool = False) -> None:
        self.run_worker(partial(work, *args), thread=True, group=group, exclusive=exclusive, exit_on_error=False)

    def start_check(self) -> None:
        """(Re)check the whole file in the background; earlier runs are cancelled and ignored."""
        run = self.review.start_check()
        self.status_bar.set(phase="checking", done=0, total=self.state.index.size)
        workers.start_daemon(workers.check_dataset, self.state.index, self.options, self.allow_estimate,
                             self.post_message, run, name="tunescope-check")
        self.start_target_check()                   # the chosen target's rules, over the same file

    def _analyse(self, *analyses) -> None:
        if analyses := [a for a in analyses if a is not None]:
            self._thread(workers.analyse_rows, self.review.checker, analyses, self.state.format, self.post_message,
                         group="analyse")

    # -- index and check messages -----------------------------------------------------------------
    def on_index_grew(self, event: IndexGrew) -> None:
        self.example_list.reload()
        self.status_bar.set(lines=event.lines, done=event.scanned, total=event.size)

    def on_index_built(self, event: IndexBuilt) -> None:
        if event.error:
            self.notify(f"indexing stopped: {event.error}", title="Cannot read the whole file", severity="error")
        self.show_outcome(Outcome(notice=self.review.start_editing(), reload_list=True))
        self.status_bar.set(lines=len(self.state.index), phase="")
        self.start_check()
        self.panes.follow()

    @on(ExamplesChecked)
    @on(CheckProgressed)
    @on(CheckFinished)
    @on(CheckFailed)
    def _checker_said(self, event: ExamplesChecked | CheckProgressed | CheckFinished | CheckFailed) -> None:
        """What the current run of the checker sends (an older run's messages are dropped)."""
        if not self.review.runs.is_current("check", event.generation):
            return
        match event:
            case CheckProgressed(done=done, total=total):
                self.status_bar.set(phase="checking", done=done, total=total)
                return
            case ExamplesChecked(summaries=summaries):
                for summary in summaries:
                    self.state.results.add(summary)
            case CheckFinished(report=report):
                self.state.check_finished(report)
                self.status_bar.set(phase="", format=report.format, estimated=self.state.results.estimated)
                self.show_report(report)
                self.show_outcome(Outcome(notice=self.review.file_notice_for(report)))
                self.schedule_live_check()          # edits made while the file was being checked
                self.panes.follow()
            case CheckFailed(reason=reason):
                self.state.results.finished = True
                self.status_bar.set(phase="")
                self.notify(reason, title="Checking failed; rows are shown unchecked", severity="error", timeout=10)
        self.example_list.refresh()
        self.status_bar.show_counts(self.state)

    def on_tokens_estimated(self, event: TokensEstimated) -> None:
        self.state.results.estimated = True
        self.status_bar.set(estimated=True)
        self.notify(f"{event.reason}\nToken counts are estimates until then (marked ~estimated).",
                    title="Exact token counts unavailable", severity="warning", timeout=15)

    def on_told(self, event: Told) -> None:
        self.notify(event.text, title=event.title, timeout=10)

    def on_work_failed(self, event: WorkFailed) -> None:
        self.notify(f"{event.what} failed: {event.reason}", severity="error")

    # -- the viewer and re-analysis -----------------------------------------------------------------
    def current_row(self) -> int | None:
        """Session row under the list cursor (None when the list is empty)."""
        return self.panes.current_row()

    def on_review_panes_analysis_wanted(self, event: ReviewPanes.AnalysisWanted) -> None:
        if 0 <= event.row < self.state.row_count():      # quick deletes can remove the row before this comes
            self._analyse(self.review.checker.for_viewer(self.state, event.row, event.data))

    def on_example_list_rows_shown(self, event: ExampleList.RowsShown) -> None:
        if self.state is not None:
            self._analyse(*self.review.checker.for_rows(self.state, range(event.first, event.first + event.count)))

    def on_example_analysed(self, event: ExampleAnalysed) -> None:
        self.review.checker.checked(self.state, event.key, event.summary)
        if event.key[0] == "m":
            self.example_list.refresh()
            self.status_bar.show_counts(self.state)
        self.panes.shown(event.data)

    def on_analysis_failed(self, event: AnalysisFailed) -> None:
        self.review.checker.checked(self.state, event.key, None)
        self.notify(f"could not analyse line {event.line}: {event.reason}", severity="warning")

    # -- panes ---------------------------------------------------------------------------------------
    def show_pane(self, name: str) -> None:
        self.panes.show(name)

    def action_next_pane(self) -> None:
        self.panes.step(1)

    def action_previous_pane(self) -> None:
        self.panes.step(-1)

    def action_back(self) -> None:
        stopped = self.review.stop_search()
        if stopped is not None:
            self.show_outcome(stopped)
        elif self.panes.current() != "list" or self.panes.side_open:
            self.panes.show("list")
        else:
            self.show_outcome(self.review.clear_view())

    # -- moving around, search, filter, sort -------------------------------------------------------------
    def jump_to_row(self, row: int, message_index: int | None = None) -> None:
        """Move the cursor to session row `row`, clearing the filter if it hides the row."""
        self.show_outcome(self.review.jump(row, message_index))

    def action_goto_line(self) -> None:
        def done(line: int | None) -> None:
            if line is not None:
                self.show_outcome(self.review.goto_line(line))
                self.example_list.focus()
        if self.state is not None:
            self.app.push_screen(GotoLineScreen(len(self.state.index), self.review.line_of(self.current_row())), done)

    def action_next_error(self, step: int = 1) -> None:
        if self.state is not None:
            self.show_outcome(self.review.next_error(self.example_list.cursor, step))

    def action_previous_error(self) -> None:
        self.action_next_error(-1)

    def on_findings_pane_group_selected(self, event: FindingsPane.GroupSelected) -> None:
        self.set_filter(("check", event.check_id))
        if self.has_class("-narrow"):       # the list is hidden behind the pane there: show the lines asked for
            self.show_pane("list")

    def on_findings_pane_finding_selected(self, event: FindingsPane.FindingSelected) -> None:
        if self.state is not None and event.line is not None:
            self.show_outcome(self.review.goto_line(event.line, event.message_index, f"line {event.line} was deleted"))

    def on_stats_pane_model_changed(self, event: StatsPane.ModelChanged) -> None:
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

    def on_search_matched(self, event: SearchMatched) -> None:
        self.show_outcome(self.review.search_matched(SearchResult(event.pattern, event.row, event.wrapped),
                                                     event.generation))
        self.example_list.refresh()                 # the matches are highlighted

    def on_search_progressed(self, event: SearchProgressed) -> None:
        if self.review.runs.is_current("search", event.generation):
            percent = 100 * event.done // max(1, event.total)
            self.status_bar.set(view=f"searching {self.review.search.pattern!r}… {percent}% (esc stops)")

    def count_matches(self) -> None:
        run = self.review.runs.start("count")
        self._thread(workers.count_search, self.state, self.review.search, self.post_message, run, group="count")

    def on_matches_counted(self, event: MatchesCounted) -> None:
        if not self.review.runs.running("search"):
            self.show_outcome(self.review.matches_counted(event.matches, event.generation, self.current_row()))
        else:                                       # the running search's answer shows the count
            self.review.matches_counted(event.matches, event.generation, None)

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

    def on_view_built(self, event: ViewBuilt) -> None:
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
        self.show_outcome(self.review.open_editor(self.current_row()))

    def apply_text(self, row: int, text: str) -> bool:
        """Replace `row` by `text`; False when it was refused (the editor comes back on invalid JSON)."""
        outcome = self.review.edit(row, text)
        self.show_outcome(outcome)
        return outcome.refresh_rows

    def action_edit_external(self) -> None:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        self.show_outcome(self.review.edit_externally(self.current_row(), editor, self._run_editor))

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
        self.show_outcome(self.review.delete(self.current_row()))

    def action_toggle_weight(self) -> None:
        row = self.current_row()
        shown = row is not None and self.viewer.data == self.state.data(row)
        self.show_outcome(self.review.toggle_weight(row, self.viewer.selected_message_index if shown else None, shown))

    def action_undo(self) -> None:
        self.show_outcome(self.review.undo())

    def action_redo(self) -> None:
        self.show_outcome(self.review.redo())

    def action_copy(self) -> None:
        self.show_outcome(self.review.copy(self.current_row()))

    # -- rendering outcomes ------------------------------------------------------------------------------
    def show_outcome(self, outcome: Outcome) -> None:
        """Render what a review command did, in the order the Outcome lists it."""
        if outcome.recheck:
            self.start_check()
        if outcome.status_view is not None:
            self.status_bar.set(view=outcome.status_view)
        self.panes.show_rows(outcome.reload_list, outcome.refresh_rows, outcome.cursor, outcome.message)
        if outcome.refresh_rows:
            self.status_bar.show_counts(self.state)
            self.schedule_live_check()
        if outcome.run_view:
            self.apply_view()
        if outcome.search_step is not None:
            self.start_search(outcome.search_step)
        if outcome.count_matches:
            self.count_matches()
        if outcome.toast_text:
            self.notify_change(outcome.toast_text)
        if (notice := outcome.notice) is not None:
            self.notify(notice.text, title=notice.title, severity=notice.severity, timeout=notice.timeout)
        if outcome.clipboard is not None:
            self.app.copy_to_clipboard(outcome.clipboard)
        if (editor := outcome.editor) is not None:
            self.app.push_screen(JsonEditorScreen(editor.text, editor.title, error=editor.error),
                                 lambda text: self.apply_text(editor.row, text) if text is not None else None)
        if outcome.save is not None:
            self.status_bar.set(phase="saving", done=0, total=1)
            self._thread(workers.save, outcome.save, self.post_message, group="save", exclusive=True)
        if outcome.split is not None:
            self._thread(workers.split, outcome.split, self.post_message, group="split", exclusive=True)
        if outcome.explain is not None:
            self.app.push_screen(MessageScreen(*outcome.explain))
        if outcome.offer_save_as is not None:
            self.action_save_as(outcome.offer_save_as)
        self.refresh_bindings()

    def notify_change(self, text: str) -> None:
        """Toast the latest change in place of the previous change's toast: six quick deletes stacked six
        toasts over the 80x24 list. The previous one is expired (timeout 0), so the app drops it."""
        if self._edit_toast is not None:
            self._edit_toast.timeout = 0
        self._edit_toast = Notification(text, "", "information", self.app.NOTIFICATION_TIMEOUT)
        self.app.post_message(Notify(self._edit_toast))
