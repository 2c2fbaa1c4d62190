"""The dataset screen: the example list, the viewer, findings and stats, wired together.

Composition and message routing only. Blocking work (indexing, checking,
searching, filtering, saving) runs in thread workers (see workers.py) that
post messages; the handlers here own every change of state. Edit actions live
in `EditActions` (edit_actions.py), navigation, search, filter and sort in
`ViewActions` (view_actions.py).
"""

from __future__ import annotations

import threading

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Static, TabbedContent, TabPane

from tunescope.tui import keymap, workers
from tunescope.tui.edit_actions import EditActions
from tunescope.tui.view_actions import ViewActions
from tunescope.tui.messages import (CheckFailed, CheckFinished, CheckProgressed, ExampleAnalysed, ExamplesChecked,
                                    IndexBuilt, IndexGrew, NoticePosted, TokensEstimated)
from tunescope.review.state import DatasetState, digest
from tunescope.tui.widgets.dataset.example_list import ExampleList
from tunescope.tui.widgets.dataset.example_viewer import ExampleViewer
from tunescope.tui.widgets.fitted_footer import FittedFooter
from tunescope.tui.widgets.dataset.status_bar import StatusBar

PANES = ("list", "viewer", "findings", "stats")
TAB_OF = {"viewer": "tab-example", "findings": "tab-findings", "stats": "tab-stats"}


def _findings_pane():
    try:
        from tunescope.tui.widgets.dataset.findings_pane import FindingsPane
        return FindingsPane(id="findings")
    except ImportError:
        return Static("Findings pane unavailable", id="findings")


def _stats_pane():
    try:
        from tunescope.tui.widgets.dataset.stats_pane import StatsPane
        return StatsPane(id="stats")
    except ImportError:
        return Static("Stats pane unavailable", id="stats")


