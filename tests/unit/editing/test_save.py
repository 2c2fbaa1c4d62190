"""Atomic save: byte-identical round trips, minimal rewrites, refusals and failures."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import subprocess

import pytest

from tests.conftest import dataset_files
from tunescope.editing import save as save_mod
from tunescope.editing.session import EditSession
from tunescope.editing.save import SaveFailed, SaveRefused, cleanup_stale_temps


def copy_dataset(src, tmp_path):
    dst = tmp_path / src.name
    shutil.copyfile(src, dst)
    return dst


def leftovers(directory):
    return [n for n in os.listdir(directory) if save_mod.TEMP_MARK in n]


@pytest.mark.parametrize("src", dataset_files(), ids=lambda p: p.name)
def test_round_trip_every_dataset_is_byte_identical(src, tmp_path):
    path = copy_dataset(src, tmp_path)
    s = EditSession.open(path)
    result = s.save()
    assert path.read_bytes() == src.read_bytes()
    assert result.bytes_written == src.stat().st_size and result.rows == len(s)
    assert not leftovers(tmp_path)


@pytest.mark.parametrize("src", dataset_files(), ids=lambda p: p.name)
def test_one_edited_line_leaves_every_other_byte(src, tmp_path):
    path = copy_dataset(src, tmp_path)
    raw = src.read_bytes()
    s = EditSession.open(path)
    row = len(s) // 2
    start, end = s.index.span(row)
    s.replace(row, b'{"edited":true}')
    s.save()
    old_line = raw[start:end]
    eol = b"\r\n" if old_line.endswith(b"\r\n") else b"\n" if old_line.endswith(b"\n") else b""
    assert path.read_bytes() == raw[:start] + b'{"edited":true}' + eol + raw[end:]


def test_bom_crlf_and_missing_final_newline_are_kept(tmp_path):
    p = tmp_path / "bom.jsonl"
    p.write_bytes(b'\xef\xbb\xbf{"a":1}\r\n{"b":2}\r\n{"c":3}')
    s = EditSession.open(p)
    assert s.get(0) == b'{"a":1}'
    s.replace(0, b'{"a":"one"}')
    s.insert_after(2, b'{"d":4}')  # appended after a last line that had no terminator
    s.save()
    assert p.read_bytes() == b'\xef\xbb\xbf{"a":"one"}\r\n{"b":2}\r\n{"c":3}\r\n{"d":4}'
    s.delete(3)
    s.save()
    assert p.read_bytes() == b'\xef\xbb\xbf{"a":"one"}\r\n{"b":2}\r\n{"c":3}'
    s.delete(0)  # the BOM belongs to the file, not to line 1
    s.save()
    assert p.read_bytes() == b'\xef\xbb\xbf{"b":2}\r\n{"c":3}'


def test_untouched_invalid_lines_stay_exactly(tmp_path):
    p = tmp_path / "mixed.jsonl"
    data = b'{"a":1}\n  not json \t\n\n{"b":\n{"c":3}\n'
    p.write_bytes(data)
    s = EditSession.open(p)
    s.replace(4, b'{"c":"x"}')
    s.save()
    assert p.read_bytes() == b'{"a":1}\n  not json \t\n\n{"b":\n{"c":"x"}\n'


def test_edits_keep_working_after_save_and_undo_crosses_it(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'{"a":1}\n{"a":2}\n{"a":3}\n')
    s = EditSession.open(p)
    s.delete(1)
    s.save()
    assert not s.dirty and s.origin(1) == 1 and not s.is_modified(1)
    s.replace(0, b'{"a":0}')
    s.save()
    assert p.read_bytes() == b'{"a":0}\n{"a":3}\n'
    assert s.undo() == "edit row 1" and s.dirty
    assert s.undo() == "delete row 2"
    s.save()
    assert p.read_bytes() == b'{"a":1}\n{"a":2}\n{"a":3}\n'
    assert not s.can_redo and not s.can_undo  # a save starts a new branch
    s.delete(2)
    s.save()
    assert p.read_bytes() == b'{"a":1}\n{"a":2}\n'


def test_external_change_is_refused_and_save_as_still_possible(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'{"a":1}\n{"a":2}\n')
    s = EditSession.open(p)
    s.replace(0, b'{"a":"mine"}')
    other = tmp_path / "other.jsonl"
    other.write_bytes(b'{"a":1}\n{"a":2}\n{"theirs":1}\n')
    os.replace(other, p)  # an editor's atomic save replaced the file
    with pytest.raises(SaveRefused, match="changed on disk since it was opened"):
        s.save()
    assert p.read_bytes() == b'{"a":1}\n{"a":2}\n{"theirs":1}\n'
    assert s.dirty and s.get(0) == b'{"a":"mine"}'
    elsewhere = tmp_path / "mine.jsonl"
    s.save(elsewhere)
    assert elsewhere.read_bytes() == b'{"a":"mine"}\n{"a":2}\n'
    assert not leftovers(tmp_path)


def test_in_place_modification_of_source_refuses_even_save_as(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'{"a":1}\n{"a":2}\n')
    s = EditSession.open(p)
    s.replace(0, b'{"a":"mine"}')
    with open(p, "ab") as fh:
        fh.write(b'{"appended":1}\n')
    with pytest.raises(SaveRefused, match="modified on disk while open"):
        s.save(tmp_path / "x.jsonl")
    assert not (tmp_path / "x.jsonl").exists()


def test_deleted_file_is_refused(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'{"a":1}\n')
    s = EditSession.open(p)
    s.replace(0, b'{"a":2}')
    os.unlink(p)
    with pytest.raises(SaveRefused, match="deleted or moved"):
        s.save()
    assert s.get(0) == b'{"a":2}'


@contextlib.contextmanager
def read_only_directory(d):
    """chmod 555; as root (which ignores modes) the immutable attribute instead."""
    if os.geteuid() != 0:
        d.chmod(0o555)
        try:
            yield
        finally:
            d.chmod(0o755)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(d)], capture_output=True).returncode:
        pytest.skip("cannot make a directory read-only for root here")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(d)], check=True)


def test_read_only_directory_fails_cleanly(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    p = d / "d.jsonl"
    p.write_bytes(b'{"a":1}\n')
    s = EditSession.open(p)
    s.replace(0, b'{"a":2}')
    with read_only_directory(d):
        with pytest.raises(SaveFailed, match="could not save .*d.jsonl: (permission denied|operation not permitted)"):
            s.save()
        assert p.read_bytes() == b'{"a":1}\n' and s.dirty and s.get(0) == b'{"a":2}'
        assert not leftovers(d)
    s.save()
    assert p.read_bytes() == b'{"a":2}\n'


@pytest.fixture
def tiny_tmpfs(tmp_path):
    """A 1 MB tmpfs (root only): a real full disk."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_real_full_disk_keeps_original_and_edits(tiny_tmpfs):
    p = tiny_tmpfs / "d.jsonl"
    original = b"".join(b'{"i":%d,"pad":"%s"}\n' % (i, b"y" * 100) for i in range(5000))  # ~600 KB of 1 MB
    p.write_bytes(original)
    s = EditSession.open(p)
    s.replace(10, b'{"i":"edited"}')
    with pytest.raises(SaveFailed, match="the disk is full"):
        s.save()
    assert p.read_bytes() == original and s.dirty and s.get(10) == b'{"i":"edited"}'
    assert not leftovers(tiny_tmpfs)


