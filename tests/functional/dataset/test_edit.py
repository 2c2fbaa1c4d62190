"""Fixing from the keyboard: e, E, d, w, x, u, ctrl+r, ctrl+s (and save-as), q, y, ?, palette, keymap."""

from __future__ import annotations

import json
import os
import sys

import orjson
import pytest

from tests.functional.app_helpers import (SAMPLE_LINES, app_for, chat, notifications, ready, sample_copy, settle,
                                          wait_for, write_rows)
from tunescope.config import Settings
from tunescope.review.state import ERROR


@pytest.mark.slow
async def test_e_edits_in_the_json_editor_and_refuses_invalid_json(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("j", "e")
        editor = app.screen
        assert type(editor).__name__ == "JsonEditorScreen"
        assert json.loads(editor.text_area.text) == json.loads(SAMPLE_LINES[1])
        assert "\n  " in editor.text_area.text                       # pretty-printed
        broken = editor.text_area.text.replace('"Do you ship', '"Do you ship\\q', 1)
        editor.text_area.load_text(broken)
        await pilot.press("ctrl+s")
        assert app.screen is editor                                   # refused, buffer kept
        bad_line = broken.split("\\q")[0].count("\n") + 1
        assert f"line {bad_line}," in editor.error and editor.text_area.text == broken
        fixed = editor.text_area.text.replace("\\q", "", 1).replace("Canada?", "Mexico?")
        editor.text_area.load_text(fixed)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, what="editor closed")
        session = screen.state.session
        row = orjson.loads(session.get(1))
        assert row["messages"][1]["content"] == "Do you ship to Mexico?"
        assert b"\n" not in session.get(1) and session.dirty
        assert screen.status_bar.status.dirty
        text = "".join(seg.text for seg in screen.example_list.render_line(1))
        assert "*" in text and "Mexico" in text                     # edited mark and new preview
        assert any("u to undo" in n for n in notifications(app))


@pytest.mark.slow
async def test_E_edits_in_the_external_editor_and_validates_on_return(tmp_path, monkeypatch):
    script = tmp_path / "fake_editor.py"
    script.write_text("import sys\np = sys.argv[1]\ns = open(p).read()\n"
                      "open(p, 'w').write(s.replace('Canada', 'Peru'))\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("j", "E")
        await wait_for(pilot, lambda: screen.state.session.dirty, what="external edit applied")
        assert b"Peru" in screen.state.session.get(1)
        # an editor that leaves invalid JSON: refused, reopened in the built-in editor with the text kept
        script.write_text("import sys\nopen(sys.argv[1], 'w').write('{\"messages\": [')\n")
        await pilot.press("j", "E")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "JsonEditorScreen", what="editor reopened")
        assert app.screen.text_area.text.startswith('{"messages": [')
        assert screen.state.session.get(2) == SAMPLE_LINES[2]


