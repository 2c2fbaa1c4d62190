"""Issue 9, the TUI: save as (S), reload from disk (R), the changed-on-disk notice, save and quit.

Edits are never trapped: every message about a refused save names a key that works.
"""

from __future__ import annotations

import os
import stat

from tests.functional.app_helpers import (SAMPLE_LINES, app_for, chat, notifications, ready, sample_copy, settle,
                                          wait_for, write_rows)


async def test_S_saves_as_and_the_session_continues_on_the_new_file(tmp_path):
    path = sample_copy(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("d", "S")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SaveAsScreen", what="the save-as dialog")
        app.screen.query_one("Input").value = str(tmp_path / "mine.jsonl")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "mine.jsonl").exists() and not screen.state.session.dirty,
                       what="saved as")
        assert (tmp_path / "mine.jsonl").read_bytes() == b"\n".join(SAMPLE_LINES[1:]) + b"\n"
        assert path.read_bytes() == b"\n".join(SAMPLE_LINES) + b"\n"         # the original untouched
        assert screen.status_bar.status.file == "mine.jsonl"


async def test_save_as_and_reload_are_in_the_palette(tmp_path):
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        titles = [c.title for c in app.get_system_commands(screen)]
        assert any(t.startswith("Save as (S)") for t in titles)
        assert any(t.startswith("Reload (R)") for t in titles)


async def test_R_reloads_from_disk_and_asks_first_when_it_drops_edits(tmp_path):
    path = sample_copy(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("d")
        write_rows(path, [chat("one", "reply"), chat("two", "reply")])       # another program rewrote it
        await pilot.press("R")
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        assert app.screen is screen and screen.state.session.dirty           # kept
        await pilot.press("R", "y")
        await wait_for(pilot, lambda: app.dataset_screen is not screen, what="a fresh screen")
        fresh = await ready(pilot)
        assert fresh.state.row_count() == 2 and not fresh.state.session.dirty
        write_rows(path, [chat("three", "reply")])
        await pilot.press("R")                                               # no edits: no question
        await wait_for(pilot, lambda: app.dataset_screen is not fresh, what="reloaded again")
        assert (await ready(pilot)).state.row_count() == 1


async def test_a_change_on_disk_is_noticed_and_says_which_keys_help(tmp_path):
    path = sample_copy(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("d")
        replacement = write_rows(tmp_path / "other.jsonl", [chat("changed", "elsewhere")])
        os.replace(replacement, path)
        await wait_for(pilot, lambda: any("Changed on disk" in n for n in notifications(app)), timeout=10,
                       what="the changed-on-disk notice")
        told = [n for n in notifications(app) if "Changed on disk" in n]
        assert len(told) == 1 and "S saves them to another file" in told[0] and "R reloads" in told[0]
        await pilot.pause(2.5)
        assert len([n for n in notifications(app) if "Changed on disk" in n]) == 1    # said once


async def test_our_own_save_is_not_a_change_on_disk(tmp_path):
    path = sample_copy(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("d", "ctrl+s")
        await wait_for(pilot, lambda: not screen.state.session.dirty, what="saved")
        screen.poll_disk()
        assert not any("Changed on disk" in n for n in notifications(app))


async def test_quit_prompt_can_save_and_quit(tmp_path):
    path = sample_copy(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("d", "q")
        assert type(app.screen).__name__ == "QuitScreen"
        await pilot.press("s")
        await wait_for(pilot, lambda: not app.is_running, what="the app to quit after saving")
    assert path.read_bytes() == b"\n".join(SAMPLE_LINES[1:]) + b"\n"


async def test_read_only_file_offers_save_as_that_works(tmp_path):
    path = sample_copy(tmp_path)
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    app = app_for(path)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await ready(pilot)
            await pilot.press("d", "ctrl+s")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "SaveAsScreen", what="save-as offered")
            app.screen.query_one("Input").value = str(tmp_path / "writable.jsonl")
            await pilot.press("enter")
            await wait_for(pilot, lambda: not screen.state.session.dirty, what="saved elsewhere")
            assert (tmp_path / "writable.jsonl").read_bytes() == b"\n".join(SAMPLE_LINES[1:]) + b"\n"
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


async def test_a_directory_argument_opens_a_file_picker(tmp_path):
    """Issue 9: `tunescope DIR` said "is a directory" and left an empty screen."""
    folder = tmp_path / "data"
    folder.mkdir()
    write_rows(folder / "train.jsonl", [chat("one", "reply")])
    (folder / "notes.txt").write_text("not a dataset")
    app = app_for(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "FilePickerScreen", what="the picker")
        tree = app.screen.query_one("#picker-tree")
        await wait_for(pilot, lambda: len(tree.root.children) == 1, what="the folder listed")
        assert [str(child.label) for child in tree.root.children] == ["train.jsonl"]      # no notes.txt
        await pilot.press("down", "enter")
        screen = await ready(pilot)
        assert screen.path == str(folder / "train.jsonl") and screen.state.row_count() == 1
    quitter = app_for(folder)
    async with quitter.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(quitter.screen).__name__ == "FilePickerScreen", what="the picker")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not quitter.is_running, what="escape to quit")
