"""What a provider is: a name, the options it takes, and `connect(profile) -> Connection`.

Harlequin's adapters declare ADAPTER_OPTIONS and the CLI grows a flag for each;
tunescope's providers declare `OPTIONS` the same way: `tunescope jobs` builds its
backend flags from them, backends.toml stores them flat in a profile's table and
`BackendProfile.options` holds them. Subclass `Provider`, register the class
under the `tunescope.providers` entry-point group (docs/recipes/providers.md).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Mapping

from tunescope.jobs.client import JobsClient
from tunescope.jobs.connection import Connection
from tunescope.jobs.errors import BackendError
from tunescope.jobs.profiles import BackendProfile

OPENAI_BASE_URL = "https://api.openai.com/v1"
"""Where the SDK goes when no base URL is set."""
LOCAL_KEY = "tunescope-local"
"""The key sent where no key is needed (the local server, a compatible server on loopback): the SDK wants one."""


@dataclass(frozen=True)
class Option:
    """One setting a provider takes: `name` is its key in a profile; the CLI flag is `--name-with-dashes`."""

    name: str
    help: str
    metavar: str | None = None
    type: Callable[[str], Any] = str

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


BASE_URL = Option("base_url", "API base URL, e.g. http://host:8000/v1 (compatible backends)")
API_KEY_ENV = Option("api_key_env", "environment variable holding the key "
                     "(default OPENAI_API_KEY / AZURE_OPENAI_API_KEY)", metavar="VAR")
"""Options several providers share: declare the same object so the flag has one help text."""


class Provider(ABC):
    """A fine-tuning service tunescope can run jobs on. Class attributes describe it; `connect` opens it."""

    name: ClassVar[str]
    """The kind (`--backend NAME`, `kind = "NAME"` in backends.toml); equal to the entry point's name."""
    rank: ClassVar[int] = 100
    """Where it appears in lists of kinds (the built-ins use 0-3)."""
    OPTIONS: ClassVar[tuple[Option, ...]] = ()
    key_env: ClassVar[str | None] = None
    """The environment variable that holds the key by default; None: the provider takes no key."""
    billed: ClassVar[bool] = True
    """Jobs cost money: `tunescope jobs create` asks before starting one (unless --yes)."""
    implied_by: ClassVar[tuple[str, ...]] = ()
    """Options that pick this provider when no backend is named (e.g. `--base-url` alone: compatible)."""
    implied_precedence: ClassVar[int] = 0
    """When the given options imply several providers, the highest precedence wins."""

    @abstractmethod
    def where(self, profile: BackendProfile) -> str:
        """Where the jobs run, for one line about the profile (never a key)."""

    @abstractmethod
    def connect(self, profile: BackendProfile, environ: Mapping[str, str], max_retries: int) -> Connection:
        """Build the SDK client and its JobsClient; raise BackendError (one line) for missing settings."""

    presets: ClassVar[Mapping[str, Any]] = {}
    """Named settings (`--preset NAME`) for services this provider reaches, listed by `jobs backends`."""

    def key_env_for(self, options: Mapping[str, Any]) -> str | None:
        """The key's default variable for these options (a preset may name its own)."""
        return self.key_env

    def watch_interval(self, profile: BackendProfile) -> float:
        """Seconds between polls of `tunescope jobs watch` when --interval is not given."""
        return 5.0


def sdk_options(profile: BackendProfile, max_retries: int) -> dict:
    """The keyword arguments every `openai.OpenAI`/`AzureOpenAI` client of a profile gets."""
    common: dict[str, Any] = {"timeout": profile.timeout, "max_retries": max_retries}
    if profile.organization:
        common["organization"] = profile.organization
    if profile.project:
        common["project"] = profile.project
    return common


def keyed_connection(profile: BackendProfile, client: Any, key: str) -> Connection:
    """A connection to a remote service, with its key scrubbed from every error message."""
    return Connection(profile, client, JobsClient(client, secrets=(key,)))


def missing_key(profile: BackendProfile) -> BackendError:
    return BackendError(
        f"no API key for backend {profile.name!r}: set the environment variable {profile.key_env}"
        " (or pass --api-key-env VAR to name another variable, or save one with "
        "`tunescope jobs backends save NAME --save-key`); the local backend (free, simulated: --backend local) "
        "needs none.")
