"""The Compare screen: did the fine-tune help? Each model's answer to every example, side by side.

One row per example (line, prompt, each model's grade and answer), the selected example in full
below (reference, answers, every grade's reason), filters for failures and flips, and `o` to fix
the example in the dataset editor (asked of the App: `ShowLineRequested`). A run happens in a
daemon thread (`tui/eval_worker.py`) that posts progress; `s` stops it and keeps what came in.
Everything it shows is the report dict `tunescope eval --format json` prints.
"""

from __future__ import annotations

import threading

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from tunescope.eval.report import checkpoint_curves
from tunescope.eval.session import FILTERS, EvalRequest, visible_examples
from tunescope.tui import keymap
from tunescope.tui.dialogs.confirm import ConfirmScreen
from tunescope.tui.eval_worker import run_evaluation
from tunescope.tui.messages import (CheckpointScores, EvalFailed, EvalFinished, EvalProgressed,
                                    ShowLineRequested)
from tunescope.tui.widgets.compare.detail import CompareDetail
from tunescope.tui.widgets.compare.table import CompareTable


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


class CompareScreen(Screen):
    """Models compared on one dataset; `report` shows a finished evaluation without running one."""

    BINDINGS = keymap.COMPARE_BINDINGS
    HELP_TITLE = "Compare"

    DEFAULT_CSS = """
    CompareScreen {
        layout: vertical;
        & #compare-title { height: 1; padding: 0 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis; }
        & #compare-inputs { height: 1; }
        & #compare-inputs Input { border: none; height: 1; padding: 0 1; background: $boost; }
        & #compare-inputs Input:focus { background: $primary 30%; }
        & #compare-models { width: 3fr; margin-right: 1; }
        & #compare-graders { width: 2fr; }
        & #compare-summary { height: auto; max-height: 5; padding: 0 1; color: $text-muted; text-wrap: nowrap;
                             text-overflow: ellipsis; }
        & CompareTable { height: 1fr; min-height: 4; }
        & CompareDetail { height: 1fr; min-height: 4; border-top: solid $foreground 20%; padding: 0 1; }
    }
    """

    def __init__(self, backend, path: str, display: str, models: tuple[str, ...], graders: tuple[str, ...] = ("exact",),
                 report: dict | None = None) -> None:
        super().__init__()
        self.backend, self.path, self.file_name = backend, path, display
        self.models, self.graders = models, graders
        self.report = report
        self.filter = "all"
        self.generation = 0
        self.stop: threading.Event | None = None
        self.running = False
        self.status = ""

    def compose(self) -> ComposeResult:
        yield Static(f"Compare · {self.file_name}", id="compare-title", markup=False)
        with Horizontal(id="compare-inputs"):
            yield Input(", ".join(self.models), placeholder="models, job ids or JOB:ckpt-N, comma-separated",
                        id="compare-models")
            yield Input(", ".join(self.graders), placeholder="graders: exact, similarity, regex:…",
                        id="compare-graders")
        yield Static("", id="compare-summary", markup=False)
        yield CompareTable(id="compare-table")
        yield CompareDetail(id="compare-detail")
        yield Footer()

    @property
    def table(self) -> CompareTable:
        return self.query_one(CompareTable)

    @property
    def detail(self) -> CompareDetail:
        return self.query_one(CompareDetail)

    def on_mount(self) -> None:
        if self.report is not None:
            self.status = "finished"
            self.refresh_rows()
            self.table.focus()
        else:
            self.status = "ctrl+r runs the evaluation"
            self.refresh_rows()
            self.query_one("#compare-models", Input).focus()

    # -- what is shown ------------------------------------------------------------------------
    def model_names(self) -> list[str]:
        return [m["model"] for m in self.report["models"]] if self.report else list(self.models)

    def summary(self) -> str:
        lines = []
        if self.report:
            for m in self.report["models"]:
                lo, hi = m["pass_ci"]
                lines.append(f"{m['pass_rate']:>4.0%} pass (95% CI {lo:.0%}-{hi:.0%}) · score {m['mean_score']:.2f} · "
                             f"n={m['n']} · {m['model']}")
            flips = self.report["flips"]
            better = sum(1 for f in flips if f["change"] == "better")
            run = self.report["run"]
            for job, points in checkpoint_curves(self.report["models"]).items():
                best = max(points, key=lambda p: (p["pass_rate"], p["mean_score"], -p["step"]))
                steps = " · ".join(f"step {p['step']} {p['pass_rate']:.0%}" for p in points)
                lines.append(f"per checkpoint: {steps} (best: step {best['step']})")
            lines.append(f"flips: {better} better, {len(flips) - better} worse · {run['requests']} requests, "
                         f"{run['cache_hits']} cached · filter: {self.filter}" + (" · stopped" if run["stopped"] else ""))
        if self.status and self.status != "finished":
            lines.append(self.status)
        return "\n".join(lines)

    def refresh_rows(self) -> None:
        examples = visible_examples(self.report, self.filter) if self.report else []
        self.table.show(examples, self.model_names(), self.app.size.width)
        self.query_one("#compare-summary", Static).update(self.summary())
        self.detail.show(self.table.current, self.model_names())

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.detail.show(self.table.current, self.model_names())

    # -- running --------------------------------------------------------------------------------
    def start_run(self, confirmed: bool = False) -> None:
        models = _split(self.query_one("#compare-models", Input).value)
        graders = _split(self.query_one("#compare-graders", Input).value) or ("exact",)
        if not models:
            self.notify("Name at least one model (comma-separated).", severity="warning")
            return
        self.models, self.graders = models, graders
        self.generation += 1
        self.stop = threading.Event()
        self.running = True
        self.status = "starting…"
        self.query_one("#compare-summary", Static).update(self.summary())
        self.table.focus()
        run_evaluation(self.backend, EvalRequest(self.path, models, graders, confirmed=confirmed), self.post_message,
                       self.stop, self.generation)

    def action_run(self) -> None:
        if self.running:
            self.notify("An evaluation is running: s stops it.", severity="warning")
            return
        self.start_run()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.action_run()

    def action_stop(self) -> None:
        if self.running and self.stop is not None:
            self.stop.set()
            self.status = "stopping…"
            self.query_one("#compare-summary", Static).update(self.summary())

    @on(EvalProgressed)
    def _progressed(self, event: EvalProgressed) -> None:
        if event.generation == self.generation:
            self.status = f"answering {event.done}/{event.total} · s stops"
            self.query_one("#compare-summary", Static).update(self.summary())

    @on(EvalFinished)
    def _finished(self, event: EvalFinished) -> None:
        if event.generation != self.generation:
            return
        self.running = False
        self.report = event.report
        self.status = "finished"
        self.refresh_rows()
        for job, points in checkpoint_curves(self.report["models"]).items():
            self.post_message(CheckpointScores(job, [(p["step"], p["pass_rate"]) for p in points]))

    @on(EvalFailed)
    def _failed(self, event: EvalFailed) -> None:
        if event.generation != self.generation:
            return
        self.running = False
        self.status = ""
        self.query_one("#compare-summary", Static).update(self.summary())
        if not event.cost:
            self.notify(event.text, title="Evaluation", severity="error", timeout=10)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.start_run(confirmed=True)
        self.app.push_screen(ConfirmScreen(f"This evaluation costs {event.text}. Run it?", yes_label="Run",
                                           no_label="Not now"), answered)

    # -- other actions ----------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self.refresh_rows()

    def action_open_line(self) -> None:
        line = self.table.current_line
        if line is None:
            self.notify("No example selected.", severity="warning")
            return
        self.post_message(ShowLineRequested(line, title="From Compare"))

    def action_back(self) -> None:
        if self.stop is not None:
            self.stop.set()
        self.app.pop_screen()

    def on_unmount(self) -> None:
        if self.stop is not None:
            self.stop.set()
