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


def run_with_closed_stdout(cmd, *args):
    """Like `tunescope ... | head -0`: the reader is gone before the first write."""
    p = subprocess.Popen([sys.executable, "-m", "tunescope", cmd, *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=dict(os.environ))
    p.stdout.close()
    _, err = p.communicate(timeout=120)
    return p.returncode, err.decode()


def test_check_into_a_closed_pipe_has_no_traceback(tmp_path):
    rows = [{"messages": [{"role": "user", "content": f"Q{i}"}, {"role": "assistant", "content": "A"}], "id": i}
            for i in range(300)]
    p = tmp_path / "extra.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, err = run_with_closed_stdout("check", str(p), "--max-findings", "1000")
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert code == 1          # errors found: the exit status still says so


def test_fix_into_a_closed_pipe_still_saves(tmp_path):
    src = chat_file(tmp_path / "d.jsonl", 300)
    src.write_text(src.read_text() * 2)      # 300 duplicates -> 300 report lines
    out = tmp_path / "out.jsonl"
    code, err = run_with_closed_stdout("fix", str(src), "--dedupe", "--max-lines", "1000", "-o", str(out))
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert code == 0 and len(out.read_text().splitlines()) == 300


def test_fix_in_place_refuses_a_read_only_file(tmp_path):
    src = chat_file(tmp_path / "ro.jsonl")
    src.write_text(src.read_text() * 2)
    before = src.read_bytes()
    src.chmod(0o444)
    try:
        for extra in (("--dedupe",), ("--to-jsonl",)):
            r = run("fix", str(src), *extra, "--in-place")     # the rename used to replace it anyway
            assert r.returncode == 2, r.stdout + r.stderr
            assert "read-only" in r.stderr and len(r.stderr.strip().splitlines()) == 1
            assert src.read_bytes() == before and oct(src.stat().st_mode & 0o777) == "0o444"
        r = run("fix", str(src), "--dedupe", "-o", str(tmp_path / "copy.jsonl"))   # save elsewhere still works
        assert r.returncode == 0 and len((tmp_path / "copy.jsonl").read_text().splitlines()) == 12
    finally:
        src.chmod(0o644)


def test_validation_file_that_is_the_training_file_is_an_argument_error(tmp_path):
    p = chat_file(tmp_path / "train.jsonl")
    os.symlink(p, tmp_path / "alias.jsonl")
    r = run("check", str(p), "--validation", str(tmp_path / "alias.jsonl"))   # was 12 overlap warnings, exit 0
    assert r.returncode == 2 and "training file itself" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_drop_invalid_names_a_latin1_line_as_not_utf8(tmp_path):
    src = chat_file(tmp_path / "d.jsonl")
    with open(src, "ab") as fh:
        fh.write('{"messages": [{"role": "user", "content": "café"}]}\n'.encode("latin-1"))
    r = run("fix", str(src), "--drop-invalid", "--dry-run")
    assert r.returncode == 0 and "line 13: deleted: not UTF-8 text" in r.stdout, r.stdout
    assert "surrogates" not in r.stdout                     # orjson's wording for invalid UTF-8


def test_encodings_import_of_a_directory_says_so(tmp_path):
    r = run("encodings", "import", str(tmp_path))
    assert r.returncode == 2 and "not a regular file" in r.stderr and "no such file" not in r.stderr


def test_fix_output_to_a_directory_or_missing_folder_is_an_argument_error(tmp_path):
    src = chat_file(tmp_path / "d.jsonl")
    r = run("fix", str(src), "--dedupe", "-o", str(tmp_path))          # was exit 1, "Is a directory"
    assert r.returncode == 2 and "is a directory" in r.stderr
    r = run("fix", str(src), "--dedupe", "-o", str(tmp_path / "nope" / "x.jsonl"))   # was "no longer exists"
    assert r.returncode == 2 and "does not exist" in r.stderr
