"""QA: `tunescope check` / `fix` on paths and arguments a user gets wrong: one line on stderr, exit 2, no hang."""

import json
import os
import subprocess
import sys


def run(cmd, *args, timeout=60):
    return subprocess.run([sys.executable, "-m", "tunescope", cmd, *args], capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ))


def chat_file(path, n=12):
    rows = [{"messages": [{"role": "user", "content": f"Q{i}?"}, {"role": "assistant", "content": f"A{i}."}]}
            for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_fifo_is_refused_at_once_not_read_forever(tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    for cmd, extra in (("check", ()), ("fix", ("--dedupe", "-o", str(tmp_path / "out.jsonl")))):
        r = run(cmd, str(fifo), *extra, timeout=20)   # used to block in open() until the timeout
        assert r.returncode == 2, r.stderr
        assert "not a regular file" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_fix_says_directory_not_missing(tmp_path):
    r = run("fix", str(tmp_path), "--dedupe", "-o", str(tmp_path / "o.jsonl"))
    assert r.returncode == 2 and "not a regular file" in r.stderr and "no such file" not in r.stderr
