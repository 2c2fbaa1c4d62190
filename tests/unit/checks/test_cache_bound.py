"""The result cache stays within its bound (least recently used entries go), survives an old
schema, and `tunescope cache` shows and clears it."""

from __future__ import annotations

import sqlite3

import pytest

from tests.factories import write_jsonl
from tunescope import cli
from tunescope.checks.run import cache
from tunescope.checks.run.cache import ResultCache
from tunescope.checks.run.runner import check_path
from tunescope.config import config_file


def _fill(path, run_keys: list[bytes], limit: int, value_size: int = 2000) -> ResultCache:
    writer = ResultCache(path, limit=limit)
    writer.put_many([(k, bytes(value_size)) for k in run_keys])
    return writer


def test_least_recently_used_entries_go_first(tmp_path):
    path = tmp_path / "c.sqlite3"
    roomy = 10 << 20
    old = [b"old%04d" % i for i in range(100)]
    _fill(path, old, roomy).close()                                  # run 1: 200 KB
    kept = [b"kept%04d" % i for i in range(60)]
    _fill(path, kept, roomy).close()                                 # run 2: 120 KB
    reader = ResultCache(path, readonly=True)
    limit = reader.live_bytes() + 40_000                             # room for all of it, not for 200 KB more
    reader.run += cache.TOUCH_EVERY + 5                              # much later: reads restamp what they hit
    assert len(reader.get_many(old[:30])) == 30
    stale = reader.take_read()
    assert sorted(stale) == sorted((k, None) for k in old[:30])     # all stale: restamped, not only spared
    for _ in range(cache.TOUCH_EVERY + 5):                           # other runs in between
        ResultCache(path, limit=limit).close()
    writer = _fill(path, [b"new%04d" % i for i in range(100)], limit)   # 200 KB more: over the bound
    writer.put_many(stale)                                            # the hits, restamped this run
    writer.close()
    reader = ResultCache(path, readonly=True)
    assert reader.live_bytes() <= limit
    present = set(reader.get_many(old + kept + [b"new%04d" % i for i in range(100)]))
    assert set(old[:30]) <= present                                   # used again: kept
    assert not set(old[30:]) & present                                # the least recently used: gone
    assert {b"new%04d" % i for i in range(100)} <= present


def test_entries_read_again_this_run_are_evicted_last_though_their_stamp_is_older(tmp_path):
    # a huge file's re-checks read its cold run's partials without restamping them (TOUCH_EVERY): by stamp
    # alone those went first, before the partials of chunk versions that edits had replaced
    path = tmp_path / "c.sqlite3"
    cold = [b"cold%04d" % i for i in range(100)]
    _fill(path, cold, 10 << 20).close()                                   # run 1: 200 KB, read at every re-check
    replaced = [b"gone%04d" % i for i in range(50)]
    _fill(path, replaced, 10 << 20).close()                               # run 2: versions later edits replaced
    limit = ResultCache(path, readonly=True).live_bytes() + 60_000        # room for ~30 more entries, not 100
    reader = ResultCache(path, readonly=True)
    assert len(reader.get_many(cold)) == 100
    read = reader.take_read()
    assert read == [(k, False) for k in cold]                             # recent: not stale, so not restamped
    writer = _fill(path, [b"new%04d" % i for i in range(100)], limit)     # run 3: this re-check's new partials
    writer.put_many(read)
    writer.close()
    reader = ResultCache(path, readonly=True)
    present = set(reader.get_many(cold + replaced + [b"new%04d" % i for i in range(100)]))
    assert reader.live_bytes() <= limit
    assert set(cold) <= present and not set(replaced) & present         # the unread ones went, though newer
    assert len(present) < 250


