"""Persistent cache of per-example check results, keyed by encoding and content hash.

Re-checking a file after editing 1% of it only re-analyses that 1%. Keys mix in
a hash of the checking code itself and the codec's schema (its field names and
CODEC_VERSION), so a new tunescope version never serves stale results. Values are
`codec` blobs (marshal of builtins only), decoded by the caller.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

from tunescope import config
from tunescope.checks.run import codec

CACHE_FORMAT = 2
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


def entry_key(salt: bytes, line: bytes) -> bytes:
    return hashlib.blake2b(line, digest_size=16, key=salt[:64]).digest()


def default_path() -> Path:
    return config.cache_dir() / "check-results.sqlite3"


class ResultCache:
    """A small SQLite key/value store; one writer (the checker's main process), many readers."""

    def __init__(self, path: Path | None = None, readonly: bool = False):
        self.path = Path(path or default_path())
        self.readonly = readonly
        if not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        uri = f"file:{self.path}?mode={'ro' if readonly else 'rwc'}"
        self.db = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)
        if not readonly:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("CREATE TABLE IF NOT EXISTS results (k BLOB PRIMARY KEY, v BLOB NOT NULL)")
            self.db.commit()
            try:
                os.chmod(self.path, 0o600)
            except OSError:
                pass

    def get_many(self, keys: list[bytes]) -> dict[bytes, bytes]:
        found: dict[bytes, bytes] = {}
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            q = "SELECT k, v FROM results WHERE k IN (%s)" % ",".join("?" * len(part))
            try:
                rows = self.db.execute(q, part).fetchall()
            except sqlite3.Error:
                return found
            for k, v in rows:
                found[k] = v
        return found

    def put_many(self, items: list[tuple[bytes, bytes]]) -> None:
        if not items or self.readonly:
            return
        try:
            self.db.executemany("INSERT OR REPLACE INTO results (k, v) VALUES (?, ?)", items)
            self.db.commit()
        except sqlite3.Error:
            pass

    def close(self) -> None:
        self.db.close()


def open_reader(path: Path) -> ResultCache | None:
    try:
        return ResultCache(path, readonly=True) if Path(path).exists() else None
    except sqlite3.Error:
        return None
