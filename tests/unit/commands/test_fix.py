"""`tunescope fix`: exit codes, outputs, dry runs, in-place saves (real files on disk)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys

import orjson
import pytest

from tunescope.cli import main
from tunescope.editing import save as save_mod
from tunescope.dataset.index import LineIndex


def copy(datasets_dir, name, tmp_path):
    dst = tmp_path / name
    shutil.copyfile(datasets_dir / name, dst)
    return dst


def run(capsys, *argv):
    code = main(["fix", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_refuses_without_output_or_in_place(datasets_dir, tmp_path, capsys):
    path = copy(datasets_dir, "llamafactory_nearmiss_sft.jsonl", tmp_path)
    before = path.read_bytes()
    code, out, err = run(capsys, path, "--dedupe")
    assert code == 2 and "-o OUT, or --in-place" in err and err.count("\n") == 1
    assert path.read_bytes() == before


def test_no_fix_selected_and_missing_file(tmp_path, capsys):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'{"a":1}\n')
    code, _, err = run(capsys, p, "-o", tmp_path / "o.jsonl")
    assert code == 2 and "no fix selected" in err
    code, _, err = run(capsys, tmp_path / "missing.jsonl", "--dedupe", "-o", tmp_path / "o.jsonl")
    assert code == 2 and "no such file" in err


def test_dedupe_to_output_file(datasets_dir, tmp_path, capsys):
    path = copy(datasets_dir, "llamafactory_nearmiss_sft.jsonl", tmp_path)
    out_path = tmp_path / "out.jsonl"
    code, out, err = run(capsys, path, "--dedupe", "-o", out_path)
    assert code == 0 and err == ""
    assert "remove duplicate examples: 1 deleted" in out and "line 326: deleted: duplicate of line 168" in out
    lines = path.read_bytes().splitlines(keepends=True)
    assert out_path.read_bytes() == b"".join(lines[:325] + lines[326:])
    assert f"wrote 499 rows to {out_path}" in out


def test_dry_run_caps_the_listing_and_writes_nothing(datasets_dir, tmp_path, capsys):
    path = copy(datasets_dir, "debian_admin_extra_keys.jsonl", tmp_path)
    before = path.read_bytes()
    code, out, _ = run(capsys, path, "--drop-extra-keys", "--dry-run", "--max-lines", "5")
    assert code == 0
    listed = [line for line in out.splitlines() if line.startswith("  line ")]
    assert len(listed) == 5 and listed[0] == "  line 1: changed: dropped extra top-level keys id, meta"
    assert "... and 635 more" in out and "nothing written" in out
    assert path.read_bytes() == before and os.listdir(tmp_path) == [path.name]


def test_in_place_with_backup(datasets_dir, tmp_path, capsys):
    path = copy(datasets_dir, "debian_admin_extra_keys.jsonl", tmp_path)
    before = path.read_bytes()
    code, out, _ = run(capsys, path, "--drop-extra-keys", "--in-place", "--backup", "bak")
    assert code == 0 and "previous file kept as" in out
    assert (tmp_path / (path.name + ".bak")).read_bytes() == before
    for line in path.read_bytes().splitlines():
        assert set(orjson.loads(line)) == {"messages"}


def test_pretty_printed_input_needs_to_jsonl(datasets_dir, tmp_path, capsys):
    path = copy(datasets_dir, "medical_pretty_printed_crlf.jsonl", tmp_path)
    code, _, err = run(capsys, path, "--drop-invalid", "-o", tmp_path / "o.jsonl")
    assert code == 2 and "add --to-jsonl" in err and not (tmp_path / "o.jsonl").exists()
    code, out, _ = run(capsys, path, "--to-jsonl", "--in-place")
    assert code == 0 and "wrote 25 rows" in out
    assert len(LineIndex(path).build()) == 25
    code, out, _ = run(capsys, path, "--to-jsonl", "--dedupe", "-o", tmp_path / "again.jsonl")
    assert code == 0 and "already" in out


def test_to_chat_with_system(datasets_dir, tmp_path, capsys):
    path = copy(datasets_dir, "azure_prompt_completion_crlf.jsonl", tmp_path)
    out_path = tmp_path / "chat.jsonl"
    code, out, _ = run(capsys, path, "--to-chat", "--system", "You are DevAide.", "-o", out_path)
    assert code == 0 and "10 changed" in out
    rows = [json.loads(x) for x in out_path.read_bytes().split(b"\r\n") if x]
    assert len(rows) == 10 and all(r["messages"][0] == {"role": "system", "content": "You are DevAide."} for r in rows)


def test_split_writes_train_and_valid(datasets_dir, tmp_path, capsys):
    path = copy(datasets_dir, "foundry_gsm8k_chat_valid.jsonl", tmp_path)
    code, out, _ = run(capsys, path, "--split", "0.8", "--seed", "5", "-o", tmp_path / "gsm.jsonl")
    assert code == 0 and "wrote 40 rows" in out and "and 10 to" in out
    train = (tmp_path / "gsm_train.jsonl").read_bytes().splitlines()
    valid = (tmp_path / "gsm_valid.jsonl").read_bytes().splitlines()
    assert sorted(train + valid) == sorted(path.read_bytes().splitlines())
    code, _, err = run(capsys, path, "--split", "0.8", "--in-place")
    assert code == 2 and "--split writes two new files" in err


def test_truncate_over_limit_needs_known_limit(datasets_dir, tmp_path, capsys):
    path = copy(datasets_dir, "cookbook_toy_chat.jsonl", tmp_path)
    code, out, _ = run(capsys, path, "--truncate-over-limit", "--limit", "3000", "-o", tmp_path / "o.jsonl")
    assert code == 0 and "line 5: deleted: 8,031 tokens > limit 3,000" in out
    code, _, err = run(capsys, path, "--drop-over-limit", "--model", "no-such-model-xyz", "-o", tmp_path / "o.jsonl")
    assert code == 2 and "no-such-model-xyz" in err


def test_refused_save_when_file_changes_exits_2(tmp_path, capsys, monkeypatch):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'{"a":1}\n{"a":1}\n')
    monkeypatch.setattr(LineIndex, "changed_on_disk", lambda self: True)
    code, _, err = run(capsys, p, "--dedupe", "--in-place")
    assert code == 2 and err.startswith("tunescope fix: save refused:") and err.count("\n") == 1
    assert p.read_bytes() == b'{"a":1}\n{"a":1}\n'


def test_failed_write_exits_1_and_keeps_original(tmp_path, capsys, monkeypatch):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'{"a":1}\n{"a":1}\n')

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(save_mod, "_os_write", full)
    code, _, err = run(capsys, p, "--dedupe", "--in-place")
    assert code == 1 and "the disk is full" in err
    assert p.read_bytes() == b'{"a":1}\n{"a":1}\n'


def test_entry_point_end_to_end(datasets_dir, tmp_path):
    path = copy(datasets_dir, "llamafactory_nearmiss_dpo.jsonl", tmp_path)
    proc = subprocess.run([sys.executable, "-m", "tunescope", "fix", str(path), "--rename-near-miss", "--in-place"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "10 changed" in proc.stdout
    assert all("preferred_output" in orjson.loads(x) for x in path.read_bytes().splitlines())


def test_a_binary_file_is_refused_and_nothing_is_written(tmp_path, capsys):
    """Issue 9: `fix` on a binary file wrote hundreds of garbage rows and exited 0; it refuses it as `check` does."""
    src = tmp_path / "b.jsonl"
    src.write_bytes(os.urandom(4096) + b"\x00" * 100)
    out = tmp_path / "out.jsonl"
    code, _stdout, stderr = run(capsys, src, "--dedupe", "-o", out)
    assert code == 2 and not out.exists()
    assert "binary file" in stderr and stderr.count("\n") == 1
