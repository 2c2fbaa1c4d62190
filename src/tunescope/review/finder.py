"""The search of a review: the pattern, its direction, n presses waiting, and where the matches are.

A quick run of `n` presses used to restart the running search from the same
cursor, so three presses moved one match: a press while a search runs is now
counted and done from where that search stops. The matches are counted in
the background ("match k of N"), and the compiled pattern is put on the
state for the list and viewer to highlight.
"""

from __future__ import annotations

from tunescope.review.outcome import Notice, Outcome
from tunescope.review.runs import Runs
from tunescope.review.search import SearchResult, SearchSpec, match_position


class Finder:
    """One review's search (UI thread only; the scans run in workers)."""

    def __init__(self, runs: Runs) -> None:
        self.runs = runs
        self.spec: SearchSpec | None = None
        self.step = 1            # the direction of the last n / N
        self.pending = 0         # n presses made while a search ran
        self.matches = None      # every matching display row (an array), once counted

    def start(self, pattern: str, regex: bool, state) -> Outcome:
        """Search for `pattern` from the cursor on; refused when it is not a valid regular expression."""
        spec = SearchSpec(pattern, bool(regex))
        try:
            state.highlight = spec.compiled()
        except Exception as exc:  # noqa: BLE001 - re.error, or a pattern too big to compile
            return Outcome(notice=Notice(f"invalid regular expression: {exc}", severity="error"))
        self.spec, self.matches, self.pending, self.step = spec, None, 0, 1
        return Outcome(search_step=1, count_matches=True)

    def again(self, step: int) -> Outcome:
        """n / N: a press while a search runs in the same direction is kept for when it stops."""
        if self.spec is None:
            return Outcome(notice=Notice("no search yet: press / to search"))
        if self.runs.running("search") and step == self.step:
            self.pending += 1
            return Outcome()
        self.step, self.pending = step, 0
        return Outcome(search_step=step)

    def label(self, state, row: int | None) -> str:
        """The status bar's view text with the search's place in it ("/foo match 3 of 12")."""
        shown = state.view_description
        if self.spec is None or row is None:
            return shown
        where = match_position(self.matches, row)
        return " · ".join(p for p in (shown, f"/{self.spec.pattern} {where}".strip()) if p)

    def matched(self, result: SearchResult, generation: int, state) -> Outcome:
        if not self.runs.is_current("search", generation):
            return Outcome()                          # an older search, stopped or replaced
        self.runs.stop("search")                      # done: esc goes back to its usual job
        if result.row is None:
            self.pending = 0
            return Outcome(status_view=state.view_description,
                           notice=Notice(f"no example matches {result.pattern!r}", severity="warning"))
        again = None
        if self.pending:                              # n pressed while this one ran: go on from here
            self.pending -= 1
            again = self.step
        return Outcome(status_view=self.label(state, result.row), cursor=result.row, search_step=again,
                       notice=Notice("search wrapped around") if result.wrapped else None)

    def counted(self, matches, generation: int, state, row: int | None) -> Outcome:
        if not self.runs.is_current("count", generation) or matches is None:
            return Outcome()
        self.matches = matches
        return Outcome(status_view=self.label(state, row))

    def stop(self, state) -> Outcome | None:
        """Stop the running search (None when none runs); n presses waiting for it are dropped."""
        self.pending = 0
        if not self.runs.stop("search"):
            return None
        return Outcome(status_view=state.view_description if state is not None else "",
                       notice=Notice("search stopped"))
