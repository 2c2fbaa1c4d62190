"""Bad inputs open and explain themselves: empty, binary, pretty-printed, invalid UTF-8, missing files,
missing tiktoken encodings, real third-party datasets."""

from __future__ import annotations

import json
import os

import pytest
from textual.widgets import Static

from tests.conftest import DATASETS
from tests.functional.app_helpers import (SAMPLE_LINES, app_for, chat, notifications, ready, sample_copy, settle,
                                          wait_for, write_rows)
from tunescope.review.state import ERROR
from tunescope.tokens import encodings
from tunescope.tui.widgets.dataset.status_bar import Status, StatusBar


def viewer_text(screen) -> str:
    return " ".join(str(w.render()) for w in screen.viewer.query("Static"))


async def test_empty_file_opens_and_says_so(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        assert screen.example_list.count == 0
        assert "This file is empty" in viewer_text(screen)
        for key in ("j", "G", "e", "d", "y", "right_square_bracket", "s"):
            await pilot.press(key)                        # nothing to act on; nothing breaks
        assert app.screen is screen and app.is_running


async def test_binary_file_opens_and_explains(tmp_path):
    path = tmp_path / "model.bin"
    data = bytes(range(256)) * 64 + b"\n" + b"\x00\x01\x02\xff" * 100
    path.write_bytes(data)
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        assert screen.example_list.count == data.count(b"\n") + 1
        row = "".join(seg.text for seg in screen.example_list.render_line(0))
        assert "\x00" not in row and "\x1b" not in row    # control bytes never reach the terminal
        assert "binary" in " ".join(notifications(app)).lower()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.viewer.line == 1, what="viewer")
        assert "not valid JSON" in " ".join(str(b.border_title) for b in screen.viewer.blocks)
        body = viewer_text(screen)
        assert "\\x00\\x01" in body and "\x00" not in body


async def test_pretty_printed_json_file_opens_and_explains():
    path = DATASETS / "medical_pretty_printed_crlf.jsonl"
    if not path.exists():
        pytest.skip("shared datasets not present")
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.example_list.count == 400
        assert "pretty" in " ".join(notifications(app)).lower()
        assert screen.state.report.findings


async def test_invalid_utf8_line_is_an_error_row(tmp_path):
    path = write_rows(tmp_path / "latin1.jsonl", [chat("fine", "ok")] * 11 + [
        '{"messages": [{"role": "user", "content": "caf'.encode() + b"\xe9" + b'"}]}'])
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.state.status(11) == ERROR
        checks = {f.check for f in screen.state.findings(11)}
        assert "invalid_utf8" in checks
        await pilot.press("G")
        await wait_for(pilot, lambda: screen.viewer.line == 12, what="viewer on the bad line")
        assert "invalid_utf8" in viewer_text(screen)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["missing.jsonl"])    # a directory now opens a file picker (test_file_actions)
async def test_unopenable_paths_show_a_message_not_a_traceback(tmp_path, name):
    (tmp_path / "a_directory").mkdir()
    app = app_for(tmp_path / name)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        screen = app.dataset_screen
        assert screen is not None and screen.state is None
        text = " ".join(notifications(app))
        assert ("does not exist" in text) or ("is a directory" in text)
        await pilot.press("j", "e", "d", "ctrl+s", "slash")
        await pilot.press("escape")
        assert app.is_running


@pytest.mark.slow
async def test_missing_encodings_still_open_with_estimates_and_say_how_to_fix(tmp_path, monkeypatch):
    empty = tmp_path / "no-encodings"
    empty.mkdir()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(empty))
    encodings.clear_loaded()
    try:
        app = app_for(sample_copy(tmp_path))
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await ready(pilot)
            assert screen.status_bar.status.estimated
            assert "~estimated" in screen.status_bar.render_status(screen.status_bar.status)
            text = " ".join(notifications(app))
            assert "tunescope encodings import" in text
            assert screen.state.tokens(0) > 0                 # estimated counts are still shown
            await pilot.press("enter")
            await wait_for(pilot, lambda: "(estimated)" in viewer_text(screen), what="estimated mark")
    finally:
        encodings.clear_loaded()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["cookbook_drone_tools.jsonl", "foundry_dpo_orca_valid.jsonl",
                                  "thai_legacy_prompt_completion.jsonl", "llamafactory_nearmiss_sft.jsonl"])
async def test_real_datasets_open_and_render_every_kind(name):
    path = DATASETS / name
    if not path.exists():
        pytest.skip("shared datasets not present")
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.example_list.count == len(path.read_bytes().splitlines())
        await pilot.press("G", "enter")
        await wait_for(pilot, lambda: screen.viewer.blocks, what="viewer blocks")
        if "dpo" in name:
            titles = [str(b.border_title) for b in screen.viewer.blocks]
            assert any(t.startswith("preferred") for t in titles) and any("non-preferred" in t for t in titles)
        await pilot.press("p")
        assert screen.viewer.raw


