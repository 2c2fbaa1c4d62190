"""SQLite persistence (stdlib sqlite3, WAL) for every object the server knows.

One connection per thread (the event loop, the trainer, threadpool workers);
WAL lets readers proceed while the trainer writes. Lists are ordered by an
insertion sequence so that objects created in the same second keep their order
and `after=<id>` cursors are exact. Jobs are kept as JSON documents (their wire
shape plus the simulation state), which keeps the schema small and stable.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

import orjson

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, bytes INTEGER NOT NULL,
    created_at INTEGER NOT NULL, expires_at INTEGER, filename TEXT NOT NULL, purpose TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'processed');
CREATE TABLE IF NOT EXISTS uploads (
    id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, filename TEXT NOT NULL,
    purpose TEXT NOT NULL, bytes INTEGER NOT NULL, mime_type TEXT NOT NULL, status TEXT NOT NULL,
    file_id TEXT, file_expires_after INTEGER);
CREATE TABLE IF NOT EXISTS upload_parts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, upload_id TEXT NOT NULL,
    created_at INTEGER NOT NULL, bytes INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, status TEXT NOT NULL,
    doc TEXT NOT NULL, sim TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, job_id TEXT NOT NULL,
    created_at INTEGER NOT NULL, level TEXT NOT NULL, message TEXT NOT NULL, type TEXT NOT NULL, data TEXT);
CREATE INDEX IF NOT EXISTS events_job ON events (job_id, seq);
CREATE TABLE IF NOT EXISTS checkpoints (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, job_id TEXT NOT NULL,
    created_at INTEGER NOT NULL, model TEXT NOT NULL, step INTEGER NOT NULL, metrics TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS checkpoints_job ON checkpoints (job_id, step);
CREATE TABLE IF NOT EXISTS models (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, created INTEGER NOT NULL,
    owned_by TEXT NOT NULL, job_id TEXT);
"""

_MISSING = object()


def _dumps(value) -> str:
    return orjson.dumps(value).decode()


def _loads(text):
    return None if text is None else orjson.loads(text)


