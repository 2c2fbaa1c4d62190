"""The check command's progress bar is rich's (issue 9: a well-kept library instead of a hand-written bar)."""

from __future__ import annotations

import io

from rich.console import Console

from tunescope.commands.check import _Progress


def test_the_bar_draws_with_rich_and_clears_itself_when_done():
    out = io.StringIO()
    bar = _Progress("big.jsonl", 0, console=Console(file=out, force_terminal=True, width=80))
    bar.on = True                                  # as on a terminal with a big file
    bar(50, 100)
    assert bar.bar is not None and bar.bar.tasks[0].completed == 50
    bar(100, 100)
    assert bar.bar is None                         # stopped: transient, nothing left on the line
    assert "big.jsonl" in out.getvalue()
    drawn = out.getvalue()
    bar(100, 100)                                  # the checker's last call, after the file is done
    assert bar.bar is None and out.getvalue() == drawn     # no second bar flashing from 0% to 100%


def test_no_bar_when_stderr_is_not_a_terminal():
    bar = _Progress("big.jsonl", 10**9)            # pytest captures stderr: not a tty
    bar(1, 2)
    assert bar.on is False and bar.bar is None
