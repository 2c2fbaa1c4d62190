"""Fireworks AI's fine-tuning (its own jobs API per account, OpenAI-like chat data), through the
official `fireworks-ai` SDK.

The SDK is an optional dependency (`pip install 'tunescope[vendors]'`): it is imported only when a
connection opens, and a missing SDK is one line saying what to install. `fireworks_api` adapts the
SDK to what `JobsClient` calls, so uploads, jobs, events, metrics and results work as on OpenAI.
"""

from __future__ import annotations

from typing import Mapping

from tunescope.jobs.connection import Connection
from tunescope.jobs.errors import BackendError
from tunescope.jobs.profiles import BackendProfile
from tunescope.providers.base import API_KEY_ENV, BASE_URL, Option, Provider, keyed_connection, missing_key
from tunescope.providers.fireworks_api import FireworksAPI
from tunescope.providers.vendor_sdk import import_sdk

FIREWORKS_BASE_URL = "https://api.fireworks.ai"
FIREWORKS_ACCOUNT = Option("fireworks_account", "Fireworks account id (default: FIREWORKS_ACCOUNT_ID)", metavar="ID")


class FireworksProvider(Provider):
    name = "fireworks"
    rank = 5
    OPTIONS = (FIREWORKS_ACCOUNT, BASE_URL, API_KEY_ENV)
    key_env = "FIREWORKS_API_KEY"
    implied_by = ("fireworks_account",)
    implied_precedence = 2

    def where(self, profile: BackendProfile) -> str:
        account = profile.options.get("fireworks_account") or "(account from FIREWORKS_ACCOUNT_ID)"
        return f"Fireworks AI account {account} at {profile.options.get('base_url') or FIREWORKS_BASE_URL}"

    def connect(self, profile: BackendProfile, environ: Mapping[str, str], max_retries: int) -> Connection:
        fireworks = import_sdk("fireworks", "fireworks-ai", self.name)
        account = profile.options.get("fireworks_account") or environ.get("FIREWORKS_ACCOUNT_ID")
        if not account:
            raise BackendError("Fireworks needs an account id: pass --fireworks-account ID or set "
                               "FIREWORKS_ACCOUNT_ID.")
        key = profile.resolve_key(environ)
        if not key:
            raise missing_key(profile)
        sdk = fireworks.Fireworks(api_key=key, account_id=account,
                                  base_url=profile.options.get("base_url") or FIREWORKS_BASE_URL,
                                  timeout=profile.timeout, max_retries=max_retries)
        return keyed_connection(profile, FireworksAPI(sdk, account, secrets=(key,)), key)