@pytest.mark.slow
async def test_d_deletes_u_undoes_ctrl_r_redoes(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        session = screen.state.session
        await pilot.press("j", "j", "d")
        assert len(session) == 30 and screen.example_list.count == 30
        assert session.get(2) == SAMPLE_LINES[3]
        assert screen.status_bar.status.dirty
        assert any("delete row 3" in n for n in notifications(app))
        await pilot.press("u")
        assert len(session) == 31 and session.get(2) == SAMPLE_LINES[2]
        assert not session.dirty and not screen.status_bar.status.dirty
        await pilot.press("ctrl+r")
        assert len(session) == 30 and session.get(2) == SAMPLE_LINES[3]
        # the deleted error row no longer counts
        await pilot.press("g")
        errors_before = screen.status_bar.status.errors
        await pilot.press("right_square_bracket", "d")
        await wait_for(pilot, lambda: screen.status_bar.status.errors == errors_before - 1, what="counts")


@pytest.mark.slow
async def test_w_toggles_weight_zero_on_the_selected_assistant_message(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("w")                              # nothing selected in the viewer yet: refused
        assert not screen.state.session.dirty
        await pilot.press("enter", "j", "j")                # line 1, viewer: system, user, assistant
        assert screen.viewer.selected_block.role == "assistant"
        await pilot.press("w")
        row = orjson.loads(screen.state.session.get(0))
        assert row["messages"][2]["weight"] == 0
        await wait_for(pilot, lambda: screen.viewer.selected_block is not None
                       and "weight 0" in str(screen.viewer.selected_block.border_title), what="weight shown")
        assert screen.viewer.selected_message_index == 2    # the cursor stays on the message
        await pilot.press("w")
        row = orjson.loads(screen.state.session.get(0))
        assert row["messages"][2].get("weight", 1) == 1
        await pilot.press("k", "w")                         # a user message: refused
        assert orjson.loads(screen.state.session.get(0))["messages"][1].get("weight") is None


@pytest.mark.slow
async def test_x_opens_fixes_with_preview_counts_and_applies_one_undo_step(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("x")
        menu = app.screen
        assert type(menu).__name__ == "FixesMenu"
        names = [name for name, _, _ in menu.fixes]
        menu.query_one("#fixes-list").highlighted = names.index("dedupe")
        await wait_for(pilot, lambda: menu.counts.get("dedupe") == 1, what="dedupe preview count")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, what="menu closed")
        session = screen.state.session
        assert len(session) == 30
        assert SAMPLE_LINES[1] in [session.get(i) for i in range(len(session))]
        await pilot.press("u")
        assert len(session) == 31 and not session.dirty


@pytest.mark.slow
async def test_ctrl_s_saves_atomically_and_rechecks(tmp_path):
    path = sample_copy(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("G", "d")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not screen.state.session.dirty, what="saved")
        assert path.read_bytes() == b"\n".join(SAMPLE_LINES[:-1]) + b"\n"
        assert not screen.status_bar.status.dirty
        await wait_for(pilot, lambda: screen.state.report is not None and screen.state.report.lines == 30,
                       what="re-check of the saved file")
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []   # no temp files left


@pytest.mark.slow
async def test_ctrl_s_refuses_when_the_file_changed_and_offers_save_as(tmp_path):
    path = sample_copy(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("d")
        replacement = tmp_path / "other.jsonl"
        write_rows(replacement, [chat("changed", "elsewhere")])
        os.replace(replacement, path)                     # another program rewrote the file
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SaveAsScreen", what="save-as offered")
        assert any("changed on disk" in n for n in notifications(app))
        assert json.loads(path.read_text())["messages"][2]["content"] == "elsewhere"  # untouched
        field = app.screen.query_one("Input")
        field.value = str(tmp_path / "mine.jsonl")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "mine.jsonl").exists() and not screen.state.session.dirty,
                       what="saved as")
        assert (tmp_path / "mine.jsonl").read_bytes() == b"\n".join(SAMPLE_LINES[1:]) + b"\n"


@pytest.mark.slow
async def test_q_quits_at_once_when_clean_and_asks_when_dirty(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("d", "q")
        assert type(app.screen).__name__ == "QuitScreen"      # was a yes/no ConfirmScreen; now it can save too
        await pilot.press("n")
        assert app.screen is screen and app.is_running
        await pilot.press("q", "y")
        await pilot.pause()
        assert not app.is_running
    clean = app_for(sample_copy(tmp_path, "clean.jsonl"))
    async with clean.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not clean.is_running


async def test_y_copies_the_example_json(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("j", "j", "y")
        assert app.clipboard == SAMPLE_LINES[2].decode()
        assert any("copied line 3" in n for n in notifications(app))


async def test_question_mark_opens_help_built_from_live_bindings(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        help_screen = app.screen
        assert type(help_screen).__name__ == "HelpScreen"
        text = " ".join(str(w.render()) for w in help_screen.query("*") if hasattr(w, "render"))
        for words in ("Delete", "Search", "Go to line", "Undo"):
            assert words in text


@pytest.mark.slow
async def test_command_palette_runs_any_binding(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        titles = [c.title for c in app.get_system_commands(screen)]
        for expected in ("Delete (d)", "Search (/)", "Save (ctrl+s)", "Go to line (:)", "Next error (])"):
            assert expected in titles
        await pilot.press("ctrl+p")
        await pilot.press(*"Delete (d)")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.state.session) == 30, what="delete from the palette")


async def test_user_keymap_remaps_a_binding(tmp_path):
    settings = Settings(keymap={"dataset.delete": "D", "no.such.binding": "z"})
    app = app_for(sample_copy(tmp_path), settings=settings)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("d")
        assert len(screen.state.session) == 31
        await pilot.press("D")
        assert len(screen.state.session) == 30
        assert any("unknown binding id 'no.such.binding'" in n for n in notifications(app))


# Folded from test_qa_reanalysis.py: QA: an edited row is judged like the checker judged it (same file context).


@pytest.mark.regression("qa_reanalysis")
async def test_editing_a_row_without_assistant_keeps_its_error(tmp_path):
    """In a chat file, a row with only system/user messages is an error; after any edit of
    it (even re-indenting) the error and the ✗ count used to vanish."""
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        state = screen.state
        row = state.row_for_line(13)
        assert [f.check for f in state.findings(row)] == ["missing_assistant_message"]
        errors_before, _ = state.counts()
        obj = json.loads(state.data(row))
        obj["messages"][-1]["content"] += " (edited)"     # re-indenting alone is no change now (style kept)
        text = json.dumps(obj, indent=4)
        assert screen.apply_text(row, text)
        await wait_for(pilot, lambda: state.summary_for(row) is not None, what="re-analysis of the edit")
        await settle(pilot)
        assert state.modified(row) and state.status(row) == ERROR
        assert "missing_assistant_message" in [f.check for f in state.findings(row)]
        assert state.counts()[0] == errors_before


async def test_notifications_are_plain_text_so_brackets_from_data_neither_vanish_nor_crash(tmp_path):
    # notifications quote names, paths and job errors: "[/]" made the toast's markup raise (the app
    # died) and "[EMAIL]" was read as a tag and vanished
    settings = Settings(keymap={"list.[/]": "x", "[EMAIL]": "y"})
    app = app_for(sample_copy(tmp_path), settings=settings)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await ready(pilot)
        await pilot.pause(0.3)
        shown = [str(toast.render()) for toast in app.screen.query("Toast")]
        assert any("'list.[/]'" in text for text in shown) and any("'[EMAIL]'" in text for text in shown)
        assert app.is_running