class DatasetScreen(ViewActions, EditActions, Screen):
    """Review and fix one dataset file."""

    BINDINGS = keymap.DATASET_BINDINGS + [keymap._b("escape", "back", "Back", "dataset.back", "Back to the list")]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]

    def __init__(self, path: str | None, display_name: str, options, model_info, settings,
                 allow_estimate: bool = False, open_error: str | None = None) -> None:
        super().__init__()
        self.path = path
        self.display_name = display_name
        self.options = options
        self.model_info = model_info
        self.settings = settings
        self.allow_estimate = allow_estimate
        self.open_error = open_error
        self.state: DatasetState | None = None
        self.cancel = threading.Event()
        self.generation = 0
        self.view_generation = 0
        self.filter_spec: tuple[str, str | None] | None = None
        self.search_spec: workers.SearchSpec | None = None
        self.counter = workers.CounterHolder(options.encoding, allow_estimate)
        self.estimated_reason: str | None = None
        self._pending_viewer = None
        self._analysing: set = set()
        self._pane_wanted: str | None = None   # side pane asked for, until it takes focus
        self._file_notice: tuple = ()          # checks named by the last "About this file" toast

    # -- composition ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="main"):
            yield ExampleList(id="list")
            with TabbedContent(id="side", initial="tab-example"):
                with TabPane("Example", id="tab-example"):
                    yield ExampleViewer(id="viewer")
                with TabPane("Findings", id="tab-findings"):
                    yield _findings_pane()
                with TabPane("Stats", id="tab-stats"):
                    yield _stats_pane()
        yield FittedFooter()

    @property
    def example_list(self) -> ExampleList:
        return self.query_one("#list", ExampleList)

    @property
    def viewer(self) -> ExampleViewer:
        return self.query_one("#viewer", ExampleViewer)

    @property
    def status_bar(self) -> StatusBar:
        return self.query_one("#status", StatusBar)

    def on_mount(self) -> None:
        self.status_bar.set(file=self.display_name, model=self.options.model)
        self.example_list.focus()
        stats = self.query_one("#stats")
        if hasattr(stats, "set_models"):
            try:
                from tunescope.tokens.models import load_models
                stats.set_models(load_models().names(), self.options.model)
            except Exception as exc:
                self.notify(f"model table unavailable: {exc}", severity="warning")
        if self.open_error is not None:
            self.example_list.empty_text = self.open_error
            self.viewer.clear(self.open_error)
            self.notify(self.open_error, title="Cannot open the file", severity="error", timeout=10)
            return
        try:
            from tunescope.dataset.index import LineIndex
            index = LineIndex(self.path)
        except OSError as exc:
            message = f"{self.path}: {exc.strerror or exc}"
            self.example_list.empty_text = message
            self.viewer.clear(message)
            self.notify(message, title="Cannot open the file", severity="error", timeout=10)
            return
        self.state = DatasetState(index, self.options.token_limit)
        self.example_list.set_state(self.state)
        self.status_bar.set(phase="indexing", done=0, total=index.size)
        self.run_index(index)
        self.set_interval(0.25, self.analyse_wanted_rows)

    def on_unmount(self) -> None:
        self.stop_background_work()

    def stop_background_work(self) -> None:
        """Tell every background thread to stop; nothing waits for them."""
        self.cancel.set()
        self.cancel_check()
        self.stop_search()

    # -- workers ----------------------------------------------------------------------------
    # Indexing and checking run in daemon threads rather than Textual workers: thread workers
    # live in asyncio's default executor, which the event loop joins on exit, so quitting
    # would wait for a cancelled checker to wind down. A daemon thread is simply dropped.
    def run_index(self, index) -> None:
        workers.start_daemon(workers.index_file, index, self.post_message, self.cancel, name="tunescope-index")

    def run_check(self, index, generation: int, cancel: threading.Event) -> None:
        workers.start_daemon(workers.check_dataset, index, self.options, self.allow_estimate, self.post_message,
                             generation, cancel, name="tunescope-check")

    @work(thread=True, exit_on_error=False, group="analyse", description="analyse one example")
    def run_analyse(self, data: bytes, key, line: int) -> None:
        try:
            workers.analyse_row(data, key, line, self.options, self.counter, self.post_message,
                                file_format=self.state.format if self.state is not None else "")
        except Exception as exc:
            self.post_message(NoticePosted(f"could not analyse line {line}: {workers.describe_error(exc)}",
                                           "warning"))
        finally:
            self._analysing.discard(key)

    @work(thread=True, exit_on_error=False, group="search", description="search")
    def run_search(self, spec, start: int, step: int, cancel: threading.Event, generation: int) -> None:
        try:
            workers.search(self.state, spec, start, step, self.post_message, cancel, generation)
        except Exception as exc:
            self.post_message(NoticePosted(f"search failed: {workers.describe_error(exc)}", "error"))

    @work(thread=True, exclusive=True, exit_on_error=False, group="view", description="filter and sort")
    def run_view(self, filter_spec, sort: str, generation: int) -> None:
        try:
            workers.build_view(self.state, filter_spec, sort, self.post_message, generation, self.cancel)
        except Exception as exc:
            self.post_message(NoticePosted(f"filter failed: {workers.describe_error(exc)}", "error"))

    def start_check(self) -> None:
        """(Re)check the whole file in the background; earlier runs are cancelled and ignored."""
        self.cancel_check()
        self.generation += 1
        self.check_cancel = threading.Event()
        self.state.results.reset()
        self.status_bar.set(phase="checking", done=0, total=self.state.index.size)
        self.run_check(self.state.index, self.generation, self.check_cancel)

    def cancel_check(self) -> None:
        event = getattr(self, "check_cancel", None)
        if event is not None:
            event.set()

    # -- index and check messages -------------------------------------------------------------
    @on(IndexGrew)
    def _index_grew(self, event: IndexGrew) -> None:
        self.example_list.reload()
        self.status_bar.set(lines=event.lines, done=event.scanned, total=event.size)

    @on(IndexBuilt)
    def _index_built(self, event: IndexBuilt) -> None:
        state = self.state
        if event.error:
            self.notify(f"indexing stopped: {event.error}", title="Cannot read the whole file", severity="error")
        try:
            from tunescope.editing.session import EditSession
            state.attach_session(EditSession(state.index))
        except Exception as exc:
            self.notify(f"editing is unavailable: {workers.describe_error(exc)}", severity="warning")
        self.example_list.reload()
        self.status_bar.set(lines=len(state.index), phase="")
        if state.index.size == 0:
            self.viewer.clear("This file is empty: there is nothing to review. "
                              "A fine-tuning file needs one JSON object per line.")
        self.start_check()
        self.refresh_bindings()
        self.schedule_viewer()

    @on(ExamplesChecked)
    def _examples_checked(self, event: ExamplesChecked) -> None:
        if event.generation != self.generation:
            return
        add = self.state.results.add
        for summary in event.summaries:
            add(summary)
        self.example_list.refresh()
        self.update_counts()

    @on(CheckProgressed)
    def _check_progressed(self, event: CheckProgressed) -> None:
        if event.generation == self.generation:
            self.status_bar.set(phase="checking", done=event.done, total=event.total)

    @on(CheckFinished)
    def _check_finished(self, event: CheckFinished) -> None:
        if event.generation != self.generation:
            return
        state, report = self.state, event.report
        state.report = report
        state.results.finished = True
        state.results.add_dataset_findings(report.findings)
        state.results.estimated = state.results.estimated or not getattr(report, "exact_tokens", True)
        state.format = report.format
        self.status_bar.set(phase="", format=report.format, estimated=state.results.estimated)
        self.update_counts()
        self.example_list.refresh()
        findings = self.query_one("#findings")
        if hasattr(findings, "set_report"):
            findings.set_report(report)
        stats = self.query_one("#stats")
        if hasattr(stats, "set_report"):
            stats.set_report(report, self.model_info)
        self.notify_file_findings(report)
        self.schedule_viewer()

    def notify_file_findings(self, report) -> None:
        """One toast for what concerns the whole file (binary, pretty-printed, too few examples...)."""
        found = list(getattr(report.facts, "findings", []) or []) + [f for f in report.findings if f.line is None]
        found = [f for f in dict.fromkeys(found) if f.severity.value != "info"]
        if not found:
            return
        found.sort(key=lambda f: -f.severity.rank)
        lines = [f"{'✗' if f.severity.value == 'error' else '▲'} {f.message}" for f in found[:4]]
        if found[0].hint:
            lines.append(f"→ {found[0].hint}")
        severity = "error" if found[0].severity.value == "error" else "warning"
        said = tuple(sorted({f.check for f in found}))
        if said == self._file_notice:          # said already; a re-check after a save must not repeat it
            return
        self._file_notice = said
        self.notify("\n".join(lines), title="About this file", severity=severity, timeout=8)

    @on(CheckFailed)
    def _check_failed(self, event: CheckFailed) -> None:
        if event.generation == self.generation:
            self.state.results.finished = True
            self.example_list.refresh()
            self.status_bar.set(phase="")
            self.notify(event.reason, title="Checking failed; rows are shown unchecked", severity="error",
                        timeout=10)

    @on(TokensEstimated)
    def _tokens_estimated(self, event: TokensEstimated) -> None:
        self.estimated_reason = event.reason
        self.state.results.estimated = True
        self.status_bar.set(estimated=True)
        self.notify(f"{event.reason}\nToken counts are estimates until then (marked ~estimated).",
                    title="Exact token counts unavailable", severity="warning", timeout=15)

    @on(NoticePosted)
    def _notice(self, event: NoticePosted) -> None:
        self.notify(event.text, severity=event.severity)

    def update_counts(self) -> None:
        if self.state is None:
            return
        errors, warnings = self.state.counts()
        self.status_bar.set(errors=errors, warnings=warnings,
                            dirty=bool(self.state.session is not None and self.state.session.dirty))

    # -- the viewer ---------------------------------------------------------------------------
    @on(ExampleList.Highlighted)
    def _highlighted(self, event: ExampleList.Highlighted) -> None:
        self.schedule_viewer()

    def schedule_viewer(self) -> None:
        if self._pending_viewer is not None:
            self._pending_viewer.stop()
        self._pending_viewer = self.set_timer(0.03, self.show_selected)

    def current_row(self) -> int | None:
        """Session row under the list cursor (None when the list is empty)."""
        if self.state is None or not self.example_list.count:
            return None
        return self.state.row_at(self.example_list.cursor)

    def show_selected(self, keep_cursor: bool = False, summary=None) -> None:
        row = self.current_row()
        if row is None:
            return
        state = self.state
        try:
            data = state.data(row)
        except (IndexError, OSError) as exc:
            self.viewer.clear(f"cannot read this row: {exc}")
            return
        origin = state.origin(row)
        key = ("v", digest(data))
        if summary is None:
            summary = state.overlay.get(digest(data)) or state.viewer_cache.get(key)
        findings = state.findings(row)
        if summary is not None:          # the same check at the same place is said once
            seen = {(f.check, f.message_index, f.path) for f in findings}
            findings += [f for f in summary.findings if (f.check, f.message_index, f.path) not in seen]
        self.viewer.show(data, None if origin is None else origin + 1, summary, findings, keep_cursor=keep_cursor)
        if summary is None and key not in self._analysing:
            self._analysing.add(key)
            self.run_analyse(data, key, (origin if origin is not None else row) + 1)

    @on(ExampleAnalysed)
    def _example_analysed(self, event: ExampleAnalysed) -> None:
        kind, value = event.key
        if kind == "m":
            self.state.overlay[value] = event.summary
            self.example_list.refresh()
            self.update_counts()
        else:
            self.state.viewer_cache[event.key] = event.summary
        row = self.current_row()
        if row is not None and digest(self.state.data(row)) == digest(event.data):
            self.show_selected(keep_cursor=True, summary=event.summary)

    def analyse_wanted_rows(self) -> None:
        """Re-analyse edited rows the list asked about (drawn but not yet analysed)."""
        if self.state is None:
            return
        for data_digest, (data, line) in list(self.state.wanted.items())[:32]:
            key = ("m", data_digest)
            self.state.wanted.pop(data_digest, None)
            if key not in self._analysing and data_digest not in self.state.overlay:
                self._analysing.add(key)
                self.run_analyse(data, key, line)

    @on(ExampleList.Opened)
    def _opened(self, event: ExampleList.Opened) -> None:
        self.show_pane("viewer")

    @on(ExampleViewer.Closed)
    def _viewer_closed(self, event: ExampleViewer.Closed) -> None:
        self.show_pane("list")

    # -- panes ----------------------------------------------------------------------------
    def current_pane(self) -> str:
        if self._pane_wanted is not None:      # focus is moving there (applied after the next refresh)
            return self._pane_wanted
        focused = self.focused
        node = focused
        while node is not None and node is not self:
            if node.id in PANES:
                return node.id
            node = node.parent
        return "list"

    def show_pane(self, name: str) -> None:
        """Focus a pane; on narrow screens the side panes replace the list while open."""
        if name == "list":
            self._pane_wanted = None
            self.remove_class("-side-open")
            self.example_list.focus()
            return
        self._pane_wanted = name
        self.add_class("-side-open")
        self.query_one("#side", TabbedContent).active = TAB_OF[name]
        self.call_after_refresh(self._focus_pane, name)

    def _focus_pane(self, name: str) -> None:
        """Focus a side pane once it is shown (a hidden widget cannot take focus)."""
        if self._pane_wanted == name:
            self._pane_wanted = None
            self.query_one(f"#{name}").focus()

    def action_next_pane(self) -> None:
        self.show_pane(PANES[(PANES.index(self.current_pane()) + 1) % len(PANES)])

    def action_previous_pane(self) -> None:
        self.show_pane(PANES[(PANES.index(self.current_pane()) - 1) % len(PANES)])

    def action_back(self) -> None:
        if self.stop_search():
            self.notify("search stopped")
        elif self.current_pane() != "list" or self.has_class("-side-open"):
            self.show_pane("list")
        elif self.filter_spec is not None or self.state is not None and self.state.sort != "line":
            self.filter_spec = None
            self.state.sort = "line"
            self.apply_view()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-example":
            self.schedule_viewer()
