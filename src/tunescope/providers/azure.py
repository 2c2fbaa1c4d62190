"""Azure OpenAI: the v1 API (`openai.OpenAI` at https://NAME.openai.azure.com/openai/v1/) by default, or
`openai.AzureOpenAI` with a dated API version when one is given (--api-version or OPENAI_API_VERSION).

The v1 endpoint takes the plain `openai` client and needs no api-version (MicrosoftDocs/azure-ai-docs
fine-tuning-oai-sdk.md, read 2026-12-02 via field-2026-12.md §1). Azure-only job settings
(`trainingType`: GlobalStandard, Standard, developerTier) travel in the request body (`jobs create
--training-type`); a fine-tuned model answers only once deployed, so `deploy_hint` gives the command.

Azure processes uploaded files before a job can use them; `jobs.upload` waits
for that for every provider, so nothing Azure-specific lives outside this module.
"""

from __future__ import annotations

from typing import Mapping

from tunescope.jobs.connection import Connection
from tunescope.jobs.errors import BackendError
from tunescope.jobs.profiles import BackendProfile
from tunescope.providers.base import API_KEY_ENV, Option, Provider, keyed_connection, missing_key, sdk_options

DEFAULT_AZURE_API_VERSION = "2024-10-21"     # the dated form's default, used only with --api-version unset in
                                             # profiles saved before v1 became the default (kept for them)
TRAINING_TYPES = ("GlobalStandard", "Standard", "developerTier")

AZURE_ENDPOINT = Option("azure_endpoint", "https://NAME.openai.azure.com", metavar="URL")
API_VERSION = Option("api_version", "Azure OpenAI dated API version (default: the v1 API, which needs none)")


class AzureProvider(Provider):
    name = "azure"
    rank = 1
    OPTIONS = (AZURE_ENDPOINT, API_VERSION, API_KEY_ENV)
    key_env = "AZURE_OPENAI_API_KEY"
    implied_by = ("azure_endpoint",)
    implied_precedence = 2

    def where(self, profile: BackendProfile) -> str:
        endpoint = profile.options.get("azure_endpoint") or "(endpoint unset)"
        version = profile.options.get("api_version")
        return f"Azure OpenAI {endpoint} " + (f"api {version}" if version else "(v1 API)")

    def connect(self, profile: BackendProfile, environ: Mapping[str, str], max_retries: int) -> Connection:
        import openai  # the SDK takes about half a second to import: only when a connection is opened

        key = profile.resolve_key(environ)
        endpoint = profile.options.get("azure_endpoint") or environ.get("AZURE_OPENAI_ENDPOINT")
        if not endpoint:
            raise BackendError("Azure OpenAI needs an endpoint: pass --azure-endpoint https://NAME.openai.azure.com "
                               "or set AZURE_OPENAI_ENDPOINT.")
        if not key:
            raise missing_key(profile)
        version = profile.options.get("api_version") or environ.get("OPENAI_API_VERSION")
        if version:
            client = openai.AzureOpenAI(azure_endpoint=endpoint, api_version=version, api_key=key,
                                        **sdk_options(profile, max_retries))
        else:
            client = openai.OpenAI(base_url=v1_base_url(endpoint), api_key=key, **sdk_options(profile, max_retries))
        return keyed_connection(profile, client, key)


def v1_base_url(endpoint: str) -> str:
    """https://NAME.openai.azure.com -> https://NAME.openai.azure.com/openai/v1/ (a full v1 URL is kept)."""
    base = endpoint.rstrip("/")
    if base.endswith("/openai/v1"):
        return base + "/"
    return base + "/openai/v1/"


def deploy_hint(fine_tuned_model: str | None) -> str:
    """The next step after an Azure job: a fine-tuned model must be deployed before it answers."""
    model = fine_tuned_model or "FINE_TUNED_MODEL"
    return ("Next: a fine-tuned model answers only once it is deployed. Deploy it with\n"
            "  az cognitiveservices account deployment create --resource-group RESOURCE_GROUP --name RESOURCE "
            f"--deployment-name NAME --model-name {model} --model-version 1 --model-format OpenAI "
            "--sku-name standard --sku-capacity 1\n"
            "(or from the Foundry portal; --sku-name developer for developer-tier testing).\n")
