"""Regenerate the SVG screenshots in screenshots/ (run after any UI change, then look at them).

    python scripts/screenshots.py [--png DIR]

Each scene opens the app headless with `make_app(...).run_test()`, waits for
the checker, drives it with keys and saves `screenshots/<scene>.svg`. With
--png the SVGs are also rendered to PNG (cairosvg) in DIR for a quick look.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "screenshots"
SHARED_ENCODINGS = ROOT.parent / "shared" / "tiktoken_cache"


def malformed_file(directory: Path) -> Path:
    """A file with the usual ways training data goes wrong, one per line."""
    good = {"messages": [{"role": "system", "content": "You are a helpful assistant."},
                         {"role": "user", "content": "What is the capital of France?"},
                         {"role": "assistant", "content": "Paris."}]}
    rows = [json.dumps(good).encode()] * 3 + [
        b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"},]}',
        b"",
        json.dumps({"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}]}).encode(),
        json.dumps({"messages": [{"role": "user", "content": "Ping?"}]}).encode(),
        json.dumps({"messages": [{"role": "user", "content": "Tell me a joke"},
                                 {"role": "assistant", "content": "No.", "weight": 2}]}).encode(),
        b'{"messages": [{"role": "user", "content": "caf\xe9"}]}',
        json.dumps({"prompt": "Translate: cat ->", "completion": " chat"}).encode(),
        json.dumps(good).encode(),
    ]
    path = directory / "malformed.jsonl"
    path.write_bytes(b"\n".join(rows) + b"\n")
    return path


async def wait_until(pilot, predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get ready")
        await pilot.pause(0.05)


async def ready(pilot):
    app = pilot.app
    await wait_until(pilot, lambda: app.dataset_screen is not None and app.dataset_screen.state is not None)
    screen = app.dataset_screen
    await wait_until(pilot, lambda: screen.state.report is not None)
    return screen


async def settle(pilot, keep_toasts: bool = False) -> None:
    await pilot.pause(0.1)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.1)
    if not keep_toasts:
        pilot.app.clear_notifications()
    await pilot.pause()


async def shoot(name: str, path, size: tuple[int, int], steps, theme: str = "textual-dark",
                keep_toasts: bool = False, backend=None) -> Path:
    from tunescope.config import Settings
    from tunescope.tui.app import make_app

    app = make_app(path, settings=Settings(theme=theme), backend=backend)
    app.jobs_backend.poll_interval = 0.2
    async with app.run_test(size=size, notifications=True) as pilot:
        screen = await ready(pilot)
        await settle(pilot)
        await steps(pilot, screen)
        await settle(pilot, keep_toasts)
        target = app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
    return Path(target)


async def nothing(pilot, screen) -> None:
    await pilot.press("j")


async def open_tool_example(pilot, screen) -> None:
    await pilot.press("colon", "1", "0", "enter", "enter", "j", "j", "j")


async def findings_filter(pilot, screen) -> None:
    screen.show_pane("findings")
    await pilot.pause()
    screen.set_filter(("errors", None))
    await wait_until(pilot, lambda: screen.state.view is not None)


async def stats(pilot, screen) -> None:
    screen.show_pane("stats")


async def editor(pilot, screen) -> None:
    await pilot.press("j", "e")
    area = pilot.app.screen.text_area
    area.cursor_blink = False
    text = area.text.replace('"Do you ship to Canada?"', '"Do you ship to Canada?",')
    area.load_text(text)
    await pilot.press("ctrl+s")                          # refused: shows the position, keeps the buffer


async def malformed_view(pilot, screen) -> None:
    await pilot.press("right_square_bracket", "enter")


def two_versions(directory: Path) -> tuple[Path, Path]:
    """An earlier and a later version of the bundled sample: an answer changed (line 3), a line gone, one added."""
    sample = ROOT / "src" / "tunescope" / "data" / "sample.jsonl"
    rows = []
    for line in sample.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue            # the sample carries a broken line on purpose
        if isinstance(row, dict) and isinstance(row.get("messages"), list) and row["messages"]:
            rows.append(row)
    old = directory / "support_v1.jsonl"
    old.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    new_rows = [r for i, r in enumerate(rows, 1) if i != 8]
    new_rows[2] = {**new_rows[2], "messages": new_rows[2]["messages"][:-1]
                   + [{"role": "assistant", "content": "The -7C down bag: warm enough, and under 1 kg."}]}
    new_rows.append({"messages": [{"role": "user", "content": "Do you sell gift cards?"},
                                  {"role": "assistant", "content": "Yes, from $10 to $500."}]})
    new = directory / "support_v2.jsonl"
    new.write_text("".join(json.dumps(r) + "\n" for r in new_rows), encoding="utf-8")
    return old, new


def versions_scene(old: Path):
    async def steps(pilot, screen) -> None:
        await pilot.press("V")
        await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == "OtherVersionScreen")
        pilot.app.screen.query_one("#version-input").value = str(old)
        await pilot.press("enter")
        await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == "VersionDiffScreen")
    return steps


async def last_example(pilot, screen) -> None:
    await pilot.press("G", "enter")


def deterministic_jobs() -> None:
    """Seeded server ids and a pinned clock, so the jobs screenshots only change when the UI does."""
    import random
    import threading

    from tunescope.server import ids
    from tunescope.tui.widgets.jobs import format as jobs_format

    rng, lock = random.Random(20240601), threading.Lock()

    def base62(n: int) -> str:
        with lock:
            return "".join(rng.choice(ids.ALPHABET) for _ in range(n))
    ids.base62 = base62
    jobs_format.clock = lambda ts, seconds=False: ("12:00:00" if seconds else "12:00") if ts else ""


def job_scene(model: str, suffix: str, status: str, force: bool = False):
    """A job on the local server (fixed seed), watched on the jobs screen until it reaches `status`."""
    async def steps(pilot, screen) -> None:
        app = pilot.app
        jobs = await asyncio.to_thread(app.jobs_backend.jobs)
        upload = await asyncio.to_thread(jobs.upload, screen.path, force=force)
        job = await asyncio.to_thread(jobs.create, model, upload, suffix=suffix, seed=42)
        await pilot.press("J")
        await wait_until(pilot, lambda: getattr(app.screen, "job", None) is not None
                         and app.screen.job.id == job.id and app.screen.job.status == status)
        jobs_screen = app.screen
        await wait_until(pilot, lambda: jobs_screen.event_log.lines and "Loading" not in jobs_screen.event_log.lines[0]
                         and (status != "succeeded" or jobs_screen.checkpoints))
        jobs_screen.poller.pause()
    return steps


def role_less_file(directory: Path) -> Path:
    """Twelve small chat examples; line 7's answer has no role (the job fails there)."""
    rows = []
    for i in range(1, 13):
        answer = {"content": f"{2 * i}."} if i == 7 else {"role": "assistant", "content": f"{2 * i}."}
        rows.append(json.dumps({"messages": [{"role": "user", "content": f"What is {i} + {i}?"}, answer]}))
    path = directory / "roles.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


