"""Persistent cache of per-example check results, keyed by encoding and content hash.

Re-checking a file after editing 1% of it only re-analyses that 1%. Keys mix in
a hash of the checking code itself and the codec's schema (its field names and
CODEC_VERSION), so a new tunescope version never serves stale results. Values are
`codec` blobs (marshal of builtins only), decoded by the caller.

Bounded: every entry carries the number of the run that last wrote or read it (reads restamp
only entries older than TOUCH_EVERY runs, so a re-check costs no writes), and when a run
closes the writer with more than `limit` bytes of live pages, the least recently used entries
go (whole runs' worth, oldest first) and the freed pages return to the file system
(auto_vacuum=INCREMENTAL). The limit is `result_cache_mb` in config.toml when set; by default it
follows the file being checked: FILE_SHARE (half) of its size, at least DEFAULT_LIMIT_MB, so a
normal file keeps every entry (a re-check needs them: with per-line results they take about 0.8 of
the file's bytes on generated chat) and a huge one keeps its chunks' partials (0.36 of the file at
2,000,000 examples, 0.41 after a re-check) but never grows the cache past half its own size. At a
tenth, that file kept a third of them and a re-check after 1% edits took 0.80 of the cold run; at
half it takes 0.30 (measured A/B, 4.4 GB file). The writer records the bound it applied; `tunescope
cache` shows it, the size, and clears the cache.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

from xxhash import xxh3_128_digest

from tunescope import config
from tunescope.checks.run import codec
from tunescope.quality.similarity import ENGINE

CACHE_FORMAT = 4           # 4: entries have a kind (LINE_ENTRY, PARTIAL_ENTRY)
DEFAULT_LIMIT_MB = 256     # the bound's floor when it follows the file, and for a run with no file size
FILE_SHARE = 0.50          # ...otherwise this share of the checked file's size: a cold run writes at most 0.8 of
                           # the bound (`spare_only`), and a huge file's partials take 0.36 of it, 0.41 after a re-check
ENTRY_SHARE = 0.85         # cache bytes per checked byte with per-line results (0.81 in use after a cold check
                           # of 100,000 generated chat examples: lines, chunk partials, whole ranges' partials)
LARGEST_SHARE = 16         # no single value over 1/16 of the bound (put_many)
PAGE_SIZE = 16384          # a cold run writes ~1.4 KB per line: 16 KB pages cost the writer ~35% less CPU than 4 KB
                           # (measured with 106,000 such entries), and lookups the same
TOUCH_EVERY = 8            # a hit restamps its entry only if not stamped in the last 8 runs (cheap re-checks)
LINE_ENTRY, PARTIAL_ENTRY = 0, 1   # a line's result; a chunk's or range's partial (put_many's (key, value, kind))
_SCHEMA = ("CREATE TABLE IF NOT EXISTS results (k BLOB PRIMARY KEY, v BLOB NOT NULL, used INTEGER NOT NULL, "
           "kind INTEGER NOT NULL DEFAULT 0)",
           "CREATE INDEX IF NOT EXISTS results_used ON results (used)",
           # only partials (~1 row in 15): the eviction's first pass, at the cost of one more small index
           f"CREATE INDEX IF NOT EXISTS results_partials ON results (used) WHERE kind = {PARTIAL_ENTRY}",
           "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
_CODE_PACKAGES = ("checks", "dataset", "tokens")   # everything that can change a cached value


def code_version() -> bytes:
    """Digest of the code that produces cached values (checks, formats, tokens) and of their packed form."""
    top = Path(__file__).resolve().parents[2]
    h = hashlib.blake2b(digest_size=8)
    h.update(str(CACHE_FORMAT).encode())
    h.update(codec.schema())
    paths = [p for name in _CODE_PACKAGES for p in sorted((top / name).rglob("*.py"))]
    for p in paths:
        try:
            h.update(p.read_bytes())
        except OSError:
            continue
    return h.digest()


def entry_key(seed: int, line: bytes) -> bytes:
    """A line's key: xxh3-128 of its bytes, seeded by the salt (`chunking.seed_of`); ~10x cheaper than
    blake2b, which mattered on cold runs (every line is hashed) and re-checks (every line of a changed chunk)."""
    return xxh3_128_digest(line, seed)


def salt_for(options, estimated: bool) -> bytes:
    """Everything a cached result depends on besides its bytes: the code, the encoding, estimates or not,
    the method (rows are read differently for --method) and whether and how near-duplicate signatures
    were computed."""
    return (code_version() + options.encoding.encode() + (b"~" if estimated else b"")
            + b"|" + (options.method or "").encode()
            + (b"|near" + ENGINE.encode() if options.near_duplicate_threshold else b""))


def default_path() -> Path:
    return config.cache_dir() / "check-results.sqlite3"


class ResultCache:
    """A small SQLite key/value store; one writer (the checker's main process), many readers.
    A writer is one run: what it writes or `touch`es is stamped with that run's number."""

    def __init__(self, path: Path | None = None, readonly: bool = False, limit: int | None = None,
                 file_size: int = 0):
        self.path = Path(path or default_path())
        self.readonly = readonly
        self.limit = limit if limit is not None else DEFAULT_LIMIT_MB << 20
        self.file_size = file_size     # the checked file's size when `limit` follows it (recorded at close)
        self.run = 0
        self.stale: list[bytes] = []
        self.hits: list[bytes] = []            # keys read this run, not stale: kept first when the writer evicts
        self.budget = self.limit              # growth this run may add (pages in use): see `spare_only`
        self.full = False                     # the budget is spent: new values are dropped
        self._start = 0                       # pages in use when the run began, in bytes
        if not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        uri = f"file:{self.path}?mode={'ro' if readonly else 'rwc'}"
        self.db = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)
        if not readonly:
            self.db.execute(f"PRAGMA page_size={PAGE_SIZE}")      # both take effect on a new file only
            self.db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._upgrade()
            for statement in _SCHEMA:
                self.db.execute(statement)
            # keys this run read again (put_many's (key, False)): enforce_limit drops them last
            self.db.execute("CREATE TEMP TABLE read_again (k BLOB PRIMARY KEY)")
            self.db.execute("INSERT INTO meta VALUES ('run', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1")
            self.run = self.db.execute("SELECT value FROM meta WHERE name = 'run'").fetchone()[0]
            self.db.commit()
            self._start = self.live_bytes()
            try:
                os.chmod(self.path, 0o600)
            except OSError:
                pass
        else:
            try:
                self.run = self.db.execute("SELECT value FROM meta WHERE name = 'run'").fetchone()[0]
            except (sqlite3.Error, TypeError):
                self.run = 0

    def _upgrade(self) -> None:
        """A cache from before the `used` or `kind` column holds only stale entries (other code, other keys:
        CACHE_FORMAT is in the salt): drop it."""
        columns = [row[1] for row in self.db.execute("PRAGMA table_info(results)")]
        if columns and not {"used", "kind"} <= set(columns):
            self.db.execute("DROP TABLE results")

    def get_many(self, keys: list[bytes]) -> dict[bytes, bytes]:
        """The values of the keys present. Keys not stamped in the last TOUCH_EVERY runs are noted in
        `stale` (a reader cannot write: the worker hands them to the writer, which restamps them), the others
        in `hits` (`take_read`)."""
        found: dict[bytes, bytes] = {}
        floor = self.run - TOUCH_EVERY
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            q = "SELECT k, v, used FROM results WHERE k IN (%s)" % ",".join("?" * len(part))
            try:
                rows = self.db.execute(q, part).fetchall()
            except sqlite3.Error:
                return found
            for k, v, used in rows:
                found[k] = v
                (self.stale if used < floor else self.hits).append(k)
        return found

    def take_read(self) -> list[tuple[bytes, None | bool]]:
        """(key, None) for the stale keys read (the writer restamps them) and (key, False) for the others
        read (the writer spares them when it evicts: they are this file's, read again)."""
        out = [(k, None) for k in self.stale] + [(k, False) for k in self.hits]
        self.stale, self.hits = [], []
        return out

    def put_many(self, items: list[tuple[bytes, bytes | None]]) -> None:
        """Store lines' results, (key, value), and partials, (key, value, PARTIAL_ENTRY). A value of None marks
        a stale key read again this run (restamped), False one read again that needs no restamp (spared
        when the bound is enforced). Once this
        run has grown the cache by `budget` bytes (the bound, or less: `spare_only`), new values are
        dropped: a huge file's results past the bound would be written only to be evicted when the run
        closes (at 2M examples, GBs of writes and deletes), and the first ones with them. A value over
        1/LARGEST_SHARE of the bound (a whole range's partial under a small bound) is never stored: it
        would push out dozens of smaller ones, or on its own the whole cache."""
        if not items or self.readonly:
            return
        biggest = self.limit // LARGEST_SHARE
        run = self.run
        new = [] if self.full else [(item[0], item[1], run, item[2] if len(item) > 2 else LINE_ENTRY)
                                    for item in items if item[1] and len(item[1]) <= biggest]
        try:
            self.db.executemany("INSERT OR REPLACE INTO results (k, v, used, kind) VALUES (?, ?, ?, ?)", new)
            self.db.executemany("UPDATE results SET used = ? WHERE k = ?",
                                [(run, item[0]) for item in items if item[1] is None])
            self.db.executemany("INSERT OR IGNORE INTO temp.read_again VALUES (?)",
                                [(item[0],) for item in items if item[1] is False])
            self.db.commit()
            # what the pages grew by, not the values' bytes: keys, the index and page slack count against the bound
            self.full = self.full or self.live_bytes() - self._start >= self.budget
        except sqlite3.Error:
            pass

    def spare_only(self) -> None:
        """For a file whose results cannot all fit: grow only into the room the bound has left (at least a
        tenth of it). Without this, a re-check of a huge file writes a bound's worth of new results, and the
        eviction at close takes the ones it just read (older stamps), so every re-check starts half cold."""
        self.budget = max(self.limit // 10, int(self.limit * 0.8) - self._start)

    def live_bytes(self) -> int:
        """Bytes of the pages holding entries (the file less its free pages)."""
        pages = self.db.execute("PRAGMA page_count").fetchone()[0] - self.db.execute("PRAGMA freelist_count").fetchone()[0]
        return pages * self.db.execute("PRAGMA page_size").fetchone()[0]

    def entries(self) -> int:
        try:
            return self.db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        except sqlite3.Error:
            return 0

    def enforce_limit(self) -> int:
        """Drop entries until the live pages fit 90% of the limit; the number dropped. In three passes:
        1. partials from earlier runs that this run did not read: mostly chunk versions that edits replaced
           (a re-check reads every partial of the file as it is now). A line's result is worth more per
           byte: a missing partial is rebuilt from its lines' results in a fraction of a millisecond, a
           missing line is analysed again. By stamp alone, the 1% edits of each re-check of a 100,000-example
           file left ~12 MB of replaced partials that outlived its untouched lines' results, and once the
           bound was reached every re-check analysed 3x the lines (1.3 s -> 1.9 s from the 8th on);
        2. anything else this run did not read, least recently used first;
        3. what this run read again last: a read restamps an entry only every TOUCH_EVERY runs (a restamp
           rewrites its page), so by stamp alone the partials a huge file's re-checks keep reading went
           before those of chunk versions its edits had replaced (re-checks 5 to 7 of a 300,000-example
           file took 14.9 s instead of 8.6 s)."""
        if self.readonly:
            return 0
        unread = "k NOT IN (SELECT k FROM temp.read_again)"
        passes = (f"WHERE kind = {PARTIAL_ENTRY} AND used < {self.run} AND {unread} ", f"WHERE {unread} ", "")
        dropped = 0
        try:
            size = self.live_bytes()
            step = 0
            while size > self.limit and step < len(passes):
                n = self.entries()
                if not n:
                    break
                excess = 1 - 0.9 * self.limit / size
                count = max(1, int(n * excess) + 1)
                gone = self.db.execute(f"DELETE FROM results WHERE rowid IN (SELECT rowid FROM results "
                                       f"{passes[step]}ORDER BY used LIMIT ?)", (count,)).rowcount
                self.db.commit()
                if gone < count:                   # nothing left to drop in this pass: the next one
                    step += 1
                dropped += gone
                size = self.live_bytes()
            if dropped:
                # the pragma frees one page per step, and `execute` takes one step: a script runs them all
                self.db.executescript("PRAGMA incremental_vacuum;")
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self.db.commit()
        except sqlite3.Error:
            pass
        return dropped

    def bound(self) -> tuple[int, int]:
        """(bound in bytes, size of the file it followed or 0 for a fixed one) of the last writer; (0, 0)
        for a cache written before the bound was recorded."""
        try:
            meta = dict(self.db.execute("SELECT name, value FROM meta WHERE name IN ('bound', 'bound_file')"))
        except sqlite3.Error:
            return 0, 0
        return meta.get("bound", 0), meta.get("bound_file", 0)

    def close(self) -> None:
        self.enforce_limit()
        if not self.readonly:
            try:
                self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                    [("bound", self.limit), ("bound_file", self.file_size)])
                self.db.commit()
            except sqlite3.Error:
                pass
        self.db.close()


