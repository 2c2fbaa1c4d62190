"""The local simulated server, started inside this process on a free 127.0.0.1 port.

No account, no key, no cost: the server simulates training (no model is trained),
and a job advances only while some tunescope server uses its data directory. When another
tunescope process already serves that directory (the app, `tunescope serve`), this one talks to it.
This is the only provider that imports `tunescope.server`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Mapping

from tunescope.jobs.client import JobsClient
from tunescope.jobs.connection import Connection
from tunescope.jobs.errors import BackendError
from tunescope.jobs.profiles import BackendProfile
from tunescope.providers.base import LOCAL_KEY, Option, Provider, sdk_options
from tunescope.server.datadir_lock import DataDirBusy, announced   # stdlib only: no server stack at start-up

DEFAULT_SPEED = 0.5
"""Seconds per simulated step."""

JOIN_WAIT = 5.0
"""Seconds to wait for a server that holds the data directory but has not written its address yet."""

LOCAL_DATA_DIR = Option("local_data_dir", "data directory of the local server", metavar="DIR")
LOCAL_SPEED = Option("local_speed", "seconds per simulated step", metavar="SECONDS", type=float)


class LocalProvider(Provider):
    name = "local"
    rank = 3
    OPTIONS = (LOCAL_DATA_DIR, LOCAL_SPEED)
    key_env = None
    billed = False
    implied_by = ("local_data_dir", "local_speed")
    implied_precedence = 3

    def where(self, profile: BackendProfile) -> str:
        return f"local server, data in {profile.options.get('local_data_dir') or 'the default data dir'}"

    def watch_interval(self, profile: BackendProfile) -> float:
        speed = profile.options.get("local_speed")
        return max(0.2, min(2.0, (speed or DEFAULT_SPEED) * 2))

    def connect(self, profile: BackendProfile, environ: Mapping[str, str], max_retries: int) -> Connection:
        import openai  # the SDK takes about half a second to import: only when a connection is opened

        # Kept off start-up: the server stack (starlette, uvicorn) costs ~0.2 s to import, and every
        # `tunescope jobs` command loads every provider to build its flags, most of them never this one.
        from tunescope.server.embedded import default_data_dir

        configured = profile.options.get("local_data_dir")
        data_dir = Path(configured) if configured else default_data_dir()
        try:
            server = _serve(profile, data_dir)
        except DataDirBusy:
            return self._join(profile, data_dir, max_retries)
        except (OSError, ValueError) as exc:
            raise BackendError(f"cannot start the local server in {data_dir}: {exc}") from None
        try:
            client = openai.OpenAI(base_url=server.base_url, api_key=profile.api_key or LOCAL_KEY,
                                   **sdk_options(profile, max_retries))
        except BaseException:
            server.stop()
            raise
        jobs = JobsClient(client, host="the local server", server_id=f"local:{Path(server.data_dir).resolve()}")
        return Connection(profile, client, jobs, server=server)

    def _join(self, profile: BackendProfile, data_dir: Path, max_retries: int) -> Connection:
        """Talk to the server that already uses `data_dir` (the app, another command, `tunescope serve`): it
        wrote its address beside its lock. One still starting has written nothing yet: wait a little."""
        import openai

        deadline = time.monotonic() + JOIN_WAIT
        while (holder := announced(data_dir)) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if holder is None:
            raise BackendError(
                f"the local server's data directory {data_dir} is in use by another tunescope server that did not "
                "say where it answers (an older tunescope?). Stop it, or pass another --local-data-dir.")
        if holder.needs_key and not profile.api_key:
            raise BackendError(
                f"the local server's data directory {data_dir} is in use by `tunescope serve` (process {holder.pid}) "
                f"at {holder.base_url}, which asks for an API key: talk to it with --backend compatible --base-url "
                f"{holder.base_url} --api-key-env VAR, stop it, or pass another --local-data-dir.")
        client = openai.OpenAI(base_url=holder.base_url, api_key=profile.api_key or LOCAL_KEY,
                               **sdk_options(profile, max_retries))
        host = f"the local server (process {holder.pid}{', real training' if holder.trainer != 'simulated' else ''})"
        jobs = JobsClient(client, host=host, server_id=f"local:{Path(data_dir).resolve()}")
        connection = Connection(profile, client, jobs, is_local=True)
        jobs.recover = lambda: self._take_over(connection, data_dir)
        return connection

    def _take_over(self, connection: Connection, data_dir: Path) -> bool:
        """The server this connection joined went away (its process ended): serve the data directory here,
        as if this connection had been first, or follow the process that took it over meanwhile. Its jobs
        carry on from the step they had reached (the store is on disk); `jobs watch` does not notice."""
        if connection.server is not None:
            return False
        try:
            connection.server = _serve(connection.profile, data_dir)
            url, host = connection.server.base_url, "the local server"
        except DataDirBusy:
            holder = announced(data_dir)
            if holder is None or holder.needs_key or holder.base_url == str(connection.client.base_url).rstrip("/"):
                return False
            url, host = holder.base_url, f"the local server (process {holder.pid})"
        connection.client.base_url = url
        connection.jobs.host = host
        return True


def _serve(profile: BackendProfile, data_dir: Path):
    """Start the embedded server on `data_dir` at the profile's speed (raises DataDirBusy when it is held)."""
    from tunescope.server.embedded import start_embedded

    speed = profile.options.get("local_speed")
    return start_embedded(data_dir=data_dir, speed=DEFAULT_SPEED if speed is None else speed)
