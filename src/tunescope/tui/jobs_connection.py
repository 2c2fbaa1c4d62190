"""The app's one connection to a fine-tuning backend, opened on first use.

`make_app(backend=...)` takes a backend name (a kind or a saved profile), a
`BackendProfile`, an open `Connection` (owned by the caller) or None: the
saved default profile, else OpenAI when OPENAI_API_KEY is set, else the local
simulated server, which needs no key and costs nothing, so a first run shows
jobs working (and every line naming it says it is a simulation).
`backend_choices` lists what the user can switch to in the app. Connecting (which starts the
embedded server for `local`) happens in a worker thread the first time the
jobs screen or a new job needs it; the connection lives as long as the app and
`close()` stops the local server with it.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Mapping

from tunescope.jobs.errors import JobsError
from tunescope.jobs.connection import Connection, connect
from tunescope.jobs.profiles import BackendProfile, load_backends, resolve_backend

SIMULATED = "SIMULATED: nothing is trained, free"
"""How every line naming the local backend says what it is."""
REAL_TRAINER = "REAL trainer (serve --trainer hf): trains on this machine"
"""How a line names a tunescope server that said (x-tunescope-trainer) it runs the real trainer."""
KIND_TITLES = {"openai": "OpenAI", "azure": "Azure OpenAI", "compatible": "OpenAI-compatible server",
               "local": "local server"}


@dataclass(frozen=True)
class BackendChoice:
    """One backend the user can pick in the app: a saved profile or a built-in kind."""

    name: str
    kind: str
    label: str
    missing: str = ""
    """What it still needs (a key, an endpoint), said when it is picked; empty: ready."""


def default_backend_name(environ: Mapping[str, str] | None = None) -> str:
    """The saved default profile, else `openai` when OPENAI_API_KEY is set, else `local` (free, simulated)."""
    environ = os.environ if environ is None else environ
    try:
        _, default = load_backends()
    except JobsError:
        default = None
    return default or ("openai" if environ.get("OPENAI_API_KEY") else "local")


def _choice(profile: BackendProfile, environ: Mapping[str, str]) -> BackendChoice:
    title = KIND_TITLES.get(profile.kind, profile.kind)
    name = profile.name if profile.name == profile.kind else f"{profile.name} ({title})"
    if profile.kind == "local":
        return BackendChoice(profile.name, profile.kind, f"{name if profile.name != 'local' else 'Local server'} · "
                             f"{SIMULATED}")
    missing = ""
    if profile.kind == "azure" and not (profile.options.get("azure_endpoint") or environ.get("AZURE_OPENAI_ENDPOINT")):
        missing = "an endpoint: set AZURE_OPENAI_ENDPOINT or save a profile with --azure-endpoint"
    elif profile.kind == "compatible" and not profile.options.get("base_url"):
        missing = "a base URL: save a profile with `tunescope jobs backends save NAME --base-url URL`"
    elif profile.key_env and not profile.resolve_key(environ) and profile.kind != "compatible":
        missing = f"a key: set {profile.key_env}"
    label = f"{name if profile.name != profile.kind else title} · {'billed' if profile.provider.billed else 'free'}"
    return BackendChoice(profile.name, profile.kind, label + (f" · needs {missing.split(':')[0]}" if missing else ""),
                         missing)


def backend_choices(environ: Mapping[str, str] | None = None) -> list[BackendChoice]:
    """Saved profiles first, then the built-in kinds no profile of that name shadows (OpenAI, Azure,
    compatible, local), each saying whether it is billed or simulated and what it still needs."""
    environ = os.environ if environ is None else environ
    try:
        profiles, _ = load_backends()
    except JobsError:
        profiles = {}
    out = [_choice(p, environ) for p in profiles.values()]
    for kind in ("openai", "azure", "compatible", "local"):
        if kind not in profiles:
            try:
                out.append(_choice(resolve_backend(kind), environ))
            except JobsError:
                continue
    return out


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
            self._profile = resolve_backend(default_backend_name())
        return self._profile

    def profile_name(self) -> str | None:
        """The profile's name (a kind for unsaved ones); None when it cannot be resolved."""
        try:
            return self.profile().name
        except JobsError:
            return None

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
        said = self.trainer_said()
        if profile.kind == "local":
            return f"{profile.name} · {said or SIMULATED}"
        where = profile.base_url or profile.azure_endpoint or ("api.openai.com" if profile.kind == "openai" else "")
        return f"{profile.name} · {profile.kind}" + (f" · {where}" if where else "") + (f" · {said}" if said else "")

    def trainer_said(self) -> str | None:
        """What a tunescope server said it runs, once its models were listed (never connects); None elsewhere."""
        connection = self._connection
        trainer = getattr(connection.jobs, "trainer", None) if connection is not None else None
        return {"hf": REAL_TRAINER, "simulated": SIMULATED}.get(trainer)

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


def trainer_models(backend: "JobsBackend", listed, table) -> list[str]:
    """The base models a real trainer (`serve --trainer hf`) brings: those of its `/v1/models` (`listed`) that
    the model table (`table`, or None) does not know; [] for every other backend."""
    if getattr(backend.jobs(), "trainer", None) != "hf":
        return []
    return [m.id for m in listed if not m.id.startswith("ft:") and ":ckpt-" not in m.id
            and (table is None or table.resolve(m.id) is None)]
