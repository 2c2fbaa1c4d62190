"""Any OpenAI-compatible fine-tuning endpoint (`--base-url`), including `tunescope serve`.

A server on loopback often needs no key; the SDK still wants a string, so one is
made up there, and only there.
"""

from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import urlsplit

from tunescope.jobs.connection import Connection
from tunescope.jobs.errors import BackendError
from tunescope.jobs.profiles import BackendProfile
from tunescope.providers.base import (API_KEY_ENV, BASE_URL, LOCAL_KEY, OPENAI_BASE_URL, Provider, keyed_connection,
                                      Option, missing_key, sdk_options)
from tunescope.providers.presets import PRESETS

PRESET = Option("preset", f"an OpenAI-compatible cloud by name ({', '.join(PRESETS)}): sets its base URL "
                "and key variable (see `tunescope jobs backends`)", metavar="NAME")


def is_loopback(url: str | None) -> bool:
    host = (urlsplit(url or "").hostname or "").lower()
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")


class CompatibleProvider(Provider):
    name = "compatible"
    rank = 2
    OPTIONS = (BASE_URL, API_KEY_ENV, PRESET)
    key_env = "OPENAI_API_KEY"
    implied_by = ("base_url", "preset")
    implied_precedence = 1
    presets = PRESETS

    def key_env_for(self, options: Mapping[str, Any]) -> str | None:
        preset = PRESETS.get(options.get("preset") or "")
        return preset.key_env if preset else self.key_env

    def where(self, profile: BackendProfile) -> str:
        preset = PRESETS.get(profile.options.get("preset") or "")
        url = profile.options.get("base_url") or (preset.base_url if preset else OPENAI_BASE_URL)
        return f"{preset.title} {url}" if preset else url

    def connect(self, profile: BackendProfile, environ: Mapping[str, str], max_retries: int) -> Connection:
        import openai  # the SDK takes about half a second to import: only when a connection is opened

        key = profile.resolve_key(environ)
        name = profile.options.get("preset")
        if name and name not in PRESETS:
            raise BackendError(f"unknown preset {name!r}; use one of {', '.join(PRESETS)} (or --base-url URL).")
        preset_url = PRESETS[name].base_url if name else None
        base_url = profile.options.get("base_url") or preset_url or environ.get("OPENAI_BASE_URL")
        if not base_url:
            raise BackendError("a compatible backend needs --base-url (e.g. http://host:8000/v1) or OPENAI_BASE_URL.")
        if not key and is_loopback(base_url):
            key = LOCAL_KEY  # local OpenAI-compatible servers often need no key; the SDK needs some string
        if not key:
            raise missing_key(profile)
        client = openai.OpenAI(api_key=key, base_url=base_url, **sdk_options(profile, max_retries))
        return keyed_connection(profile, client, key)
