"""Findings, stats and counts that follow the edits: the dataset screen's live re-check.

After an edit (and a short pause, so a burst of deletes makes one run) the
edited rows are checked as a whole in a worker (`review/live_check.py`); the
Findings and Stats panes and the status-bar counts then show that report.
With no edits left (undone, or saved) they show the file's own report again.
"""

from __future__ import annotations

from tunescope.tui import workers
from tunescope.tui.messages import LiveChecked
from tunescope.tui.widgets.dataset.findings_pane import FindingsPane
from tunescope.tui.widgets.dataset.stats_pane import StatsPane

LIVE_CHECK_DELAY = 0.3     # seconds of quiet after an edit before the edited rows are checked as a whole


class LiveFindings:
    """Mixed into `DatasetScreen` (which provides review, state, status_bar, options, post_message...)."""

    _live_timer = None

    def show_report(self, report) -> None:
        self.query_one(FindingsPane).set_report(report)
        self.query_one(StatsPane).set_report(report, self.model_info)

    def schedule_live_check(self) -> None:
        """Check the edited rows as a whole once edits pause (a burst of deletes makes one run)."""
        if self._live_timer is not None:
            self._live_timer.stop()
        self._live_timer = self.set_timer(LIVE_CHECK_DELAY, self.start_live_check)

    def start_live_check(self) -> None:
        self._live_timer = None
        if self.state is None or self.state.report is None:
            return                                   # the first full check is still running
        request = self.review.live_request()
        if request is None:                          # no edits (undone, or saved): the file's own report
            self.review.runs.stop("live")
            self.show_report(self.state.report)
            self.status_bar.show_counts(self.state)
            return
        run = self.review.runs.start("live")
        workers.start_daemon(workers.live_check, request, self.options, self.allow_estimate, self.post_message,
                             run, name="tunescope-live-check")

    def on_live_checked(self, event: LiveChecked) -> None:
        if self.review.live_checked(event.live, event.generation):
            self.show_report(self.state.live.report)
            self.status_bar.show_counts(self.state)

