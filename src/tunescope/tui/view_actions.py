"""Moving around the dataset: go to line, next/previous error, search, filter, sort.

A mixin for `DatasetScreen`. Scans over all rows (search, filter, sort) run
in thread workers (workers.py) and come back as messages; the handlers here
move the cursor or swap the list's view.
"""

from __future__ import annotations

import threading
from collections import Counter

from tunescope.tui import workers
from tunescope.tui.messages import SearchMatched, ViewBuilt


class ViewActions:
    """Mixed into DatasetScreen (uses its state, list and status bar)."""

    # -- jumping -------------------------------------------------------------------------------
    def jump_to_row(self, row: int, message_index: int | None = None) -> bool:
        """Move the cursor to session row `row`, clearing the filter if it hides the row."""
        display = self.state.display_of(row)
        if display is None:
            self.filter_spec = None
            self.state.sort = "line"
            self.state.view = None
            self.state.view_description = ""
            self.status_bar.set(view="")
            self.example_list.reload()
            display = row
        self.example_list.move_to(display, center=True)
        if message_index is not None:
            self.call_after_refresh(self._select_message, message_index)
        return True

    def _select_message(self, message_index: int) -> None:
        self.show_selected()
        blocks = self.viewer.selectable_blocks()
        for i, block in enumerate(blocks):
            if block.message_index == message_index:
                self.viewer.message_cursor = i

    def action_goto_line(self) -> None:
        from tunescope.tui.dialogs.goto import GotoLineScreen

        def done(line: int | None) -> None:
            if line is None or self.state is None:
                return
            row = self.state.row_for_line(line)
            if row is None:
                self.notify(f"line {line} is not in this file (1–{len(self.state.index):,}) or was deleted",
                            severity="warning")
                return
            self.jump_to_row(row)
            self.example_list.focus()
        if self.state is None:
            return
        row = self.current_row()
        origin = self.state.origin(row) if row is not None else None
        self.app.push_screen(GotoLineScreen(len(self.state.index), None if origin is None else origin + 1), done)

    def action_next_error(self) -> None:
        self._next_error(1)

    def action_previous_error(self) -> None:
        self._next_error(-1)

    def _next_error(self, step: int) -> None:
        if self.state is None:
            return
        found = self.state.next_with_status(self.example_list.cursor, step)
        if found is None:
            self.notify("no more examples with errors " + ("below" if step > 0 else "above"))
        else:
            self.example_list.move_to(found, center=True)

    def on_findings_pane_group_selected(self, event) -> None:
        self.set_filter(("check", event.check_id))
        if self.has_class("-narrow"):       # the list is hidden behind the pane there: show the lines asked for
            self.show_pane("list")

    def on_findings_pane_finding_selected(self, event) -> None:
        if self.state is None or event.line is None:
            return
        row = self.state.row_for_line(event.line)
        if row is None:
            self.notify(f"line {event.line} was deleted", severity="warning")
            return
        self.jump_to_row(row, event.message_index)

    def on_stats_pane_model_changed(self, event) -> None:
        self.app.change_model(event.name)

    # -- search, filter, sort -----------------------------------------------------------------
    def action_search(self) -> None:
        from tunescope.tui.dialogs.search import SearchScreen

        def done(result) -> None:
            if not result:
                return
            pattern, regex = result
            try:
                spec = workers.SearchSpec(pattern, bool(regex))
                spec.matcher()
            except Exception as exc:  # re.error
                self.notify(f"invalid regular expression: {exc}", severity="error")
                return
            self.search_spec = spec
            self.start_search(spec, 1)
        previous = self.search_spec
        self.app.push_screen(SearchScreen(previous.pattern if previous else "", previous.regex if previous else False),
                             done)

    def action_search_next(self) -> None:
        self._search_again(1)

    def action_search_previous(self) -> None:
        self._search_again(-1)

    def _search_again(self, step: int) -> None:
        if self.search_spec is None:
            self.notify("no search yet: press / to search")
            return
        self.start_search(self.search_spec, step)

    def start_search(self, spec, step: int) -> None:
        """Search from the cursor in a worker; a newer search (or esc) stops the one running.

        On a big file a search that finds nothing reads every line (about half a minute
        for a million lines), so the status bar says it is running and esc stops it.
        """
        self.stop_search()
        self._search_cancel = threading.Event()
        self._search_generation = getattr(self, "_search_generation", 0) + 1
        self.status_bar.set(view=f"searching {spec.pattern!r}… (esc stops)")
        self.run_search(spec, self.example_list.cursor, step, self._search_cancel, self._search_generation)

    def stop_search(self) -> bool:
        """Stop the running search; True when one was running."""
        running = getattr(self, "_search_cancel", None)
        if running is None or running.is_set():
            return False
        running.set()
        self.status_bar.set(view=self.state.view_description if self.state is not None else "")
        return True

    def on_search_matched(self, event: SearchMatched) -> None:
        if event.generation != getattr(self, "_search_generation", 0):
            return                                  # an older search, stopped or replaced
        self._search_cancel.set()                   # done: esc goes back to its usual job
        self.status_bar.set(view=self.state.view_description)
        if event.row is None:
            self.notify(f"no example matches {event.pattern!r}", severity="warning")
            return
        self.example_list.move_to(event.row, center=True)
        if event.wrapped:
            self.notify("search wrapped around")

    def filter_options(self) -> list[tuple[str, str]]:
        """(key, label) choices: the fixed filters, then each check present, then each role."""
        options = [("all", "All examples (no filter)"), ("errors", "Examples with errors"),
                   ("warnings", "Examples with warnings"), ("over_limit", "Over the model's token limit"),
                   ("duplicates", "Duplicates")]
        report = self.state.report if self.state is not None else None
        per_line = Counter(f.check for f in (getattr(report, "findings", None) or []) if f.line is not None)
        for check, count in per_line.most_common():
            options.append((f"check:{check}", f"Check {check} ({count:,})"))
        for role in ("system", "developer", "user", "assistant", "tool"):
            article = "an" if role == "assistant" else "a"
            options.append((f"role:{role}", f"Has {article} {role} message"))
        return options

    def current_filter_key(self) -> str:
        if self.filter_spec is None:
            return "all"
        kind, value = self.filter_spec
        return f"{kind}:{value}" if value is not None else kind

    def action_filter(self) -> None:
        from tunescope.tui.dialogs.filter import FilterScreen

        def done(key: str | None) -> None:
            if key is None:
                return
            kind, _, value = key.partition(":")
            self.set_filter(None if kind == "all" else (kind, value or None))
        self.app.push_screen(FilterScreen(self.filter_options(), self.current_filter_key()), done)

    def set_filter(self, spec) -> None:
        self.filter_spec = spec
        self.apply_view()

    def action_sort(self) -> None:
        if self.state is None:
            return
        self.state.sort = "tokens" if self.state.sort == "line" else "line"
        self.apply_view()

    def apply_view(self) -> None:
        self.view_generation += 1
        self.status_bar.set(view="filtering…" if self.filter_spec else "sorting…")
        self.run_view(self.filter_spec, self.state.sort, self.view_generation)

    def on_view_built(self, event: ViewBuilt) -> None:
        if event.generation != self.view_generation:
            return
        keep = self.current_row()
        self.state.view = event.rows
        self.state.view_description = event.description
        self.status_bar.set(view=event.description)
        self.example_list.reload()
        display = self.state.display_of(keep) if keep is not None else None
        self.example_list.move_to(display or 0, center=True)
        if self.filter_spec is not None and self.state.display_count() == 0:
            self.notify("no example matches this filter (escape clears it)", severity="warning")
