"""`benchmarks/gen_chat.py` answers --help and bad arguments with usage, never a traceback."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "gen_chat.py"


def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


def test_help_prints_usage():
    done = run("--help")
    assert done.returncode == 0
    assert "usage:" in done.stdout and "lines" in done.stdout
    assert "Traceback" not in done.stderr


def test_bad_count_is_a_usage_error():
    done = run("many", "out.jsonl")
    assert done.returncode == 2
    assert "invalid int value" in done.stderr and "Traceback" not in done.stderr


def test_still_writes_the_file(tmp_path):
    out = tmp_path / "chat.jsonl"
    assert run("5", str(out), "3").returncode == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 5 and all("messages" in json.loads(line) for line in lines)
