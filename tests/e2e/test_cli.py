"""`tunescope check` / `fix` from a shell: wrong paths and arguments (one line on stderr, exit 2, no hang) and the
text a user reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.factories import chat, write_lines

pytestmark = pytest.mark.slow   # subprocesses, SIGKILL or big files: skipped by the fast loop (-m "not slow")


# Folded from test_qa_cli_inputs.py: QA: `tunescope check` / `fix` on paths and arguments a user gets wrong: one line on stderr, exit 2, no hang.


def run(cmd, *args, timeout=60, env=None):
    return subprocess.run([sys.executable, "-m", "tunescope", cmd, *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def chat_file(path, n=12):
    return write_lines(path, [chat(f"Q{i}?", f"A{i}.") for i in range(n)])


@pytest.mark.regression("qa_cli_inputs")
def test_fifo_is_refused_at_once_not_read_forever(tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    for cmd, extra in (("check", ()), ("fix", ("--dedupe", "-o", str(tmp_path / "out.jsonl")))):
        r = run(cmd, str(fifo), *extra, timeout=20)   # used to block in open() until the timeout
        assert r.returncode == 2, r.stderr
        assert "not a regular file" in r.stderr and len(r.stderr.strip().splitlines()) == 1


@pytest.mark.regression("qa_cli_inputs")
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


@pytest.mark.regression("qa_cli_inputs")
def test_check_into_a_closed_pipe_has_no_traceback(tmp_path):
    rows = [{"messages": [{"role": "user", "content": f"Q{i}"}, {"role": "assistant", "content": "A"}], "id": i}
            for i in range(300)]
    p = tmp_path / "extra.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, err = run_with_closed_stdout("check", str(p), "--max-findings", "1000")
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert code == 1          # errors found: the exit status still says so


@pytest.mark.regression("qa_cli_inputs")
def test_fix_into_a_closed_pipe_still_saves(tmp_path):
    src = chat_file(tmp_path / "d.jsonl", 300)
    src.write_text(src.read_text() * 2)      # 300 duplicates -> 300 report lines
    out = tmp_path / "out.jsonl"
    code, err = run_with_closed_stdout("fix", str(src), "--dedupe", "--max-lines", "1000", "-o", str(out))
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert code == 0 and len(out.read_text().splitlines()) == 300


@pytest.mark.regression("qa_cli_inputs")
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


@pytest.mark.regression("qa_cli_inputs")
def test_validation_file_that_is_the_training_file_is_an_argument_error(tmp_path):
    p = chat_file(tmp_path / "train.jsonl")
    os.symlink(p, tmp_path / "alias.jsonl")
    r = run("check", str(p), "--validation", str(tmp_path / "alias.jsonl"))   # was 12 overlap warnings, exit 0
    assert r.returncode == 2 and "training file itself" in r.stderr and len(r.stderr.strip().splitlines()) == 1


@pytest.mark.regression("qa_cli_inputs")
def test_drop_invalid_names_a_latin1_line_as_not_utf8(tmp_path):
    src = chat_file(tmp_path / "d.jsonl")
    with open(src, "ab") as fh:
        fh.write('{"messages": [{"role": "user", "content": "café"}]}\n'.encode("latin-1"))
    r = run("fix", str(src), "--drop-invalid", "--dry-run")
    assert r.returncode == 0 and "line 13: deleted: not UTF-8 text" in r.stdout, r.stdout
    assert "surrogates" not in r.stdout                     # orjson's wording for invalid UTF-8


@pytest.mark.regression("qa_cli_inputs")
def test_encodings_import_of_a_directory_says_so(tmp_path):
    r = run("encodings", "import", str(tmp_path))
    assert r.returncode == 2 and "not a regular file" in r.stderr and "no such file" not in r.stderr


@pytest.mark.regression("qa_cli_inputs")
def test_fix_output_to_a_directory_or_missing_folder_is_an_argument_error(tmp_path):
    src = chat_file(tmp_path / "d.jsonl")
    r = run("fix", str(src), "--dedupe", "-o", str(tmp_path))          # was exit 1, "Is a directory"
    assert r.returncode == 2 and "is a directory" in r.stderr
    r = run("fix", str(src), "--dedupe", "-o", str(tmp_path / "nope" / "x.jsonl"))   # was "no longer exists"
    assert r.returncode == 2 and "does not exist" in r.stderr


# Folded from test_qa_cli_text.py: QA: `tunescope check` text output and argument errors as a user reads them.


@pytest.mark.regression("qa_cli_text")
def test_estimated_counts_fit_80_columns_and_missing_encoding_hint_is_said_once(tmp_path):
    p = chat_file(tmp_path / "d.jsonl")
    no_cache = {"TIKTOKEN_CACHE_DIR": str(tmp_path / "no-encodings")}
    r = run("check", str(p), "--allow-estimate", env=no_cache)
    assert r.returncode == 0, r.stderr
    body = r.stdout.splitlines()[1:]                           # line 1 is the path
    assert max(len(line) for line in body) <= 80, max(body, key=len)
    assert any("ESTIMATES" in line for line in body)
    r = run("check", str(p), env=no_cache)
    assert r.returncode == 2 and r.stderr.count("--allow-estimate") == 1, r.stderr


@pytest.mark.regression("qa_cli_text")
def test_summary_counts_have_separators_and_singulars(tmp_path):
    rows = [{"messages": [{"role": "user", "content": f"Q{i}"}, {"role": "assistant", "content": "A"}], "id": i}
            for i in range(1200)]
    p = tmp_path / "extra.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = run("check", str(p)).stdout
    assert "1,200 errors, 0 warnings" in out                  # was "1200 errors"
    out = run("check", str(chat_file(tmp_path / "c.jsonl"))).stdout
    assert "0 errors, 1 warning, 0 infos" in out


@pytest.mark.regression("qa_cli_text")
def test_negative_counts_are_argument_errors(tmp_path):
    p = chat_file(tmp_path / "d.jsonl")
    r = run("check", str(p), "--max-findings", "-1")          # showed "... 2 more" for a single finding
    assert r.returncode == 2 and "--max-findings" in r.stderr
    r = run("fix", str(p), "--drop-over-limit", "--limit", "-5", "-o", str(tmp_path / "o.jsonl"))
    assert r.returncode == 2 and "--limit" in r.stderr        # deleted every example
    assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.regression("qa_cli_text")
def test_every_report_line_fits_80_columns_on_the_real_datasets(datasets_dir):
    from tests.conftest import dataset_files
    from tunescope.checks.run.runner import check_path, options_for_model
    from tunescope.checks.report_text import render_text
    for path in dataset_files():
        text = render_text(check_path(path, options_for_model(), use_cache=False), max_findings=3)
        long = [line for line in text.splitlines()[1:] if len(line) > 80]   # line 1 is the path
        assert not long, (path.name, long[0])      # "[E] near_miss_format x500 lines 1, 2, ..." was 83
