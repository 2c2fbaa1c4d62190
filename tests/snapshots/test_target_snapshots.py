"""SVG snapshots of the destination dialogs at 80x24: Export for … (with the unsaved-edits note) and the
target picker (issue 13)."""

from __future__ import annotations

from tests.functional.panes_screen_host import ScreenHost
from tunescope.tui.dialogs.targets.export_dialog import ExportDialog
from tunescope.tui.dialogs.targets.target_picker import TargetPicker


def test_export_dialog(snap_compare):
    app = ScreenHost(lambda: ExportDialog("data/train.jsonl", "vertex", unsaved=True))
    assert snap_compare(app, terminal_size=(80, 24))


def test_target_picker(snap_compare):
    app = ScreenHost(lambda: TargetPicker("together"))
    assert snap_compare(app, terminal_size=(80, 24))
