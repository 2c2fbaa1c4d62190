"""One job's training process, seen from the server: launch it, read its JSON lines, stop it.

The process runs in its own process group (`start_new_session`), so cancel and server shutdown
end it with everything it started (accelerate's workers included). Its stderr goes to
`train.log` in the job's directory; the last lines name the cause when it dies without an
`error` line (killed, out of memory).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from tunescope.train.protocol import SPEC_FILE, STOP_FILE, parse

LOG_FILE = "train.log"
KILL_GRACE = 5.0


def latest_checkpoint(out: Path, at_most: int) -> Path | None:
    """The newest `checkpoint-N` with N <= `at_most` (steps the server has recorded), or None."""
    best = None
    for child in out.glob("checkpoint-*"):
        suffix = child.name.rpartition("-")[2]
        if suffix.isdigit() and 0 < int(suffix) <= at_most and (best is None or int(suffix) > best[0]):
            best = (int(suffix), child)
    return best[1] if best else None


class TrainingProcess:
    """A started `python -m tunescope.train` (behind the launcher) and what it said."""

    def __init__(self, out: Path, spec: dict, launcher: list[str], python: str = "") -> None:
        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        (out / STOP_FILE).unlink(missing_ok=True)
        (out / SPEC_FILE).write_text(json.dumps(spec, indent=1), encoding="utf-8")
        if launcher:
            argv = [*launcher, "-m", "tunescope.train", str(out / SPEC_FILE)]
        else:
            argv = [python or sys.executable, "-m", "tunescope.train", str(out / SPEC_FILE)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false"}
        self._log = open(out / LOG_FILE, "ab")  # noqa: SIM115 - closed in wait()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL,
                                     env=env, start_new_session=True, text=True, bufsize=1)
        self.error: dict | None = None

    def messages(self):
        """The process's messages (dicts), until its stdout closes."""
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            message = parse(line.rstrip("\n"))
            if message is not None:
                if message["kind"] == "error":
                    self.error = message
                yield message

    def wait(self) -> int:
        code = self.proc.wait()
        self._log.close()
        return code

    def pause(self) -> None:
        """Ask the run to save a checkpoint after its current step and stop."""
        (self.out / STOP_FILE).touch()

    def kill(self) -> None:
        """End the process group: SIGTERM, then SIGKILL after a grace period (in the background)."""
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return

        def finish():
            try:
                self.proc.wait(KILL_GRACE)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

        threading.Thread(target=finish, daemon=True, name="tunescope-train-kill").start()

    def failure(self, code: int) -> tuple[str, str]:
        """(error code, message) for a process that ended without finishing."""
        if self.error:
            return self.error.get("code") or "training_failed", f"The training process failed: {self.error['message']}"
        if code < 0:
            cause = f"killed by signal {signal.Signals(-code).name}"
            if -code == signal.SIGKILL:
                cause += " (out of memory, or killed by someone)"
        else:
            cause = f"exit code {code}"
        tail = self.log_tail()
        return "training_failed", (f"The training process ended unexpectedly ({cause})"
                                   + (f"; last log line: {tail}" if tail else "") + f". Full log: {self.out / LOG_FILE}")

    def log_tail(self) -> str:
        try:
            lines = (self.out / LOG_FILE).read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1][:300] if lines else ""
