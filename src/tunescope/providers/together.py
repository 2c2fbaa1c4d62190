"""Together AI's fine-tuning (its own jobs API, near-OpenAI data), through the official `together` SDK.

The SDK is an optional dependency (`pip install 'tunescope[vendors]'`): it is imported only when a
connection opens, and a missing SDK is one line saying what to install. `together_api` adapts the
SDK to what `JobsClient` calls, so uploads, jobs, events, metrics and results work as on OpenAI.
"""

from __future__ import annotations

from typing import Mapping

from tunescope.jobs.connection import Connection
from tunescope.jobs.profiles import BackendProfile
from tunescope.providers.base import API_KEY_ENV, BASE_URL, Provider, keyed_connection, missing_key
from tunescope.providers.together_api import TogetherAPI
from tunescope.providers.vendor_sdk import import_sdk

TOGETHER_BASE_URL = "https://api.together.ai"
"""Where the SDK goes when no base URL is set (its paths carry /v1)."""


class TogetherProvider(Provider):
    name = "together"
    rank = 4
    OPTIONS = (BASE_URL, API_KEY_ENV)
    key_env = "TOGETHER_API_KEY"

    def where(self, profile: BackendProfile) -> str:
        return f"Together AI {profile.options.get('base_url') or TOGETHER_BASE_URL}"

    def connect(self, profile: BackendProfile, environ: Mapping[str, str], max_retries: int) -> Connection:
        together = import_sdk("together", "together", self.name)
        key = profile.resolve_key(environ)
        if not key:
            raise missing_key(profile)
        sdk = together.Together(api_key=key, base_url=profile.options.get("base_url") or TOGETHER_BASE_URL,
                                timeout=profile.timeout, max_retries=max_retries)
        return keyed_connection(profile, TogetherAPI(sdk, secrets=(key,)), key)
