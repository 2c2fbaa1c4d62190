"""`tunescope check --watch`'s loop: when it checks again, what it says, which exit code it ends with."""

from __future__ import annotations

import io
import os

from tunescope.commands import check_watch
from tunescope.commands.check_watch import Outcome, status_line, watch


class Script:
    """A stand-in for time.sleep that plays one action per poll, then stops the watch like ctrl+c."""

    def __init__(self, actions):
        self.actions = list(actions)
        self.polls = 0

    def __call__(self, seconds: float) -> None:
        self.polls += 1
        if not self.actions:
            raise KeyboardInterrupt
        action = self.actions.pop(0)
        if action is not None:
            action()


def write(path, text: str):
    def do():
        tmp = f"{path}.tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)         # an editor's atomic save: a new inode
    return do


def test_checks_once_at_start_and_again_after_each_settled_change(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("one\n")
    outcomes = iter([Outcome(1, 2, 5), Outcome(0, 0, 4), Outcome(1, 1, 4)])
    seen = []

    def check_once(changed, record):
        seen.append(path.read_text())
        return next(outcomes)

    err = io.StringIO()
    sleep = Script([None, None, write(path, "two\n"), None, None, write(path, "three\n"), None])
    code = watch([str(path)], check_once, err=err, sleep=sleep)
    assert seen == ["one\n", "two\n", "three\n"]       # unchanged polls check nothing
    assert code == 1                                    # the last check's exit code
    lines = err.getvalue().splitlines()
    assert "2 errors, 5 warnings in" in lines[0] and "watching a.jsonl" in lines[0]
    assert "0 errors (-2), 4 warnings (-1) in" in lines[1]
    assert "1 error (+1), 4 warnings in" in lines[2]


def test_a_file_still_being_written_is_checked_once_it_holds_still(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("v0\n")
    seen = []

    def check_once(changed, record):
        seen.append(path.read_text())
        return Outcome(0, 0, 0)

    def append(text):
        def do():
            with open(path, "a") as f:
                f.write(text)
        return do

    # three appends on consecutive polls: one check, of the whole write, not three of its pieces
    sleep = Script([append("a\n"), append("b\n"), append("c\n"), None, None])
    watch([str(path)], check_once, err=io.StringIO(), sleep=sleep)
    assert seen == ["v0\n", "v0\na\nb\nc\n"]


def test_a_file_that_disappears_is_waited_for_not_checked(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("v0\n")
    seen = []

    def check_once(changed, record):
        seen.append(path.read_text())     # would raise if checked while missing
        return Outcome(0, 0, 0)

    err = io.StringIO()
    sleep = Script([path.unlink, None, None, write(path, "v1\n"), None])
    watch([str(path)], check_once, err=err, sleep=sleep)
    assert seen == ["v0\n", "v1\n"]
    assert err.getvalue().count("not there") == 1          # said once, not at every poll


def test_a_check_made_stale_by_a_save_is_given_up_and_the_new_version_checked(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("v0\n")
    calls = []

    def check_once(changed, record):
        text = path.read_text()
        calls.append((text, changed()))
        if text == "v0\n":
            write(path, "v1\n")()             # saved again while the first check runs
            assert changed()                 # the check sees it...
            return Outcome(1, 3, 0, cancelled=True)   # ...and gives up, unreported
        assert not changed()
        return Outcome(0, 0, 2)

    err = io.StringIO()
    code = watch([str(path)], check_once, err=err, sleep=Script([None, None]))
    assert [text for text, _ in calls] == ["v0\n", "v1\n"]
    assert [early for _, early in calls] == [False, False]      # nothing had changed when each began
    lines = err.getvalue().splitlines()
    assert "changed during the check; checking the new version" in lines[0]
    assert "0 errors, 2 warnings in" in lines[1] and "(" not in lines[1].split(" · ")[0]   # no change against a stale check
    assert code == 0


def test_interrupted_before_the_first_check_ends_exits_130(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("x\n")

    def check_once(changed, record):
        raise KeyboardInterrupt

    assert watch([str(path)], check_once, err=io.StringIO(), sleep=Script([])) == 130


def test_ctrl_c_right_after_a_report_exits_with_that_reports_code(tmp_path):
    """The report was out (a reader had it) but the interrupt came before the check returned: CI saw the
    previous check's code."""
    path = tmp_path / "a.jsonl"
    path.write_text("v0\n")
    outcomes = iter([Outcome(1, 1, 0), Outcome(0, 0, 0)])

    def check_once(changed, record):
        outcome = next(outcomes)
        record(outcome)                        # heard before the report is written...
        if outcome.exit_code == 0:
            raise KeyboardInterrupt            # ...and ctrl+c lands just after it
        return outcome

    code = watch([str(path)], check_once, err=io.StringIO(), sleep=Script([write(path, "v1\n"), None]))
    assert code == 0


def test_the_screen_is_cleared_before_each_report_only_when_asked(tmp_path, capsys):
    path = tmp_path / "a.jsonl"
    path.write_text("x\n")
    watch([str(path)], lambda changed, record: Outcome(0, 0, 0), clear=True, err=io.StringIO(), sleep=Script([]))
    assert capsys.readouterr().out == check_watch.CLEAR
    watch([str(path)], lambda changed, record: Outcome(0, 0, 0), clear=False, err=io.StringIO(), sleep=Script([]))
    assert capsys.readouterr().out == ""


def test_status_line_names_every_watched_file_and_says_nothing_changed_when_nothing_did():
    line = status_line(Outcome(0, 1, 1), Outcome(0, 1, 1), 0.04, ["/d/train.jsonl", "/d/valid.jsonl"])
    assert "1 error, 1 warning in 0.04 s" in line and "(" not in line
    assert "watching train.jsonl, valid.jsonl · ctrl+c stops" in line


def test_status_line_fits_an_80_column_terminal_by_leaving_off_the_hint():
    paths = ["/data/customer_support_train_v2.jsonl"]
    wide = status_line(Outcome(1, 12, 1034), Outcome(1, 14, 1000), 1.43, paths)
    assert wide.endswith("ctrl+c stops") and len(wide) > 80
    narrow = status_line(Outcome(1, 12, 1034), Outcome(1, 14, 1000), 1.43, paths, width=80)
    assert len(narrow) == 80 and "12 errors (-2), 1034 warnings (+34) in 1.4 s · watching customer_" in narrow
    assert narrow.endswith("\u2026")
    assert status_line(Outcome(1, 12, 1034), None, 1.43, paths, width=40).endswith("1034 warnings in 1.4 s")


def test_the_check_command_gives_up_unreported_once_told_a_file_changed(tmp_path, capsys):
    import json

    from tunescope.cli import build_parser
    from tunescope.commands import check

    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps({"messages": [{"role": "user", "content": f"Q{i}"},
                                                     {"role": "assistant", "content": f"A{i}"}]}) + "\n"
                            for i in range(40)))
    args = build_parser(["check"]).parse_args(["check", str(path), "--watch", "--format", "json"])
    setup = check._prepare(args)
    asked = []

    def changed():
        asked.append(1)
        return True

    outcome = check._check_all(args, setup, changed)
    assert outcome.cancelled and asked and capsys.readouterr().out == ""
    outcome = check._check_all(args, setup, lambda: False)
    assert not outcome.cancelled
    assert json.loads(capsys.readouterr().out)["examples"] == 40     # one compact line under --watch
