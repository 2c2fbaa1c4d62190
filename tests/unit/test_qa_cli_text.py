"""QA: `tunescope check` text output and argument errors as a user reads them."""

import json
import os
import subprocess
import sys


def run(cmd, *args, env=None):
    return subprocess.run([sys.executable, "-m", "tunescope", cmd, *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, **(env or {})})


def chat_file(path, n=12):
    rows = [{"messages": [{"role": "user", "content": f"Q{i}?"}, {"role": "assistant", "content": f"A{i}."}]}
            for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


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


def test_summary_counts_have_separators_and_singulars(tmp_path):
    rows = [{"messages": [{"role": "user", "content": f"Q{i}"}, {"role": "assistant", "content": "A"}], "id": i}
            for i in range(1200)]
    p = tmp_path / "extra.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = run("check", str(p)).stdout
    assert "1,200 errors, 0 warnings" in out                  # was "1200 errors"
    out = run("check", str(chat_file(tmp_path / "c.jsonl"))).stdout
    assert "0 errors, 1 warning, 0 infos" in out


def test_negative_counts_are_argument_errors(tmp_path):
    p = chat_file(tmp_path / "d.jsonl")
    r = run("check", str(p), "--max-findings", "-1")          # showed "... 2 more" for a single finding
    assert r.returncode == 2 and "--max-findings" in r.stderr
    r = run("fix", str(p), "--drop-over-limit", "--limit", "-5", "-o", str(tmp_path / "o.jsonl"))
    assert r.returncode == 2 and "--limit" in r.stderr        # deleted every example
    assert not (tmp_path / "o.jsonl").exists()


def test_every_report_line_fits_80_columns_on_the_real_datasets(datasets_dir):
    from tests.conftest import dataset_files
    from tunescope.checks.run.runner import check_path, options_for_model
    from tunescope.checks.report_text import render_text
    for path in dataset_files():
        text = render_text(check_path(path, options_for_model(), use_cache=False), max_findings=3)
        long = [line for line in text.splitlines()[1:] if len(line) > 80]   # line 1 is the path
        assert not long, (path.name, long[0])      # "[E] near_miss_format x500 lines 1, 2, ..." was 83