def configured_limit() -> int:
    """`result_cache_mb` from config.toml in bytes; 0 when unset, 0 or broken (the bound follows the file)."""
    try:
        mb = config.load_settings().result_cache_mb
    except config.ConfigError:
        return 0
    return int(mb) << 20 if isinstance(mb, int) and not isinstance(mb, bool) and mb > 0 else 0


def line_entries_fit(file_size: int, limit: int) -> bool:
    """Whether per-line results fit the bound beside the chunks' partials (ENTRY_SHARE of the file). If
    not, a re-check gains more from the partials alone: a line's result only serves a changed chunk."""
    return file_size * ENTRY_SHARE <= limit


def limit_for(file_size: int) -> tuple[int, int]:
    """(bound in bytes, the file size it follows or 0) for checking a file of `file_size` bytes."""
    fixed = configured_limit()
    if fixed:
        return fixed, 0
    return max(DEFAULT_LIMIT_MB << 20, int(file_size * FILE_SHARE)), file_size


def clear(path: Path | None = None) -> None:
    """Remove the cache file (and its write-ahead log)."""
    path = Path(path or default_path())
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def open_reader(path: Path) -> ResultCache | None:
    try:
        return ResultCache(path, readonly=True) if Path(path).exists() else None
    except sqlite3.Error:
        return None
