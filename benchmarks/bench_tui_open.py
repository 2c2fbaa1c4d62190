"""How fast the TUI opens a huge file (a benchmark, not a test).

Generates a 1,000,000-line chat JSONL file in /tmp (once; reused afterwards),
opens it headless with `make_app(...).run_test()` and reports:

- time to first rows: from building the app to the list showing rows,
- time for `G` to render the last page (once the index is complete), while
  the checker is still running in the background,
- how long a key press takes while the checker runs (responsiveness),
- time to quit while the checker is still running (must not wait for it),
- peak memory (RSS) of the app process, and the checker's worker processes' RSS.

Targets: first rows < 1 s, `G` < 0.2 s, app memory < 300 MB.

    python benchmarks/bench_tui_open.py [LINES] [PATH]
"""

from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent


def rss_now() -> int:
    return psutil.Process().memory_info().rss


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def children_rss() -> int:
    """RSS of the checker's worker processes right now (bytes)."""
    total = 0
    for child in psutil.Process().children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:
            pass
    return total


def ensure_file(lines: int, path: Path) -> Path:
    if path.exists() and path.stat().st_size > 0:
        with open(path, "rb") as fh:
            if sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 24), b"")) == lines:
                return path
    print(f"generating {lines:,} lines into {path} ...", flush=True)
    subprocess.run([sys.executable, str(HERE / "gen_chat.py"), str(lines), str(path)], check=True)
    return path


class PaintSpy:
    """Records when the list paints a given row (the frame really reached the screen buffer)."""

    def __init__(self) -> None:
        self.painted: dict[int, float] = {}

    def install(self, cls) -> None:
        real = cls.render_line
        spy = self

        def render_line(widget, y):
            strip = real(widget, y)
            row = widget.scroll_offset.y + y
            if widget.count and row < widget.count:
                spy.painted.setdefault(row, time.perf_counter())
            return strip
        cls.render_line = render_line

    async def wait(self, row: int, timeout: float = 30.0) -> float:
        deadline = time.perf_counter() + timeout
        while row not in self.painted:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"row {row} never painted")
            await asyncio.sleep(0.001)
        return self.painted[row]


async def timed_key(pilot, spy: PaintSpy, key: str, expect_row) -> float:
    spy.painted.clear()
    t0 = time.perf_counter()
    await pilot.press(key)
    return await spy.wait(expect_row()) - t0


async def measure(path: Path) -> dict:
    from tunescope.config import Settings
    from tunescope.tui.app import make_app
    from tunescope.tui.widgets.dataset.example_list import ExampleList

    spy = PaintSpy()
    spy.install(ExampleList)
    results: dict = {}
    started = time.perf_counter()
    app = make_app(path, settings=Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        painted = await spy.wait(0)
        results["first_rows_s"] = painted - started
        results["rss_first_rows"] = rss_now()
        results["peak_first_rows"] = peak_rss()
        screen = app.dataset_screen
        lst = screen.example_list
        while not screen.state.index.complete or screen.state.session is None:
            await asyncio.sleep(0.01)
        results["index_complete_s"] = time.perf_counter() - started
        results["rss_index_complete"] = rss_now()
        results["peak_index_complete"] = peak_rss()
        results["lines"] = len(screen.state.index)
        await asyncio.sleep(1.0)                          # let the checker get going
        results["checker_running_during_G"] = screen.status_bar.status.phase
        results["children_rss"] = children_rss()
        results["rss_checking"] = rss_now()
        results["peak_checking"] = peak_rss()
        results["G_s"] = await timed_key(pilot, spy, "G", lambda: lst.count - 1)
        assert lst.cursor == lst.count - 1, "G did not reach the last row"
        timings = []
        for key, row in (("k", lambda: lst.cursor), ("pageup", lambda: lst.cursor), ("g", lambda: 0),
                         ("j", lambda: lst.cursor), ("pagedown", lambda: lst.cursor)):
            timings.append(await timed_key(pilot, spy, key, row))
        results["key_while_checking_max_s"] = max(timings)
        results["checked_rows_when_quitting"] = screen.state.results.checked
        results["checking_when_quitting"] = screen.status_bar.status.phase
        results["peak_before_quit"] = peak_rss()
        results["notices"] = [f"{n.title}: {n.message}"[:200] for n in app._notifications]
        t0 = time.perf_counter()
        await pilot.press("q")
        while app.is_running:
            await asyncio.sleep(0.001)
        results["quit_s"] = time.perf_counter() - t0
    results["shutdown_s"] = time.perf_counter() - t0
    return results


def main() -> int:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    path = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"/tmp/tunescope_bench_{lines}.jsonl")
    os.environ.setdefault("TUNESCOPE_HOME", "/tmp/tunescope_bench_home")
    ensure_file(lines, path)
    size_mb = path.stat().st_size / 1e6
    results = asyncio.run(measure(path))
    peak_main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"file: {path} ({results['lines']:,} lines, {size_mb:,.0f} MB)")
    print(f"time to first rows:        {results['first_rows_s']:.3f} s   (target < 1 s)")
    print(f"index complete after:      {results['index_complete_s']:.3f} s")
    print(f"G to render the last page: {results['G_s']:.3f} s   (target < 0.2 s; checker: "
          f"{results['checker_running_during_G'] or 'done'})")
    print(f"slowest key while checking:{results['key_while_checking_max_s']:.3f} s")
    print(f"quit while checking:       {results['quit_s']:.3f} s to stop, {results['shutdown_s']:.3f} s to exit"
          f"   ({results['checked_rows_when_quitting']:,} rows checked by then; "
          f"phase: {results['checking_when_quitting'] or 'done'})")
    print("RSS of the app at first rows / index complete / while checking: "
          + " / ".join(f"{results[k] / 1e6:,.0f} MB" for k in ("rss_first_rows", "rss_index_complete", "rss_checking")))
    print("peak RSS so far at those points and before quitting: "
          + " / ".join(f"{results[k] / 1e6:,.0f} MB" for k in ("peak_first_rows", "peak_index_complete", "peak_checking",
                                                      "peak_before_quit")))
    for notice in results["notices"]:
        print(f"notice: {notice}")
    print(f"peak RSS, app process:     {peak_main / 1e6:,.0f} MB   (target < 300 MB; ru_maxrss)")
    print(f"RSS of checker workers:    {results['children_rss'] / 1e6:,.0f} MB (sum, sampled during G)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
