"""The app's one connection to a fine-tuning backend, opened on first use.

`make_app(backend=...)` takes a backend name (a kind or a saved profile), a
`BackendProfile`, an open `Connection` (owned by the caller) or None: the
saved default profile, else the local simulated server, which needs no key and
costs nothing, so a first run shows jobs working. Connecting (which starts the
embedded server for `local`) happens in a worker thread the first time the
jobs screen or a new job needs it; the connection lives as long as the app and
`close()` stops the local server with it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from tunescope.jobs.errors import JobsError
from tunescope.jobs.connection import Connection, connect
from tunescope.jobs.profiles import BackendProfile, load_backends, resolve_backend


@dataclass
class StartedFiles:
    """The local files a job of this session was started from (for "open the failing line")."""

    training: str
    validation: str | None = None


class JobsBackend:
    """Lazily opened Connection shared by every jobs worker of the app (thread-safe)."""

    def __init__(self, spec=None) -> None:
        self.spec = spec
        self._lock = threading.Lock()
        self._connection = None
        self._owned = True
        self._profile = None
        self.closed = False
        self.started: dict[str, StartedFiles] = {}
        self.filenames: dict[str, str] = {}
        """file id -> name on the server, filled by the poller for failed jobs."""
        self.poll_interval: float | None = None
        """Seconds between polls; None: 1 s for the local server, 2 s for remote ones."""

    def profile(self):
        """The BackendProfile to use (raises JobsError with a one-line reason)."""
        if self._profile is not None:
            return self._profile
        spec = self.spec
        if isinstance(spec, Connection):
            self._profile = spec.profile
        elif isinstance(spec, BackendProfile):
            self._profile = spec
        elif isinstance(spec, str) and spec:
            self._profile = resolve_backend(spec)
        else:
            _, default = load_backends()
            self._profile = resolve_backend(default or "local")
        return self._profile

    @property
    def is_local(self) -> bool:
        try:
            return self.profile().kind == "local"
        except JobsError:
            return False

    def describe(self) -> str:
        """One line naming the backend (never a key); never raises."""
        try:
            profile = self.profile()
        except JobsError as exc:
            return f"no backend ({exc})"
        if profile.kind == "local":
            return f"{profile.name} · simulated, free"
        where = profile.base_url or profile.azure_endpoint or ("api.openai.com" if profile.kind == "openai" else "")
        return f"{profile.name} · {profile.kind}" + (f" · {where}" if where else "")

    def connection(self):
        """The open Connection, connecting on first use (blocking: call from a worker thread)."""
        with self._lock:
            if self.closed:
                raise JobsError("the app is closing", kind="cancelled")
            if self._connection is None:
                if isinstance(self.spec, Connection):
                    self._connection, self._owned = self.spec, False
                else:
                    try:
                        self._connection = connect(self.profile())
                    except JobsError:
                        raise
                    except Exception as exc:  # noqa: BLE001 - e.g. the embedded server failed to start
                        raise JobsError(f"cannot open the backend: {exc}", kind="config") from None
            return self._connection

    @property
    def connected(self) -> bool:
        return self._connection is not None

    def jobs(self):
        return self.connection().jobs

    def close(self) -> None:
        """Close the connection (stopping the local server); later calls to connection() refuse."""
        with self._lock:
            self.closed = True
            connection, self._connection = self._connection, None
        if connection is not None and self._owned:
            connection.close()