# Folded from test_qa_save.py: QA: saving after another program changed the file, and what the list shows after a save.


@pytest.mark.regression("qa_save")
async def test_save_as_dialog_says_why_it_is_asked(tmp_path):
    path = sample_copy(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("d")
        replacement = write_rows(tmp_path / "other.jsonl", [chat("changed", "elsewhere")])
        os.replace(replacement, path)                      # replaced: the old lines still read as they were
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SaveAsScreen", what="save-as offered")
        reason = str(app.screen.query_one("#saveas-note", Static).render())
        assert "changed on disk" in reason and str(path) in reason


@pytest.mark.regression("qa_save")
async def test_no_futile_save_as_when_the_file_was_modified_in_place(tmp_path):
    """Appending to the open file made every save (also save-as) fail; offering save-as was a dead end."""
    path = sample_copy(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("d")
        with open(path, "ab") as fh:                       # modified in place, under our descriptor
            fh.write(b'{"messages": []}\n')
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MessageScreen", what="the explanation")
        text = str(app.screen.query_one("#message-text", Static).render())
        assert "modified on disk" in text and "another file cannot work" in text
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.state.session.dirty        # edits kept
        assert path.read_bytes().endswith(b'{"messages": []}\n')          # the other program's write kept
        assert not any(p.name.endswith(".edited.jsonl") for p in tmp_path.iterdir())


@pytest.mark.slow
@pytest.mark.regression("qa_save")
async def test_rows_show_the_saved_file_not_the_one_before(tmp_path):
    """After a save, line 1 kept the roles and preview read from the file before the save."""
    path = sample_copy(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.state.row_view(0).roles == "S U A"
        await pilot.press("enter", "j", "j", "w")          # weight 0 on the assistant reply of line 1
        await settle(pilot)
        assert screen.state.session.dirty
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not screen.state.session.dirty and screen.state.report is not None
                       and screen.state.results.checked > 0, what="save and re-check")
        assert json.loads(path.read_bytes().splitlines()[0])["messages"][2]["weight"] == 0
        view = screen.state.row_view(0)
        assert not view.modified and view.roles == "S U A0"


@pytest.mark.slow
@pytest.mark.regression("qa_save")
async def test_counts_stay_right_after_undoing_past_a_save(tmp_path):
    """Undo after ctrl+s brings back the rows of the file as it was before the save; the
    status bar then said ✗ 0 ▲ 0 because those rows were counted nowhere."""
    path = sample_copy(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        before = screen.state.counts()
        assert before[0] > 0 and before[1] > 0
        await pilot.press("G", "d", "ctrl+s")              # delete the last (clean) line and save
        await wait_for(pilot, lambda: not screen.state.session.dirty and screen.state.results.finished,
                       what="save and re-check")
        assert screen.state.counts() == before
        await pilot.press("u")                              # undo past the save
        await settle(pilot)
        assert screen.state.session.dirty and len(screen.state.session) == len(SAMPLE_LINES)
        assert screen.state.counts() == before
        assert screen.status_bar.status.errors == before[0]


# Folded from test_qa_status.py: QA: the status bar at 80 columns with a long file name.


@pytest.mark.regression("qa_status")
def test_a_long_file_name_is_shortened_before_the_filter_or_counts_go():
    s = Status(file="debian_admin_extra_keys.jsonl", errors=640, view="filter: check extra_top_level_key (640)",
               model="gpt-4.1-mini-2025-04-14")
    line = StatusBar.render_status(s, 78)
    assert "filter: check extra_top_level_key (640)" in line and "✗ 640" in line
    assert "debian_" in line and "keys.jsonl" in line and "…" in line
    assert "debian_admin_extra_keys.jsonl" in StatusBar.render_status(s, 200)


@pytest.mark.regression("qa_status")
async def test_filter_shows_in_the_80_column_status_bar(tmp_path):
    """With a long file name, choosing a filter at 80 columns left no trace that one was active."""
    path = write_rows(tmp_path / "customer_support_conversations_2024_q3_cleaned_v2_final.jsonl",
                      [chat("hi", "hello"), {"messages": [{"role": "user", "content": "x"}]}, chat("a", "b")])
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        screen.set_filter(("errors", None))
        await wait_for(pilot, lambda: screen.state.view is not None, what="filter")
        await pilot.pause(0.05)
        shown = str(screen.status_bar.render())
        assert "filter: errors" in shown and "✗" in shown
