"""An open backend, and `connect`, which asks the profile's provider for one.

The provider (found through the entry-point registry, never imported here)
builds the `openai` SDK client and the `JobsClient` over it, and may start
something the connection then owns, such as the local provider's embedded
server; `close()` stops it with the client.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

from tunescope.jobs import registry
from tunescope.jobs.client import JobsClient
from tunescope.jobs.profiles import BackendProfile


class Connection:
    """An open backend: `.client` (openai SDK), `.jobs` (JobsClient); `.close()` also stops `.server`."""

    def __init__(self, profile: BackendProfile, client: Any, jobs: JobsClient, server: Any = None,
                 is_local: bool | None = None):
        self.profile, self.client, self.jobs, self.server = profile, client, jobs, server
        self.is_local = server is not None if is_local is None else is_local
        """Jobs run in a local tunescope server (this connection's, or another process's on the same data
        directory): free, and they advance only while some such server runs."""

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.server is not None:
                self.server.stop()
                self.server = None

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def connect(profile: BackendProfile, environ: Mapping[str, str] | None = None, max_retries: int = 2) -> Connection:
    """Open a backend through the provider of `profile.kind` (raises JobsError, BackendError for settings)."""
    environ = os.environ if environ is None else environ
    return registry.provider(profile.kind, profile.name).connect(profile, environ, max_retries)