@pytest.mark.parametrize("patched", ["_os_write", "_os_copy_file_range"])
def test_disk_full_keeps_original_and_edits(tmp_path, monkeypatch, patched):
    p = tmp_path / "d.jsonl"
    original = b"".join(b'{"i":%d,"pad":"%s"}\n' % (i, b"x" * 200) for i in range(2000))
    p.write_bytes(original)
    s = EditSession.open(p)
    s.replace(0, b'{"i":"edited"}')

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(save_mod, patched, full)
    with pytest.raises(SaveFailed, match="the disk is full"):
        s.save()
    assert p.read_bytes() == original
    assert s.dirty and s.get(0) == b'{"i":"edited"}'
    assert not leftovers(tmp_path)
    monkeypatch.undo()
    s.save()
    assert p.read_bytes() == b'{"i":"edited"}\n' + original.split(b"\n", 1)[1]


def test_fallback_without_copy_file_range_or_sendfile(tmp_path, monkeypatch):
    monkeypatch.setattr(save_mod, "_os_copy_file_range", None)
    monkeypatch.setattr(save_mod, "_os_sendfile", None)
    p = tmp_path / "d.jsonl"
    original = b"".join(b'{"i":%d}\r\n' % i for i in range(50_000))
    p.write_bytes(original)
    s = EditSession.open(p)
    s.delete(10)
    s.save()
    assert p.read_bytes() == original.replace(b'{"i":10}\r\n', b"", 1)


