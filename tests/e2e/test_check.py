"""`tunescope check` as a user runs it: a real subprocess, real files, exit codes and output."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import DATASETS

pytestmark = pytest.mark.slow   # subprocesses, SIGKILL or big files: skipped by the fast loop (-m "not slow")


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "tunescope", "check", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_clean_file_exits_0_and_summarises(datasets_dir, tmp_path):
    p = tmp_path / "ok.jsonl"
    lines = [json.dumps({"messages": [{"role": "system", "content": "Be brief."},
                                      {"role": "user", "content": f"Q{i}?"},
                                      {"role": "assistant", "content": f"A{i}."}]}) for i in range(60)]
    p.write_text("\n".join(lines) + "\n")
    r = run(str(p))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "60 examples" in r.stdout and "0 errors" in r.stdout
    assert max(len(line) for line in r.stdout.splitlines()[1:]) <= 80  # line 1 is the path


def test_errors_exit_1_with_line_numbers(datasets_dir):
    r = run(str(datasets_dir / "debian_admin_extra_keys.jsonl"))
    assert r.returncode == 1
    assert "line 1" in r.stdout


def test_json_output_keys(datasets_dir):
    r = run(str(datasets_dir / "cookbook_toy_chat.jsonl"), "--format", "json")
    data = json.loads(r.stdout)
    assert {"file", "format", "model", "encoding", "exact_tokens", "examples", "lines", "summary",
            "counts_by_check", "findings", "tokens", "cost", "duplicates"} <= set(data)
    assert data["examples"] == 5 and data["summary"]["errors"] >= 1
    assert r.returncode == 1


def test_strict_makes_warnings_fail(tmp_path):
    p = tmp_path / "w.jsonl"
    lines = [json.dumps({"messages": [{"role": "user", "content": f"Q{i}?"},
                                      {"role": "assistant", "content": f"A{i}."}]}) for i in range(12)]
    p.write_text("\n".join(lines) + "\n")
    assert run(str(p)).returncode == 0
    assert run(str(p), "--strict").returncode == 1


def test_missing_file_is_exit_2_one_line(tmp_path):
    r = run(str(tmp_path / "nope.jsonl"))
    assert r.returncode == 2
    assert "no such file" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_unknown_model_is_exit_2(datasets_dir):
    r = run(str(datasets_dir / "pirate_chat.jsonl"), "--model", "gpt-9-turbo")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "gpt-9-turbo" in r.stderr


def test_missing_encoding_explains_and_estimate_opt_in(datasets_dir, tmp_path):
    env = {"TIKTOKEN_CACHE_DIR": str(tmp_path / "empty")}
    r = run(str(datasets_dir / "pirate_chat.jsonl"), env=env)
    assert r.returncode == 2 and "encodings import" in r.stderr and "Traceback" not in r.stderr
    r2 = run(str(datasets_dir / "pirate_chat.jsonl"), "--allow-estimate", "--format", "json", env=env)
    assert r2.returncode in (0, 1)
    assert json.loads(r2.stdout)["exact_tokens"] is False


def test_binary_and_empty_are_exit_2(tmp_path):
    e = tmp_path / "e.jsonl"
    e.write_bytes(b"")
    assert run(str(e)).returncode == 2
    b = tmp_path / "b.jsonl"
    b.write_bytes(os.urandom(4096) + b"\x00" * 100)
    r = run(str(b))
    assert r.returncode == 2 and "binary" in r.stdout


def test_binary_and_empty_say_why_on_stderr_even_with_json(tmp_path):
    """Issue 9: exit 2 came with nothing on stderr; now one line says why (the JSON report still goes to stdout)."""
    e = tmp_path / "e.jsonl"
    e.write_bytes(b"")
    r = run(str(e), "--format", "json")
    assert r.returncode == 2 and json.loads(r.stdout)["file_facts"]["layout"] == "empty"
    assert r.stderr.strip().splitlines() == ["tunescope check: e.jsonl is empty (0 bytes): there are no training examples."]
    b = tmp_path / "b.jsonl"
    b.write_bytes(os.urandom(4096) + b"\x00" * 100)
    r = run(str(b))
    assert r.returncode == 2 and r.stderr.startswith("tunescope check: b.jsonl looks like a binary file")


@pytest.mark.parametrize("name", sorted(p.name for p in DATASETS.glob("*.jsonl")) if DATASETS.is_dir() else [])
def test_json_for_every_dataset(name):
    r = run(str(DATASETS / name), "--format", "json")
    assert r.returncode in (0, 1), r.stderr
    assert "Traceback" not in r.stderr
    json.loads(r.stdout)


def test_watch_checks_again_after_a_save_and_exits_with_the_last_result(tmp_path):
    """`check --watch --format json`: one report per line, a new one after each save, ctrl+c ends it with the
    exit code of the last check (here the file was fixed: 0)."""
    import queue
    import signal
    import threading

    good = [json.dumps({"messages": [{"role": "user", "content": f"Question {i}?"},
                                     {"role": "assistant", "content": f"Answer {i}."}]}) for i in range(12)]
    bad = json.dumps({"messages": [{"role": "user", "content": "no reply"}]})
    p = tmp_path / "w.jsonl"
    p.write_text("\n".join(good + [bad]) + "\n")
    proc = subprocess.Popen([sys.executable, "-m", "tunescope", "check", str(p), "--watch", "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    status: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    reader = threading.Thread(target=lambda: [status.put(x) for x in proc.stderr], daemon=True)
    reader.start()
    said = []
    try:
        first = json.loads(lines.get(timeout=60))
        assert first["examples"] == 13 and first["summary"]["errors"] >= 1
        said.append(status.get(timeout=30))
        tmp = tmp_path / "w.jsonl.tmp"
        tmp.write_text("\n".join(good) + "\n")
        os.replace(tmp, p)                                   # the fix, saved atomically
        second = json.loads(lines.get(timeout=60))
        assert second["examples"] == 12 and second["summary"]["errors"] == 0
        said.append(status.get(timeout=30))
        assert lines.empty()                                 # nothing changed since: no third report
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
    assert code == 0, said
    assert "1 error" in said[0] and "0 errors (-1)" in said[1] and "watching w.jsonl" in said[1]
    reader.join(timeout=10)                                  # the rest of stderr, to its end
    while not status.empty():
        assert "Traceback" not in status.get()


def test_check_names_the_bulk_fixes_and_its_command_line_applies_them(datasets_dir, tmp_path):
    import shutil
    import shlex

    path = tmp_path / "lf sft.jsonl"                       # a space: the command line quotes the path
    shutil.copy(datasets_dir / "llamafactory_nearmiss_sft.jsonl", path)
    r = run(str(path), "--format", "json")
    fixes = json.loads(r.stdout)["fixes"]
    assert fixes[0] == {"fix": "rename_near_miss", "flag": "--rename-near-miss", "findings": 500, "errors": 500}
    assert [f["fix"] for f in fixes] == ["rename_near_miss", "redact_sensitive", "dedupe"]
    text = run(str(path)).stdout
    block = text[text.index("Bulk fixes"):].splitlines()
    assert "  --rename-near-miss  Fix near-miss formats (500 findings, 500 errors)" in block
    # within 80 columns, but the pytest path (with -o before the fixed file's) gets a line of its own
    assert all(len(line) <= 80 or str(tmp_path) in line for line in block), block
    assert any(line.strip().startswith("-o ") for line in block)            # -o and its path stay together
    command = " ".join(line.rstrip("\\").strip() for line in block[block.index(next(
        line for line in block if line.strip().startswith("tunescope fix"))):])
    words = shlex.split(command)
    assert words[:3] == ["tunescope", "fix", str(path)] and words[-2:] == ["-o", str(tmp_path / "lf sft.fixed.jsonl")]
    fixed = subprocess.run([sys.executable, "-m", "tunescope", *words[1:]], capture_output=True, text=True,
                           timeout=120)
    assert fixed.returncode == 0, fixed.stderr
    after = json.loads(run(str(tmp_path / "lf sft.fixed.jsonl"), "--format", "json").stdout)
    assert after["fixes"] == [] and after["summary"]["errors"] == 0
