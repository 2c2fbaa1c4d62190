"""Destinations on the dataset screen: "Export for …" and the target whose rules apply beside the model.

Export is not a fix (it writes another file and sits above `editing` in the layers), so the screen adds
it to the fixes menu here and runs `targets.exporting.export_file` in a worker, showing the same report
as `tunescope export`. The chosen target (kept in settings) adds its rules to the findings: the
TargetChecker of `tunescope check --target`, run over the file on disk in a worker; the status bar says
"rules: NAME". Target findings join the Findings pane; they do not mark rows in the list.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tunescope.config import ConfigError, save_settings
from tunescope.tui import workers
from tunescope.tui.dialogs.fixes_menu import FixesMenu
from tunescope.tui.dialogs.message import MessageScreen
from tunescope.tui.dialogs.targets.export_dialog import ExportChoice, ExportDialog
from tunescope.tui.dialogs.targets.target_picker import TargetPicker
from tunescope.tui.messages import ExportFinished, ExportProgressed, TargetChecked
from tunescope.tui.widgets.dataset.findings_pane import FindingsPane

EXPORT = "export"
EXPORT_ENTRY = (EXPORT, "Export for another destination…",
                "Convert the file for Vertex, Bedrock, Together, TRL… (like tunescope export): choose the target, "
                "the output file and an optional train/validation split; a report lists what was not carried.")
EXPORT_PREVIEW = "opens a dialog: target, output file, split; the dataset stays as it is"


@dataclass
class WithTarget:
    """A check report plus a target's findings, as the Findings pane reads them."""

    findings: list
    counts_by_check: dict = field(default_factory=dict)


def with_target(report, target_report) -> WithTarget:
    counts = Counter(getattr(report, "counts_by_check", None) or {})
    counts.update(target_report.counts)
    return WithTarget(list(getattr(report, "findings", None) or []) + list(target_report.findings), dict(counts))


class TargetActions:
    """Mixed into `DatasetScreen` (which provides review, state, path, status_bar, show_outcome, _thread...)."""

    _target_report = None

    @property
    def target_name(self) -> str:
        return getattr(self.app.settings, "target", "") or ""

    # -- export ------------------------------------------------------------------------------------
    def action_fixes(self, initial: str | None = None) -> None:
        """The bulk fixes menu, with fix `initial` highlighted (from the command palette), else the fix that
        removes the most findings of the report shown, else the first."""
        def preview(name: str) -> int | str:
            return EXPORT_PREVIEW if name == EXPORT else self.review.fix_preview(name)

        def chosen(name: str | None) -> None:
            if name == EXPORT:
                self.action_export()
            elif name:
                self.show_outcome(self.review.apply_fix(name))
        initial = initial or self.review.suggested_fix()
        self.app.push_screen(FixesMenu(self.review.fix_entries() + [EXPORT_ENTRY], preview, initial), chosen)

    def action_export(self) -> None:
        if self.state is None or self.path is None:
            self.notify("open a dataset file to export it", severity="warning")
            return
        session = self.state.session
        self.app.push_screen(ExportDialog(self.path, self.target_name or None,
                                          unsaved=session is not None and session.dirty), self.start_export)

    def start_export(self, choice: ExportChoice | None) -> None:
        if choice is None:
            return
        self.status_bar.set(phase=f"exporting for {choice.target}", done=0, total=len(self.state.index))
        self._thread(workers.export, self.path, choice.target, choice.output, choice.split, self.post_message,
                     group="export", exclusive=True)

    def on_export_progressed(self, event: ExportProgressed) -> None:
        self.status_bar.set(done=event.done)

    def on_export_finished(self, event: ExportFinished) -> None:
        self.status_bar.set(phase="")
        self.app.push_screen(MessageScreen(event.title, event.text, event.severity))

    # -- the target's rules ------------------------------------------------------------------------
    def action_choose_target(self) -> None:
        self.app.push_screen(TargetPicker(self.target_name), self.change_target)

    def change_target(self, name: str | None) -> None:
        if name is None or self.state is None:
            return
        self.app.settings.target = name
        try:
            save_settings(self.app.settings)
        except (OSError, ConfigError) as exc:
            self.notify(f"the target applies now but was not saved: {exc}", severity="warning")
        self._target_report = None
        if self.state.shown_report is not None:
            self.show_report(self.state.shown_report)
        self.start_target_check()

    def start_target_check(self) -> None:
        """Run the chosen target's rules over the file on disk (nothing when none is chosen)."""
        name = self.target_name
        self.status_bar.set(rules=name)
        if name and self.path is not None and self.state is not None:
            self._thread(workers.check_target, self.path, name, self.post_message, group="target", exclusive=True)

    def on_target_checked(self, event: TargetChecked) -> None:
        if event.target != self.target_name:
            return                                   # a target chosen before this one
        if event.report is None:
            self.notify(event.error or "", title=f"The {event.target} rules could not run", severity="error")
            return
        self._target_report = event.report
        if self.state is not None and self.state.shown_report is not None:
            self.show_report(self.state.shown_report)

    def show_report(self, report) -> None:
        """Stats and findings of `report`, the findings with the chosen target's when they are in."""
        super().show_report(report)
        if self._target_report is not None and report is not None:
            self.query_one(FindingsPane).set_report(with_target(report, self._target_report))
