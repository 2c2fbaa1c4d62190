"""`tunescope check --watch`: check, then check again each time a file changes, in one warm process.

Why a watch and not a loop around `tunescope check`: a re-check after a small edit costs about what the
edit touched (the result cache supplies every unchanged chunk), but a new process also pays about 0.6 s
to import and to load the encoding: at 100,000 examples with 1% edited, a quarter of the re-check; with
a few lines edited, nearly all of it. The watch pays it once; each later check reuses the loaded
encoding, the imports and the warm cache.

Changes are found by polling `stat` (inode, size, modification time) every POLL_S: it works on every
file system, over SSH and on NFS, needs no extra dependency, and sees an atomic save (a rename over
the file) as a new inode. A change is checked once the file has held still for SETTLE_POLLS polls, so a
file caught mid-write is not reported half-written (once a change is seen the polls come every SETTLE_S,
so a save is checked 0.05 to 0.15 s after it lands); a file that changed while it was being checked
is checked again at once.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

POLL_S = 0.1            # between looks at an idle file (a stat per file: negligible)
SETTLE_S = 0.05         # between looks once it has changed, until it holds still
SETTLE_POLLS = 2
CLEAR = "\x1b[H\x1b[2J\x1b[3J"      # home, clear the screen and the scroll-back: the new report stands alone


@dataclass(frozen=True)
class Outcome:
    """What one check found, for the status line and the exit code; `cancelled`: a file changed while it
    was being checked, so nothing was reported (what was checked waits in the result cache)."""
    exit_code: int
    errors: int
    warnings: int
    cancelled: bool = False


def file_state(paths: list[str]) -> tuple:
    """(inode, size, mtime) of each path; None for one that is missing (an editor's save in progress)."""
    state = []
    for path in paths:
        try:
            st = os.stat(path)
            state.append((st.st_ino, st.st_size, st.st_mtime_ns))
        except OSError:
            state.append(None)
    return tuple(state)


def _count(now: int, before: int | None, word: str) -> str:
    """`3 errors`, with the change since the last check when there is one: `3 errors (-2)`."""
    text = f"{now} {word}" if now == 1 else f"{now} {word}s"
    return text if before is None or now == before else f"{text} ({now - before:+d})"


def status_line(outcome: Outcome, previous: Outcome | None, seconds: float, paths: list[str],
                width: int | None = None) -> str:
    """`[12:01:03] 3 errors (-2), 10 warnings in 1.4 s · watching a.jsonl · ctrl+c stops`. Where it would
    not fit in `width` columns the hint goes first, then the file names are cut (a wrapped status line
    breaks the redrawn screen)."""
    took = f"{seconds:.2f}" if seconds < 1 else f"{seconds:.1f}"
    core = (f"[{time.strftime('%H:%M:%S')}] {_count(outcome.errors, previous and previous.errors, 'error')}, "
            f"{_count(outcome.warnings, previous and previous.warnings, 'warning')} in {took} s")
    line = f"{core} · watching {', '.join(os.path.basename(p) for p in paths)}"
    if width is None or len(line) + len(" · ctrl+c stops") <= width:
        return line + " · ctrl+c stops"
    if len(line) <= width:
        return line
    return line[:width - 1] + "…" if width - len(core) > 12 else core


def watch(paths: list[str], check_once: Callable[..., Outcome], clear: bool = False, err=None,
          sleep: Callable[[float], None] = time.sleep) -> int:
    """Check now and after every change to `paths` until interrupted; the exit code of the last check
    (130 if interrupted before the first finished). `check_once(changed, record)` may call `changed()` as
    it goes and give up (Outcome.cancelled) once it is True: a check of a big file that a new save has made
    stale is not worth finishing. It calls `record(outcome)` before it writes its report, so a ctrl+c
    right after a report is read still exits with that report's code."""
    err = err or sys.stderr
    last: Outcome | None = None
    finished: list[Outcome] = []

    def record(outcome: Outcome) -> None:
        if not outcome.cancelled:
            finished.append(outcome)
    try:
        while True:
            seen = file_state(paths)
            if clear:
                sys.stdout.write(CLEAR)
            started = time.perf_counter()
            outcome = check_once(lambda: file_state(paths) != seen, record)
            if not finished or finished[-1] is not outcome:
                record(outcome)
            if outcome.cancelled:
                print(f"[{time.strftime('%H:%M:%S')}] changed during the check; checking the new version",
                      file=err, flush=True)
            else:
                print(status_line(outcome, last, time.perf_counter() - started, paths, _width(err)), file=err,
                      flush=True)
                last = outcome
            _wait_for_change(paths, seen, err, sleep)
    except KeyboardInterrupt:
        print("", file=err, flush=True)
        return finished[-1].exit_code if finished else 130


def _width(stream) -> int | None:
    """The terminal's width where `stream` is one (a status line must not wrap), else None."""
    try:
        return os.get_terminal_size(stream.fileno()).columns if stream.isatty() else None
    except (AttributeError, OSError, ValueError):
        return None


def _wait_for_change(paths: list[str], seen: tuple, err, sleep) -> None:
    """Return once the files differ from `seen`, all exist, and have held still for SETTLE_POLLS polls."""
    state, still, told = seen, 0, False
    while True:
        sleep(SETTLE_S if state != seen else POLL_S)
        now = file_state(paths)
        if None in now:
            if not told:
                gone = ", ".join(p for p, s in zip(paths, now) if s is None)
                print(f"{gone}: not there (being saved?); waiting for it to come back", file=err, flush=True)
                told = True
            state, still = now, 0
            continue
        still = still + 1 if now == state else 0
        state = now
        if now != seen and still >= SETTLE_POLLS - 1:
            return