async def main(png_dir: Path | None) -> int:
    os.environ.setdefault("TUNESCOPE_HOME", tempfile.mkdtemp(prefix="tunescope-shots-"))
    if "TIKTOKEN_CACHE_DIR" not in os.environ and SHARED_ENCODINGS.is_dir():
        os.environ["TIKTOKEN_CACHE_DIR"] = str(SHARED_ENCODINGS)
    OUT.mkdir(exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="tunescope-shots-data-"))
    bad = malformed_file(scratch)
    scenes = [
        ("sample-120x40", None, (120, 40), nothing, "textual-dark", False),
        ("sample-80x24", None, (80, 24), nothing, "textual-dark", False),
        ("viewer-tools-120x40", None, (120, 40), open_tool_example, "textual-dark", False),
        ("viewer-80x24", None, (80, 24), open_tool_example, "textual-dark", False),
        ("findings-filter-120x40", None, (120, 40), findings_filter, "textual-dark", False),
        ("stats-120x40", None, (120, 40), stats, "textual-dark", False),
        ("editor-invalid-json-80x24", None, (80, 24), editor, "textual-dark", False),
        ("malformed-file-120x40", bad, (120, 40), malformed_view, "textual-dark", True),
        ("light-theme-120x40", None, (120, 40), last_example, "textual-light", False),
    ]
    v1, v2 = two_versions(scratch)
    scenes.append(("versions-80x24", v2, (80, 24), versions_scene(v1), "textual-dark", False))
    written = []
    for name, path, size, steps, theme, keep in scenes:
        written.append(await shoot(name, path, size, steps, theme, keep))
        print(f"wrote {written[-1].relative_to(ROOT)}")
    from tunescope.jobs.profiles import BackendProfile

    deterministic_jobs()
    pirate = ROOT.parent / "shared" / "datasets" / "pirate_chat.jsonl"
    job_scenes = [
        ("jobs-finished-80x24", pirate, (80, 24), job_scene("gpt-4o-mini-2024-07-18", "pirate", "succeeded")),
        ("jobs-finished-120x40", pirate, (120, 40), job_scene("gpt-4o-mini-2024-07-18", "pirate", "succeeded")),
        ("jobs-failed-80x24", role_less_file(scratch), (80, 24),
         job_scene("gpt-4o-mini-2024-07-18", "roles", "failed", force=True)),
    ]
    for name, path, size, steps in job_scenes:
        if not Path(path).exists():
            continue
        backend = BackendProfile(name="local", kind="local", local_speed=0.01,
                                 local_data_dir=tempfile.mkdtemp(prefix="tunescope-shots-server-"))
        written.append(await shoot(name, path, size, steps, backend=backend))
        print(f"wrote {written[-1].relative_to(ROOT)}")
    if png_dir is not None:
        import cairosvg

        png_dir.mkdir(parents=True, exist_ok=True)
        for svg in written:
            cairosvg.svg2png(url=str(svg), write_to=str(png_dir / (svg.stem + ".png")))
        print(f"PNG copies in {png_dir}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", type=Path, default=None, help="also render PNGs into this directory")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.png)))
