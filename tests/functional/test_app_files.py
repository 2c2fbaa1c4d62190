"""Bad inputs open and explain themselves: empty, binary, pretty-printed, invalid UTF-8, missing files,
missing tiktoken encodings, real third-party datasets."""

from __future__ import annotations

import pytest

from tunescope.tokens import encodings
from tunescope.review.state import ERROR

from tests.conftest import DATASETS
from tests.functional.app_helpers import app_for, chat, notifications, ready, sample_copy, wait_for, write_rows


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


@pytest.mark.parametrize("name", ["missing.jsonl", "a_directory"])
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
