"""The answer cache: SQLite in tunescope's cache dir, keyed by (backend, model, request).

A re-run of the same evaluation sends no request; a new grader is computed from cached answers.
Only successful answers are stored. Thread-safe (one connection per thread, WAL).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path

from tunescope import config

SCHEMA = """CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY, backend TEXT NOT NULL, model TEXT NOT NULL, answer TEXT NOT NULL, created REAL NOT NULL)"""


def default_path() -> Path:
    return config.cache_dir() / "eval-answers.sqlite3"


def request_key(backend: str, model: str, request: dict) -> str:
    """A stable hash of what identifies an answer (keys sorted, so dict order does not matter)."""
    blob = json.dumps({"backend": backend, "model": model, "request": request}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


class AnswerCache:
    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path or default_path())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.hits = self.misses = 0
        self._count = threading.Lock()
        self._conn().execute(SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
        return conn

    def get(self, key: str) -> dict | None:
        row = self._conn().execute("SELECT answer FROM answers WHERE key = ?", (key,)).fetchone()
        with self._count:
            if row is None:
                self.misses += 1
            else:
                self.hits += 1
        return json.loads(row[0]) if row else None

    def has(self, key: str) -> bool:
        """Whether an answer is stored (not counted as a hit or a miss)."""
        return self._conn().execute("SELECT 1 FROM answers WHERE key = ?", (key,)).fetchone() is not None

    def put(self, key: str, backend: str, model: str, answer: dict) -> None:
        self._conn().execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?)",
                             (key, backend, model, json.dumps(answer, ensure_ascii=False), time.time()))

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0
