"""Destinations in the TUI (issue 13): "Export for …" from the fixes menu with the CLI's report, and the
target whose rules join the findings beside the model (status bar "rules: NAME", kept in settings)."""

from __future__ import annotations

from tests import factories
from tests.functional.app_helpers import app_for, ready, shown, wait_for
from tunescope.config import Settings, load_settings
from tunescope.targets import get_target
from tunescope.targets.checking import TargetChecker
from tunescope.targets.exporting import export_file, render_export_text
from tunescope.tui.dialogs.targets.export_dialog import ExportChoice
from tunescope.tui.widgets.dataset.findings_pane import FindingsPane

WEIGHTED = factories.messages({"role": "user", "content": "Hi"},
                              {"role": "assistant", "content": "Old answer", "weight": 0},
                              {"role": "user", "content": "Again?"},
                              {"role": "assistant", "content": "New answer", "weight": 1})


def dataset(tmp_path):
    rows = [factories.chat(f"question {i}", f"answer {i}") for i in range(11)]
    rows[3] = WEIGHTED                                   # line 4: a weight-0 message Vertex cannot carry
    return factories.write_jsonl(tmp_path, rows, "train.jsonl")


def screen_name(app) -> str:
    return type(app.screen).__name__


async def message_text(pilot) -> str:
    """The text of the MessageScreen the export opens, once it is on screen."""
    app = pilot.app
    await wait_for(pilot, lambda: screen_name(app) == "MessageScreen" and app.screen.query("#message-text"),
                   what="the export report")
    return str(app.screen.query_one("#message-text").render())


async def open_export_dialog(pilot, screen):
    app = pilot.app
    names = [name for name, _, _ in screen.review.fix_entries()]
    await pilot.press("x")
    await wait_for(pilot, lambda: screen_name(app) == "FixesMenu", what="the fixes menu")
    menu = app.screen
    await pilot.press(*["j"] * len(names))               # Export is the last entry
    await wait_for(pilot, lambda: "opens a dialog" in menu.preview_text, what="the export entry")
    await pilot.press("enter")
    return await shown(pilot, "ExportDialog", 30, "the export dialog")


async def test_export_for_vertex_from_the_fixes_menu_writes_the_file_and_the_cli_report(tmp_path):
    path = dataset(tmp_path)
    out = tmp_path / "for_vertex.jsonl"
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        dialog = await open_export_dialog(pilot, screen)
        from tunescope.targets import TARGETS
        await pilot.press(*["down"] * list(TARGETS).index("vertex"))
        assert dialog.target == "vertex"
        output = dialog.query_one("#export-output")
        assert output.value.endswith("train.vertex.jsonl")          # the default follows the target
        output.value = str(out)
        output.focus()
        await pilot.press("enter")
        report = await message_text(pilot)
        assert "Not carried" in report and "line 4 " in report and "Exported 11 of 11" in report
        assert "-warning" in app.screen.query_one(".prompt-dialog").classes
    # the same report as `tunescope export` (apart from the output's name), and the file passes check --target
    expected = render_export_text(export_file(str(path), get_target("vertex"), str(tmp_path / "cli.jsonl")), 20)
    assert report.strip() == expected.replace(str(tmp_path / "cli.jsonl"), str(out)).strip()
    checked = TargetChecker(get_target("vertex")).run(str(out), out.stat().st_size)
    assert checked.summary["errors"] == 0 and checked.examples == 11


async def test_export_dialog_refuses_a_bad_split_and_writes_train_and_validation(tmp_path):
    path = dataset(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        dialog = await open_export_dialog(pilot, screen)
        assert dialog.target == "openai"
        dialog.query_one("#export-output").value = str(tmp_path / "out.jsonl")
        split = dialog.query_one("#export-split")
        split.value = "2"
        split.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "ExportDialog"
        assert "between 0 and 1" in str(dialog.query_one(".prompt-error").render())
        split.value = "0.8"
        await pilot.press("enter")
        assert "Everything was carried." in await message_text(pilot)
    train, valid = tmp_path / "out_train.jsonl", tmp_path / "out_valid.jsonl"
    assert len(train.read_bytes().splitlines()) + len(valid.read_bytes().splitlines()) == 11


async def test_export_that_cannot_run_says_why_without_a_traceback(tmp_path):
    path = factories.write_jsonl(tmp_path, [factories.pref()] * 3, "prefs.jsonl")   # Vertex holds no preferences
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        screen.start_export(ExportChoice("vertex", str(tmp_path / "v.jsonl")))
        text = await message_text(pilot)
        assert "nothing to export" in text and "Traceback" not in text
    assert not (tmp_path / "v.jsonl").exists()


async def test_the_chosen_target_adds_its_rules_to_the_findings_and_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("TUNESCOPE_HOME", str(tmp_path / "home"))
    path = dataset(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await ready(pilot)
        pane = screen.query_one(FindingsPane)
        assert "target_not_carried" not in [g.check for g in pane.groups]
        assert "rules:" not in screen.status_bar.render_status(screen.status_bar.status)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: screen_name(app) == "TargetPicker", what="the target picker")
        from tunescope.targets import TARGETS
        await pilot.press(*["down"] * (1 + list(TARGETS).index("vertex")), "enter")
        await wait_for(pilot, lambda: "target_not_carried" in [g.check for g in pane.groups],
                       what="the vertex findings")
        assert "rules: vertex" in screen.status_bar.render_status(screen.status_bar.status)
    assert load_settings().target == "vertex"
    # a new app starts with the kept target's rules
    app = app_for(path, settings=load_settings())
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await ready(pilot)
        pane = screen.query_one(FindingsPane)
        await wait_for(pilot, lambda: "target_not_carried" in [g.check for g in pane.groups],
                       what="the kept target's findings")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: screen_name(app) == "TargetPicker", what="the target picker")
        await pilot.press("home", "enter")                      # none: OpenAI's rules only
        await wait_for(pilot, lambda: "target_not_carried" not in [g.check for g in pane.groups],
                       what="the target's findings to go")
        assert "rules:" not in screen.status_bar.render_status(screen.status_bar.status)
    assert Settings().target == "" and load_settings().target == ""


async def test_the_target_rules_run_again_on_the_saved_file(tmp_path):
    path = dataset(tmp_path)
    app = app_for(path, settings=Settings(target="vertex"))
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await ready(pilot)
        pane = screen.query_one(FindingsPane)
        await wait_for(pilot, lambda: "target_not_carried" in [g.check for g in pane.groups],
                       what="the vertex findings")
        await pilot.press("colon", "4", "enter", "d", "ctrl+s")      # delete the weight-0 example and save
        await wait_for(pilot, lambda: not screen.state.session.dirty, what="the save")
        await wait_for(pilot, lambda: "target_not_carried" not in [g.check for g in pane.groups],
                       what="the target's rules over the saved file")
    assert b"Old answer" not in path.read_bytes()