def test_copy_file_range_unsupported_falls_back(tmp_path, monkeypatch):
    def unsupported(*a, **k):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(save_mod, "_os_copy_file_range", unsupported)
    p = tmp_path / "d.jsonl"
    original = b"".join(b'{"i":%d}\n' % i for i in range(50_000))
    p.write_bytes(original)
    s = EditSession.open(p)
    s.save()
    assert p.read_bytes() == original


def test_permissions_are_kept(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'{"a":1}\n')
    p.chmod(0o640)
    s = EditSession.open(p)
    s.replace(0, b'{"a":2}')
    s.save()
    assert stat.S_IMODE(p.stat().st_mode) == 0o640


@pytest.mark.parametrize("mode", ["bak", "timestamp"])
def test_backup_keeps_the_previous_file(tmp_path, mode):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'{"a":1}\n')
    s = EditSession.open(p)
    s.replace(0, b'{"a":2}')
    result = s.save(backup=mode)
    assert result.backup_path and open(result.backup_path, "rb").read() == b'{"a":1}\n'
    if mode == "bak":
        assert result.backup_path == str(p) + ".bak"
    else:
        assert result.backup_path.endswith(".bak") and result.backup_path != str(p) + ".bak"
    assert p.read_bytes() == b'{"a":2}\n'


def test_unknown_backup_mode_refused(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'{"a":1}\n')
    with pytest.raises(SaveRefused, match="unknown backup mode"):
        EditSession.open(p).save(backup="zip")


def test_save_as_switches_session_to_new_path(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'{"a":1}\n')
    s = EditSession.open(p)
    s.replace(0, b'{"a":2}')
    new = tmp_path / "sub"
    new.mkdir()
    s.save(new / "e.jsonl")
    assert p.read_bytes() == b'{"a":1}\n' and (new / "e.jsonl").read_bytes() == b'{"a":2}\n'
    assert s.path == str(new / "e.jsonl") and not s.dirty


def test_stale_temp_files_of_dead_writers_are_removed(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'{"a":1}\n')
    stale = tmp_path / f".d.jsonl{save_mod.TEMP_MARK}999999999-abc{save_mod.TEMP_SUFFIX}"
    stale.write_bytes(b"partial")
    mine = tmp_path / f".d.jsonl{save_mod.TEMP_MARK}{os.getpid()}-abc{save_mod.TEMP_SUFFIX}"
    mine.write_bytes(b"in progress")
    assert cleanup_stale_temps(str(p)) == [stale.name]
    assert not stale.exists() and mine.exists()


@pytest.mark.parametrize("src", dataset_files(), ids=lambda p: p.name)
def test_index_after_save_equals_a_fresh_scan(src, tmp_path):
    from tunescope.dataset.index import LineIndex
    path = copy_dataset(src, tmp_path)
    s = EditSession.open(path)
    s.replace(len(s) - 1, b'{"last":"edited"}')
    s.delete(0)
    s.insert_after(len(s) // 2, b'{"inserted":1}')
    result = s.save()
    scanned = LineIndex(path).build()
    assert list(s.index.starts) == list(scanned.starts) and s.index.size == scanned.size
    assert (s.index.crlf_lines, s.index.has_bom, s.index.final_newline) == \
        (scanned.crlf_lines, scanned.has_bom, scanned.final_newline)
    assert [s.get(i) for i in range(len(s))] == [scanned.line(i) for i in range(len(scanned))]
    assert result.reindex_seconds < 5


def test_index_after_save_with_mixed_line_endings_and_bom(tmp_path):
    from tunescope.dataset.index import LineIndex
    p = tmp_path / "mixed.jsonl"
    p.write_bytes(b'\xef\xbb\xbf{"a":1}\r\n{"b":2}\n{"c":3}\r\n{"d":4}')
    s = EditSession.open(p)
    s.replace(1, b'{"b":"x"}')
    s.save()
    scanned = LineIndex(p).build()
    assert list(s.index.starts) == list(scanned.starts) and s.index.crlf_lines == scanned.crlf_lines == 2
    assert p.read_bytes() == b'\xef\xbb\xbf{"a":1}\r\n{"b":"x"}\n{"c":3}\r\n{"d":4}'
    s.delete(0)
    s.save()
    assert s.get(0) == b'{"b":"x"}' and p.read_bytes() == b'\xef\xbb\xbf{"b":"x"}\n{"c":3}\r\n{"d":4}'