class Store:
    """All reads and writes; safe to use from any thread."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        conn = self._conn()
        conn.executescript(SCHEMA)

    # -- connections and transactions -------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
            self._local.depth = 0
            with self._lock:
                self._all.append(conn)
        return conn

    @contextlib.contextmanager
    def transaction(self):
        """Group writes atomically (nested use joins the outer transaction)."""
        conn = self._conn()
        if self._local.depth:
            self._local.depth += 1
            try:
                yield conn
            finally:
                self._local.depth -= 1
            return
        conn.execute("BEGIN IMMEDIATE")
        self._local.depth = 1
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
        finally:
            self._local.depth = 0

    def release_thread(self) -> None:
        """Close the calling thread's connection (for short-lived worker threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            return
        self._local.conn = None
        with self._lock:
            if conn in self._all:
                self._all.remove(conn)
        with contextlib.suppress(sqlite3.Error):
            conn.close()

    def close(self) -> None:
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()

    def _one(self, sql: str, args=()) -> sqlite3.Row | None:
        return self._conn().execute(sql, args).fetchone()

    def _all_rows(self, sql: str, args=()) -> list[sqlite3.Row]:
        return self._conn().execute(sql, args).fetchall()

    def _exec(self, sql: str, args=()) -> sqlite3.Cursor:
        return self._conn().execute(sql, args)

    # -- meta -----------------------------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key=?", (key,))
        return row["value"] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self._exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- files ------------------------------------------------------------------------------
    def add_file(self, f: dict) -> None:
        self._exec(
            "INSERT INTO files (id, bytes, created_at, expires_at, filename, purpose, status) VALUES (?,?,?,?,?,?,?)",
            (f["id"], f["bytes"], f["created_at"], f.get("expires_at"), f["filename"], f["purpose"], f.get("status", "processed")),
        )

    def get_file(self, file_id: str) -> dict | None:
        row = self._one("SELECT * FROM files WHERE id=?", (file_id,))
        return dict(row) if row else None

    def list_files(self, purpose: str | None, order: str, after: str | None, limit: int, now: int,
                   hidden: tuple[str, ...] = ()) -> tuple[list[dict], bool]:
        desc = order != "asc"
        where, args = ["(expires_at IS NULL OR expires_at > ?)"], [now]
        if hidden:
            where.append(f"purpose NOT IN ({', '.join('?' * len(hidden))})")
            args.extend(hidden)
        if purpose:
            where.append("purpose=?")
            args.append(purpose)
        if after is not None:
            where.append(f"seq {'<' if desc else '>'} (SELECT seq FROM files WHERE id=?)")
            args.append(after)
        sql = f"SELECT * FROM files WHERE {' AND '.join(where)} ORDER BY seq {'DESC' if desc else 'ASC'} LIMIT ?"
        rows = [dict(r) for r in self._all_rows(sql, (*args, limit + 1))]
        return rows[:limit], len(rows) > limit

    def delete_file(self, file_id: str) -> bool:
        return self._exec("DELETE FROM files WHERE id=?", (file_id,)).rowcount > 0

    def expired_files(self, now: int) -> list[str]:
        return [r["id"] for r in self._all_rows("SELECT id FROM files WHERE expires_at IS NOT NULL AND expires_at <= ?", (now,))]

    # -- uploads ---------------------------------------------------------------------------
    def add_upload(self, u: dict) -> None:
        self._exec(
            "INSERT INTO uploads (id, created_at, expires_at, filename, purpose, bytes, mime_type, status, file_id, file_expires_after)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (u["id"], u["created_at"], u["expires_at"], u["filename"], u["purpose"], u["bytes"], u["mime_type"],
             u["status"], u.get("file_id"), u.get("file_expires_after")),
        )

    def get_upload(self, upload_id: str) -> dict | None:
        row = self._one("SELECT * FROM uploads WHERE id=?", (upload_id,))
        return dict(row) if row else None

    def set_upload_status(self, upload_id: str, status: str, file_id: str | None = None) -> None:
        self._exec("UPDATE uploads SET status=?, file_id=COALESCE(?, file_id) WHERE id=?", (status, file_id, upload_id))

    def expired_uploads(self, now: int) -> list[str]:
        return [r["id"] for r in self._all_rows("SELECT id FROM uploads WHERE status='pending' AND expires_at<=?",
                                                (now,))]

    def add_part(self, p: dict) -> None:
        self._exec(
            "INSERT INTO upload_parts (id, upload_id, created_at, bytes) VALUES (?,?,?,?)",
            (p["id"], p["upload_id"], p["created_at"], p["bytes"]),
        )

    def parts(self, upload_id: str) -> dict[str, dict]:
        return {r["id"]: dict(r) for r in self._all_rows("SELECT * FROM upload_parts WHERE upload_id=?", (upload_id,))}

    # -- jobs --------------------------------------------------------------------------------
    def add_job(self, doc: dict, sim: dict) -> None:
        self._exec("INSERT INTO jobs (id, status, doc, sim) VALUES (?,?,?,?)", (doc["id"], doc["status"], _dumps(doc), _dumps(sim)))

    def get_job(self, job_id: str) -> tuple[dict, dict] | None:
        row = self._one("SELECT doc, sim FROM jobs WHERE id=?", (job_id,))
        return (_loads(row["doc"]), _loads(row["sim"])) if row else None

    def save_job(self, doc: dict, sim: dict) -> None:
        self._exec("UPDATE jobs SET status=?, doc=?, sim=? WHERE id=?", (doc["status"], _dumps(doc), _dumps(sim), doc["id"]))

    def list_jobs(self, after: str | None, limit: int, metadata=_MISSING) -> tuple[list[dict], bool]:
        """Newest first; `metadata` is a dict of required pairs, None for jobs without metadata."""
        sql, args = "SELECT doc FROM jobs", []
        if after is not None:
            sql += " WHERE seq < (SELECT seq FROM jobs WHERE id=?)"
            args.append(after)
        out: list[dict] = []
        for row in self._conn().execute(sql + " ORDER BY seq DESC", args):
            doc = _loads(row["doc"])
            if metadata is not _MISSING:
                have = doc.get("metadata")
                if metadata is None:
                    if have:
                        continue
                elif not have or any(have.get(k) != v for k, v in metadata.items()):
                    continue
            out.append(doc)
            if len(out) > limit:
                break
        return out[:limit], len(out) > limit

    def moving_jobs(self) -> list[tuple[str, str]]:
        """(id, status) of the jobs a trainer moves on: validating, queued or running, oldest first."""
        rows = self._all_rows("SELECT id, status FROM jobs WHERE status IN ('validating_files', 'queued', 'running') "
                              "ORDER BY seq")
        return [(r["id"], r["status"]) for r in rows]

    def count_active_jobs(self) -> int:
        row = self._one("SELECT COUNT(*) AS n FROM jobs WHERE status IN ('validating_files', 'queued', 'running', 'paused')")
        return int(row["n"])

    # -- events ------------------------------------------------------------------------------
    def add_event(self, e: dict) -> None:
        self._exec(
            "INSERT INTO events (id, job_id, created_at, level, message, type, data) VALUES (?,?,?,?,?,?,?)",
            (e["id"], e["job_id"], e["created_at"], e["level"], e["message"], e["type"],
             None if e.get("data") is None else _dumps(e["data"])),
        )

    def list_events(self, job_id: str, after: str | None, limit: int) -> tuple[list[dict], bool]:
        sql, args = "SELECT * FROM events WHERE job_id=?", [job_id]
        if after is not None:
            sql += " AND seq < (SELECT seq FROM events WHERE id=? AND job_id=?)"
            args += [after, job_id]
        rows = self._all_rows(sql + " ORDER BY seq DESC LIMIT ?", (*args, limit + 1))
        out = [{**dict(r), "data": _loads(r["data"])} for r in rows]
        return out[:limit], len(out) > limit

    def metrics(self, job_id: str) -> list[dict]:
        """The `data` of a job's metrics events, oldest first (one per step trained)."""
        rows = self._all_rows("SELECT data FROM events WHERE job_id=? AND type='metrics' ORDER BY seq", (job_id,))
        return [_loads(r["data"]) for r in rows]

    # -- checkpoints -------------------------------------------------------------------------
    def add_checkpoint(self, c: dict, keep: int = 3) -> None:
        self._exec(
            "INSERT INTO checkpoints (id, job_id, created_at, model, step, metrics) VALUES (?,?,?,?,?,?)",
            (c["id"], c["job_id"], c["created_at"], c["model"], c["step"], _dumps(c["metrics"])),
        )
        self._exec(
            "DELETE FROM checkpoints WHERE job_id=? AND id NOT IN "
            "(SELECT id FROM checkpoints WHERE job_id=? ORDER BY step DESC LIMIT ?)",
            (c["job_id"], c["job_id"], keep),
        )

    def set_checkpoint_model(self, ckpt_id: str, model: str) -> None:
        self._exec("UPDATE checkpoints SET model=? WHERE id=?", (model, ckpt_id))

    def list_checkpoints(self, job_id: str, after: str | None = None, limit: int = 1000) -> tuple[list[dict], bool]:
        sql, args = "SELECT * FROM checkpoints WHERE job_id=?", [job_id]
        if after is not None:
            sql += " AND step < (SELECT step FROM checkpoints WHERE id=? AND job_id=?)"
            args += [after, job_id]
        rows = self._all_rows(sql + " ORDER BY step DESC LIMIT ?", (*args, limit + 1))
        out = [{**dict(r), "metrics": _loads(r["metrics"])} for r in rows]
        return out[:limit], len(out) > limit

    def checkpoint_by_model(self, model: str) -> dict | None:
        row = self._one("SELECT * FROM checkpoints WHERE model=?", (model,))
        return {**dict(row), "metrics": _loads(row["metrics"])} if row else None

    # -- models --------------------------------------------------------------------------------
    def add_model(self, m: dict) -> None:
        self._exec("INSERT OR IGNORE INTO models (id, created, owned_by, job_id) VALUES (?,?,?,?)",
                   (m["id"], m["created"], m["owned_by"], m.get("job_id")))

    def get_model(self, model_id: str) -> dict | None:
        row = self._one("SELECT * FROM models WHERE id=?", (model_id,))
        return dict(row) if row else None

    def list_models(self) -> list[dict]:
        return [dict(r) for r in self._all_rows("SELECT * FROM models ORDER BY seq")]

    def delete_model(self, model_id: str) -> bool:
        return self._exec("DELETE FROM models WHERE id=?", (model_id,)).rowcount > 0