def test_partials_edits_replaced_go_before_lines_results_of_the_same_age(tmp_path):
    # a re-check after edits reads every partial of the file as it is now; the partials of the chunk
    # versions the edits replaced are garbage, the untouched lines' results are what the next edit needs
    path = tmp_path / "c.sqlite3"
    lines = [b"line%04d" % i for i in range(100)]
    kept_parts = [b"part%04d" % i for i in range(50)]
    replaced = [b"old%04d" % i for i in range(50)]
    cold = ResultCache(path, limit=10 << 20)                                  # run 1, the cold check
    cold.put_many([(k, bytes(2000)) for k in lines])                         # written first: oldest rowids
    cold.put_many([(k, bytes(2000), cache.PARTIAL_ENTRY) for k in kept_parts + replaced])
    cold.close()
    limit = ResultCache(path, readonly=True).live_bytes() + 40_000           # room for ~20 more, not 50
    reader = ResultCache(path, readonly=True)
    assert len(reader.get_many(kept_parts)) == 50                            # the chunks the edits left alone
    read = reader.take_read()
    writer = ResultCache(path, limit=limit)                                  # run 2, the re-check
    writer.put_many([(b"new%04d" % i, bytes(2000), cache.PARTIAL_ENTRY) for i in range(50)] + read)
    writer.close()
    reader = ResultCache(path, readonly=True)
    assert reader.live_bytes() <= limit
    present = set(reader.get_many(lines + kept_parts + replaced + [b"new%04d" % i for i in range(50)]))
    assert set(lines) <= present                                             # same stamp, kept
    assert set(kept_parts) <= present and {b"new%04d" % i for i in range(50)} <= present
    assert not set(replaced) & present


def test_evicted_entries_give_their_space_back_to_the_file_system(tmp_path):
    path = tmp_path / "c.sqlite3"
    _fill(path, [b"a%05d" % i for i in range(3000)], 100 << 20).close()          # ~6 MB, under the bound
    grown = path.stat().st_size
    assert grown > 5_000_000
    _fill(path, [b"b%05d" % i for i in range(10)], 1_000_000).close()            # now bounded at 1 MB
    assert path.stat().st_size < 1_500_000 < grown                               # the file shrank, not just its use
    assert ResultCache(path, readonly=True).live_bytes() <= 1_000_000


@pytest.mark.parametrize("columns, row", [("k BLOB PRIMARY KEY, v BLOB NOT NULL", "x'01', x'02'"),   # before the bound
                                          ("k BLOB PRIMARY KEY, v BLOB NOT NULL, used INTEGER NOT NULL",
                                           "x'01', x'02', 1")])                                  # before entry kinds
def test_a_cache_of_an_older_schema_is_replaced(tmp_path, columns, row):
    path = tmp_path / "c.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"CREATE TABLE results ({columns})")
    db.execute(f"INSERT INTO results VALUES ({row})")
    db.commit()
    db.close()
    writer = ResultCache(path)
    writer.put_many([(b"k", b"v"), (b"p", b"w", cache.PARTIAL_ENTRY)])
    assert writer.get_many([b"k", b"p", b"\x01"]) == {b"k": b"v", b"p": b"w"}
    assert sorted(writer.db.execute("SELECT k, kind FROM results")) == [(b"k", cache.LINE_ENTRY),
                                                                         (b"p", cache.PARTIAL_ENTRY)]
    writer.close()


def test_a_new_cache_has_large_pages_and_an_old_one_keeps_its_own(tmp_path):
    fresh = ResultCache(tmp_path / "new.sqlite3")
    assert fresh.db.execute("PRAGMA page_size").fetchone()[0] == cache.PAGE_SIZE == 16384
    fresh.close()
    old_path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(old_path)
    db.execute("PRAGMA page_size=4096")
    db.execute("CREATE TABLE results (k BLOB PRIMARY KEY, v BLOB NOT NULL, used INTEGER NOT NULL)")
    db.commit()
    db.close()
    old = _fill(old_path, [b"a", b"b"], 1 << 20)
    assert old.db.execute("PRAGMA page_size").fetchone()[0] == 4096      # never rewritten in place
    assert old.get_many([b"a", b"b", b"c"]).keys() == {b"a", b"b"}
    old.close()


