"""FixesMenu: preview counts from the callback (real EditSession fixes), spinner, dismiss value."""

from __future__ import annotations

import threading

from tests import factories
from tests.functional.panes_screen_host import NOTHING, ScreenHost
from tunescope.editing.session import EditSession
from tunescope.tui.dialogs.fixes_menu import FixesMenu

FIXES = [
    ("strip_whitespace", "Strip whitespace around message contents", "Trims leading/trailing spaces."),
    ("dedupe", "Remove exact duplicate examples", "Keeps the first copy of each example."),
    ("drop_invalid", "Drop lines that are not valid examples", "Deletes unparseable or unusable lines."),
]


def chat(user: str, reply: str) -> dict:
    return factories.chat(user, reply)


def dataset(tmp_path):
    rows = [chat("hi", "hello"), chat("hi", "hello"), chat("2+2?", "4"), chat("hi", "hello"),
            chat("  padded  ", "yes "), "{not json", chat("x", "y")]
    return factories.write_jsonl(tmp_path, rows, "train.jsonl")


async def wait_previews(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_preview_counts_come_from_the_callback_and_enter_returns_the_name(tmp_path):
    session = EditSession.open(dataset(tmp_path))
    calls: list[str] = []

    def preview(name: str) -> int:
        calls.append(name)
        return len(session.preview_fix(name).changes)

    expected = {name: len(session.preview_fix(name).changes) for name, *_ in FIXES}
    assert expected["dedupe"] == 2 and expected["strip_whitespace"] >= 1
    app = ScreenHost(lambda: FixesMenu(FIXES, preview))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_previews(app, pilot)
        menu = app.screen
        s = "s" if expected["strip_whitespace"] != 1 else ""
        assert f"would change {expected['strip_whitespace']} line{s}" in menu.preview_text
        await pilot.press("j")
        await wait_previews(app, pilot)
        assert "would change 2 lines" in menu.preview_text
        await pilot.press("k")
        await pilot.pause()
        assert calls == ["strip_whitespace", "dedupe"]  # cached: moving back does not recompute
        await pilot.press("j", "enter")
        await pilot.pause()
        assert app.results == ["dedupe"]
    assert not session.dirty  # the menu only previews; applying is the caller's job


async def test_spinner_while_the_preview_runs_then_the_count():
    release = threading.Event()

    def slow_preview(name: str) -> int:
        release.wait(5)
        return 12

    app = ScreenHost(lambda: FixesMenu(FIXES[:1], slow_preview))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        menu = app.screen
        assert menu.query_one("#fixes-spinner").has_class("-busy")
        assert "counting" in menu.preview_text
        release.set()
        await wait_previews(app, pilot)
        assert not menu.query_one("#fixes-spinner").has_class("-busy")
        assert "would change 12 lines" in menu.preview_text


async def test_previews_run_one_at_a_time():
    running, peak = [0], [0]
    lock = threading.Lock()

    def preview(name: str) -> int:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        threading.Event().wait(0.05)
        with lock:
            running[0] -= 1
        return 1

    app = ScreenHost(lambda: FixesMenu(FIXES, preview))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j", "j", "k")
        for _ in range(20):
            await wait_previews(app, pilot)
        assert peak[0] == 1
        assert set(app.screen.counts) == {"strip_whitespace", "dedupe", "drop_invalid"}


async def test_nothing_to_change_or_failing_preview_is_not_applied():
    def preview(name: str) -> int:
        if name == "dedupe":
            raise ValueError("fix dedupe: the file has no examples")
        return 0

    app = ScreenHost(lambda: FixesMenu(FIXES[:2], preview))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_previews(app, pilot)
        assert "nothing to change" in app.screen.preview_text
        await pilot.press("enter")
        await pilot.pause()
        assert app.result is NOTHING
        await pilot.press("j")
        await wait_previews(app, pilot)
        assert "the file has no examples" in app.screen.preview_text
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert app.results == [None]


async def test_split_into_train_and_validation_is_in_the_fixes_menu(tmp_path):
    """Issue 9: the train/validation split was only reachable from the CLI (`tunescope fix --split`)."""
    from tests.functional.app_helpers import app_for, notifications, ready, sample_copy, wait_for

    path = sample_copy(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        names = [name for name, _, _ in screen.review.fix_entries()]
        await pilot.press("x")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "FixesMenu", what="the fixes menu")
        menu = app.screen
        assert menu.highlighted_name == "drop_invalid"          # it opens on the fix of the sample's one error
        await pilot.press("home", *["j"] * names.index("split"))
        await wait_for(pilot, lambda: "sample_train.jsonl" in menu.preview_text, what="the split preview")
        assert "sample_valid.jsonl" in menu.preview_text and "the dataset stays as it is" in menu.preview_text
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("Split written" in n for n in notifications(app)), what="the split")
        train, valid = tmp_path / "sample_train.jsonl", tmp_path / "sample_valid.jsonl"
        lines = train.read_bytes().splitlines() + valid.read_bytes().splitlines()
        assert sorted(lines) == sorted(line for line in path.read_bytes().splitlines() if line.strip())
        assert 0 < len(valid.read_bytes().splitlines()) < len(train.read_bytes().splitlines())
        assert not screen.state.session.dirty
