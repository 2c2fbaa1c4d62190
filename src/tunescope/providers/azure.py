"""Azure OpenAI: `openai.AzureOpenAI` on an endpoint (https://NAME.openai.azure.com) and an API version.

Azure processes uploaded files before a job can use them; `jobs.upload` waits
for that for every provider, so nothing Azure-specific lives outside this module.
"""

from __future__ import annotations

from typing import Mapping

from tunescope.jobs.connection import Connection
from tunescope.jobs.errors import BackendError
from tunescope.jobs.profiles import BackendProfile
from tunescope.providers.base import API_KEY_ENV, Option, Provider, keyed_connection, missing_key, sdk_options

DEFAULT_AZURE_API_VERSION = "2024-10-21"

AZURE_ENDPOINT = Option("azure_endpoint", "https://NAME.openai.azure.com", metavar="URL")
API_VERSION = Option("api_version", "Azure OpenAI API version")


class AzureProvider(Provider):
    name = "azure"
    rank = 1
    OPTIONS = (AZURE_ENDPOINT, API_VERSION, API_KEY_ENV)
    key_env = "AZURE_OPENAI_API_KEY"
    implied_by = ("azure_endpoint",)
    implied_precedence = 2

    def where(self, profile: BackendProfile) -> str:
        endpoint = profile.options.get("azure_endpoint") or "(endpoint unset)"
        return f"Azure OpenAI {endpoint} api {profile.options.get('api_version') or DEFAULT_AZURE_API_VERSION}"

    def connect(self, profile: BackendProfile, environ: Mapping[str, str], max_retries: int) -> Connection:
        import openai  # the SDK takes about half a second to import: only when a connection is opened

        key = profile.resolve_key(environ)
        endpoint = profile.options.get("azure_endpoint") or environ.get("AZURE_OPENAI_ENDPOINT")
        if not endpoint:
            raise BackendError("Azure OpenAI needs an endpoint: pass --azure-endpoint https://NAME.openai.azure.com "
                               "or set AZURE_OPENAI_ENDPOINT.")
        if not key:
            raise missing_key(profile)
        version = profile.options.get("api_version") or environ.get("OPENAI_API_VERSION") or DEFAULT_AZURE_API_VERSION
        client = openai.AzureOpenAI(azure_endpoint=endpoint, api_version=version, api_key=key,
                                    **sdk_options(profile, max_retries))
        return keyed_connection(profile, client, key)
