"""The changed-on-disk rule: a stat compared with the one taken at open or save, said once."""

from __future__ import annotations

import os

from tunescope.review.disk_watch import DiskWatch


def test_a_change_is_said_once_until_rearmed(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"a": 1}\n')
    watch = DiskWatch(str(path))
    assert not watch.changed()
    path.write_text('{"a": 1}\n{"b": 2}\n')
    assert watch.changed() and not watch.changed()
    watch.rearm(str(path))
    assert not watch.changed()
    replacement = tmp_path / "r.jsonl"
    replacement.write_text('{"a": 1}\n{"b": 3}\n')          # same size, another inode
    os.replace(replacement, path)
    assert watch.changed()


def test_the_notice_names_keys_that_work(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text("{}\n")
    watch = DiskWatch(str(path))
    assert "R reloads" in watch.notice_text(dirty=False, save_as_works=True)
    assert "S saves them" in watch.notice_text(dirty=True, save_as_works=True)
    in_place = watch.notice_text(dirty=True, save_as_works=False)
    assert "S saves" not in in_place and "R reloads" in in_place
    path.unlink()
    assert "deleted or moved" in watch.notice_text(dirty=True, save_as_works=True)
