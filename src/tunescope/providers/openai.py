"""OpenAI's own API (the default kind): `openai.OpenAI` with the key from OPENAI_API_KEY.

OpenAI stops accepting new fine-tuning jobs after 2027-01-06 (the model table's `[wind_down]`): on
OpenAI's own endpoint the connection's jobs client refuses them with a plain explanation
(`jobs.deadlines.openai_gate`). Nothing else in tunescope depends on this provider.
"""

from __future__ import annotations

from typing import Mapping

from tunescope.jobs.connection import Connection
from tunescope.jobs.deadlines import openai_gate
from tunescope.jobs.profiles import BackendProfile
from tunescope.providers.base import (API_KEY_ENV, BASE_URL, OPENAI_BASE_URL, Provider, keyed_connection, missing_key,
                                      sdk_options)


class OpenAIProvider(Provider):
    name = "openai"
    rank = 0
    OPTIONS = (BASE_URL, API_KEY_ENV)
    key_env = "OPENAI_API_KEY"

    def where(self, profile: BackendProfile) -> str:
        return profile.options.get("base_url") or OPENAI_BASE_URL

    def connect(self, profile: BackendProfile, environ: Mapping[str, str], max_retries: int) -> Connection:
        import openai  # the SDK takes about half a second to import: only when a connection is opened

        key = profile.resolve_key(environ)
        if not key:
            raise missing_key(profile)
        client = openai.OpenAI(api_key=key, base_url=profile.options.get("base_url"),
                               **sdk_options(profile, max_retries))
        connection = keyed_connection(profile, client, key)
        if self.where(profile).rstrip("/") == OPENAI_BASE_URL:   # a proxy or another server keeps its own rules
            connection.jobs.gate = openai_gate("OpenAI")
        return connection
