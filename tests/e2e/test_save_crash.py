"""Crash safety: SIGKILL a process saving a large file at random moments, many times.

Each time, the dataset on disk must be exactly the old file or exactly the new
one, and the dataset's name is never taken by a temporary file.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tunescope.editing import save as save_mod

pytestmark = pytest.mark.slow   # subprocesses, SIGKILL or big files: skipped by the fast loop (-m "not slow")

KILLS = 25
SAVER = r"""
import sys
from tunescope.editing.session import EditSession
s = EditSession.open(sys.argv[1])
s.replace(0, b'{"i":"first line edited"}')
s.delete(len(s) // 2)
s.insert_after(len(s) - 1, b'{"i":"appended"}')
print("saving", flush=True)
s.save()
print("saved", flush=True)
"""


def digest(path) -> str:
    h = hashlib.blake2b()
    with open(path, "rb") as fh:
        while chunk := fh.read(8 << 20):
            h.update(chunk)
    return h.hexdigest()


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    """~55 MB of JSONL and the bytes the saver must produce from it."""
    d = tmp_path_factory.mktemp("crash")
    pad = b"x" * 160
    lines = [b'{"i":%d,"pad":"%s"}\n' % (i, pad) for i in range(300_000)]
    original = d / "original.jsonl"
    original.write_bytes(b"".join(lines))
    new_lines = [b'{"i":"first line edited"}\n'] + lines[1:]
    del new_lines[len(new_lines) // 2]
    new_lines.append(b'{"i":"appended"}\n')
    expected = d / "expected.jsonl"
    expected.write_bytes(b"".join(new_lines))
    return original, digest(original), digest(expected)


def start_saver(target):
    proc = subprocess.Popen([sys.executable, "-c", SAVER, str(target)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "saving", proc.stderr.read()
    return proc


def test_sigkill_during_save_leaves_old_or_new_file(big_file, tmp_path):
    original, old_digest, new_digest = big_file
    work = tmp_path / "work"
    work.mkdir()
    target = work / "data.jsonl"

    # one uncontested save: how long the saving window lasts, and that it produces the new bytes
    shutil.copyfile(original, target)
    proc = start_saver(target)
    began = time.monotonic()
    assert proc.stdout.readline().strip() == "saved"
    window = time.monotonic() - began
    proc.wait(timeout=60)
    assert digest(target) == new_digest

    rng = random.Random(1234)
    outcomes = {"old": 0, "new": 0}
    killed_mid_write = 0
    for _ in range(KILLS):
        shutil.copyfile(original, target)
        proc = start_saver(target)
        time.sleep(rng.uniform(0, window * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        proc.stdout.close()
        proc.stderr.close()
        names = sorted(os.listdir(work))
        assert "data.jsonl" in names
        assert os.path.isfile(target) and not os.path.islink(target)
        got = digest(target)
        assert got in (old_digest, new_digest), "the dataset is neither the old nor the new file"
        outcomes["old" if got == old_digest else "new"] += 1
        temps = [n for n in names if n != "data.jsonl"]
        assert all(n.startswith(".data.jsonl" + save_mod.TEMP_MARK) for n in temps), temps
        if temps:
            killed_mid_write += 1
            for n in temps:
                os.unlink(work / n)
    assert outcomes["old"] + outcomes["new"] == KILLS
    assert killed_mid_write >= 3, f"kills rarely hit the write ({outcomes}, window {window:.2f}s)"


def test_temp_file_of_a_killed_save_is_cleaned_by_the_next_save(big_file, tmp_path):
    original, old_digest, new_digest = big_file
    target = tmp_path / "data.jsonl"
    shutil.copyfile(original, target)
    for _attempt in range(20):
        proc = start_saver(target)
        time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        proc.stdout.close()
        proc.stderr.close()
        if any(save_mod.TEMP_MARK in n for n in os.listdir(tmp_path)):
            break
        shutil.copyfile(original, target)
    else:
        pytest.skip("could not catch a save mid-write")
    assert digest(target) == old_digest
    proc = start_saver(target)
    assert proc.stdout.readline().strip() == "saved"
    proc.wait(timeout=60)
    proc.stdout.close()
    proc.stderr.close()
    assert digest(target) == new_digest
    assert os.listdir(tmp_path) == ["data.jsonl"]