def test_a_run_grows_the_cache_by_no_more_than_its_budget(tmp_path):
    path = tmp_path / "c.sqlite3"
    _fill(path, [b"old%d" % i for i in range(20)], 10 << 20, 10_000).close()    # another file's: 200 KB
    writer = ResultCache(path, limit=2_000_000)
    assert writer.budget == 2_000_000
    start = writer.live_bytes()
    writer.spare_only()                                              # a file too big for its results
    assert writer.budget == 1_600_000 - start
    offered = [[(b"k%d-%d" % (n, i), bytes(2000)) for i in range(10)] for n in range(200)]   # 4 MB
    for batch in offered:
        writer.put_many(batch)
    grown = writer.live_bytes() - start
    assert writer.full and writer.budget <= grown < writer.budget + 60_000    # the batch that crossed it, no more
    stored = writer.entries() - 20
    assert stored < 1000
    writer.put_many([(b"more", bytes(2000)), (b"k0-0", None)])       # dropped; a hit is still restamped
    assert writer.entries() - 20 == stored
    writer.close()
    reader = ResultCache(path, readonly=True)
    assert reader.live_bytes() <= 2_000_000
    mine = reader.get_many([k for batch in offered for k, _ in batch])
    assert len(mine) == stored                                       # it grew into the spare room only:
    assert len(reader.get_many([b"old%d" % i for i in range(20)])) == 20    # nothing had to be evicted


def test_per_line_results_are_left_out_when_they_cannot_fit_the_bound():
    assert cache.line_entries_fit(100 << 20, 256 << 20)               # 100 MB file: ~70 MB of results
    assert not cache.line_entries_fit(1 << 30, 256 << 20)             # 1 GB file: chunk partials only


def test_checking_respects_the_configured_bound_and_the_cache_command(tmp_path, capsys):
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text("result_cache_mb = 1\n")
    rows = [{"messages": [{"role": "user", "content": f"question {i} " + "padding words " * 40},
                          {"role": "assistant", "content": f"answer {i} " + "more words " * 40}]} for i in range(3000)]
    path = write_jsonl(tmp_path, rows)
    check_path(str(path), workers=1)
    reader = cache.open_reader(cache.default_path())
    assert 0 < reader.entries() < len(rows) and reader.live_bytes() <= 1 << 20
    reader.close()
    assert cli.main(["cache"]) == 0
    out = capsys.readouterr().out
    assert str(cache.default_path()) in out and "entries:" in out and "bound 1.0 MB" in out
    assert cli.main(["cache", "clear"]) == 0
    assert "cleared" in capsys.readouterr().out and not cache.default_path().exists()
    assert cli.main(["cache"]) == 0
    assert "empty" in capsys.readouterr().out


def test_by_default_the_bound_follows_the_checked_file_and_the_cache_command_says_how(tmp_path, capsys, monkeypatch):
    """With no result_cache_mb the bound is half the file checked (at least DEFAULT_LIMIT_MB, lowered
    here so a small file shows it); the writer records it and `tunescope cache` shows it and why."""
    assert cache.limit_for(1000) == (cache.DEFAULT_LIMIT_MB << 20, 1000)            # the floor
    assert cache.limit_for(10 << 30) == (5 << 30, 10 << 30)                        # half of a 10 GB file
    monkeypatch.setattr(cache, "DEFAULT_LIMIT_MB", 0)
    rows = [{"messages": [{"role": "user", "content": f"question {i} " + "padding words " * 40},
                          {"role": "assistant", "content": f"answer {i} " + "more words " * 40}]} for i in range(3000)]
    path = write_jsonl(tmp_path, rows)
    size = path.stat().st_size
    check_path(str(path), workers=1)
    reader = cache.open_reader(cache.default_path())
    assert reader.bound() == (int(size * cache.FILE_SHARE), size)
    assert 0 < reader.entries() < len(rows) and reader.live_bytes() <= int(size * cache.FILE_SHARE)
    reader.close()
    assert cli.main(["cache"]) == 0
    out = capsys.readouterr().out
    mb = 1 << 20
    assert f"bound: {size * cache.FILE_SHARE / mb:,.1f} MB at the last check (50% of the last file checked " \
           f"({size / mb:,.1f} MB))" in out
    assert "set result_cache_mb in config.toml for a fixed bound" in out
