"""Where jobs run: OpenAI, Azure OpenAI, any OpenAI-compatible endpoint, or the
local simulated server. OpenAI stops accepting new fine-tuning jobs on
2027-01-06, so no part of tunescope may assume one vendor: a backend is a
profile, and every profile yields an `openai` SDK client.

Profiles live in `<config dir>/backends.toml`. Keys are read from environment
variables; a key is written to that file only when the user asks (`save_key`),
and then the file is made readable by its owner only (0600). Keys are never
printed: `mask_key` shows at most "sk-...abcd".
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

import tomli_w

from tunescope.jobs.errors import JobsError, mask_key

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KINDS = ("openai", "azure", "compatible", "local")
DEFAULT_KEY_ENV = {"openai": "OPENAI_API_KEY", "azure": "AZURE_OPENAI_API_KEY", "compatible": "OPENAI_API_KEY"}
DEFAULT_AZURE_API_VERSION = "2024-10-21"
LOCAL_KEY = "tunescope-local"
DEFAULT_TIMEOUT = 60.0
"""Seconds per API call (the SDK's default is 600 s, far too long for a screen to wait)."""


class BackendError(JobsError):
    def __init__(self, message: str):
        super().__init__(message, kind="config")


def backends_file() -> Path:
    from tunescope.config import config_dir

    return config_dir() / "backends.toml"


@dataclass
class BackendProfile:
    """How to reach one fine-tuning service. `name` is the profile's name (a kind for unsaved ones)."""

    name: str
    kind: str = "openai"
    base_url: str | None = None
    api_key_env: str | None = None
    azure_endpoint: str | None = None
    api_version: str | None = None
    organization: str | None = None
    project: str | None = None
    local_data_dir: str | None = None
    local_speed: float | None = None
    timeout: float = DEFAULT_TIMEOUT
    api_key: str | None = field(default=None, repr=False)
    """Only set when the user saved a key with the profile (or for the local server)."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise BackendError(f"backend {self.name!r}: unknown kind {self.kind!r}; use one of {', '.join(KINDS)}")

    @property
    def key_env(self) -> str | None:
        return self.api_key_env or DEFAULT_KEY_ENV.get(self.kind)

    def resolve_key(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The key from the environment variable first, then a saved one."""
        environ = os.environ if environ is None else environ
        env = self.key_env
        return (environ.get(env) if env else None) or self.api_key

    def describe(self, environ: Mapping[str, str] | None = None) -> str:
        """One line for people; the key appears masked, never in full."""
        if self.kind == "local":
            where = f"local server, data in {self.local_data_dir or 'the default data dir'}"
        elif self.kind == "azure":
            where = f"Azure OpenAI {self.azure_endpoint or '(endpoint unset)'} api {self.api_version or DEFAULT_AZURE_API_VERSION}"
        else:
            where = self.base_url or "https://api.openai.com/v1"
        key = self.resolve_key(environ) if self.kind != "local" else None
        source = f"key {mask_key(key)} from {self.key_env}" if key and key != self.api_key else (
            f"key {mask_key(key)} saved in backends.toml" if key else f"no key (set {self.key_env})")
        return f"{self.name} [{self.kind}] {where}" + ("" if self.kind == "local" else f"; {source}")

    def to_toml(self, include_key: bool = False) -> dict:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "name" or value is None or (f.name == "api_key" and not include_key):
                continue
            if f.name == "timeout" and value == DEFAULT_TIMEOUT:
                continue
            out[f.name] = value
        return out


def load_backends(path: Path | None = None) -> tuple[dict[str, BackendProfile], str | None]:
    """(profiles by name, default profile name) from backends.toml; missing file = none."""
    path = path or backends_file()
    if not path.exists():
        return {}, None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BackendError(f"{path}: cannot read backend profiles: {exc}") from None
    known = {f.name for f in fields(BackendProfile)} - {"name"}
    profiles = {}
    for name, table in (data.get("backends") or {}).items():
        if not isinstance(table, dict):
            raise BackendError(f"{path}: [backends.{name}] must be a table")
        unknown = sorted(set(table) - known)
        if unknown:
            raise BackendError(f"{path}: backend {name!r} has unknown setting(s) {', '.join(unknown)}; "
                               f"known: {', '.join(sorted(known))}")
        profiles[name] = BackendProfile(name=name, **table)
    default = data.get("default")
    return profiles, default if isinstance(default, str) else None


def _write(path: Path, data: dict, secret: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(tmp, flags, 0o600 if secret else 0o644)
    try:
        os.fchmod(fd, 0o600 if secret else 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(tomli_w.dumps(data))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


def save_backend(profile: BackendProfile, save_key: bool = False, make_default: bool = False,
                 path: Path | None = None) -> Path:
    """Add or replace a profile. Its key is written only with `save_key` (a key saved earlier is
    dropped otherwise); while any profile holds a key, the file is readable by its owner only."""
    if profile.name in KINDS:
        raise BackendError(f"{profile.name!r} is a backend kind; give the profile another name")
    if save_key and not profile.api_key:
        raise BackendError(f"backend {profile.name!r}: no key to save; set {profile.key_env} first")
    path = path or backends_file()
    profiles, default = load_backends(path)
    profiles[profile.name] = profile if save_key else replace(profile, api_key=None)
    if make_default:
        default = profile.name
    _store(path, profiles, default)
    return path


def _store(path: Path, profiles: dict[str, BackendProfile], default: str | None) -> None:
    data: dict[str, Any] = {"default": default} if default and default in {*profiles, *KINDS} else {}
    data["backends"] = {n: p.to_toml(include_key=True) for n, p in profiles.items()}
    _write(path, data, secret=any(p.api_key for p in profiles.values()))


def remove_backend(name: str, path: Path | None = None) -> bool:
    path = path or backends_file()
    profiles, default = load_backends(path)
    if name not in profiles:
        return False
    del profiles[name]
    _store(path, profiles, None if default == name else default)
    return True


def resolve_backend(name: str | None = None, path: Path | None = None, **overrides: Any) -> BackendProfile:
    """A saved profile by name, or a built-in kind, with non-None `overrides` applied.

    No name: the saved default, else "local" when only local options are given, else "openai".
    """
    profiles, default = load_backends(path)
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if name is None:
        if default:
            name = default
        elif any(k.startswith("local_") for k in overrides):
            name = "local"
        elif "azure_endpoint" in overrides:
            name = "azure"
        elif "base_url" in overrides:
            name = "compatible"
        else:
            name = "openai"
    if name in profiles:
        profile = profiles[name]
    elif name in KINDS:
        profile = BackendProfile(name=name, kind=name)
    else:
        saved = ", ".join(sorted(profiles)) or "none saved"
        raise BackendError(f"unknown backend {name!r}: use {', '.join(KINDS)} or a saved profile ({saved})")
    unknown = set(overrides) - {f.name for f in fields(BackendProfile)}
    if unknown:
        raise BackendError(f"unknown backend option(s): {', '.join(sorted(unknown))}")
    return replace(profile, **overrides)


def _is_loopback(url: str | None) -> bool:
    from urllib.parse import urlsplit

    host = (urlsplit(url or "").hostname or "").lower()
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")


class Connection:
    """An open backend: `.client` (openai SDK), `.jobs` (JobsClient); `.close()` also stops a local server."""

    def __init__(self, profile: BackendProfile, client: Any, server: Any = None, secrets: tuple[str, ...] = ()):
        from tunescope.jobs.client import JobsClient

        self.profile, self.client, self.server = profile, client, server
        local = profile.kind == "local" and server is not None
        self.jobs = JobsClient(client, secrets=secrets, host="the local server" if local else None,
                               server_id=f"local:{Path(server.data_dir).resolve()}" if local else None)

    @property
    def is_local(self) -> bool:
        return self.profile.kind == "local"

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


def _missing_key(profile: BackendProfile) -> BackendError:
    return BackendError(
        f"no API key for backend {profile.name!r}: set the environment variable {profile.key_env}"
        " (or pass --api-key-env VAR to name another variable, or save one with "
        "`tunescope jobs backends save NAME --save-key`).")


def connect(profile: BackendProfile, environ: Mapping[str, str] | None = None, max_retries: int = 2) -> Connection:
    """Build the SDK client for a profile (starting the embedded server for `local`)."""
    import openai

    environ = os.environ if environ is None else environ
    common = {"timeout": profile.timeout, "max_retries": max_retries}
    if profile.organization:
        common["organization"] = profile.organization
    if profile.project:
        common["project"] = profile.project
    if profile.kind == "local":
        from tunescope.server.app import DataDirBusy
        from tunescope.server.embedded import default_data_dir, start_embedded

        data_dir = Path(profile.local_data_dir) if profile.local_data_dir else default_data_dir()
        speed = 0.5 if profile.local_speed is None else profile.local_speed
        try:
            server = start_embedded(data_dir=data_dir, speed=speed)
        except DataDirBusy:
            raise BackendError(
                f"the local server's data directory {data_dir} is in use by another tunescope server "
                "(probably `tunescope serve`). Talk to that one with --backend compatible --base-url "
                "http://127.0.0.1:PORT/v1, stop it, or pass another --local-data-dir.") from None
        except (OSError, ValueError) as exc:
            raise BackendError(f"cannot start the local server in {data_dir}: {exc}") from None
        client = openai.OpenAI(base_url=server.base_url, api_key=profile.api_key or LOCAL_KEY, **common)
        return Connection(profile, client, server=server)
    key = profile.resolve_key(environ)
    if profile.kind == "azure":
        endpoint = profile.azure_endpoint or environ.get("AZURE_OPENAI_ENDPOINT")
        if not endpoint:
            raise BackendError("Azure OpenAI needs an endpoint: pass --azure-endpoint https://NAME.openai.azure.com "
                               "or set AZURE_OPENAI_ENDPOINT.")
        if not key:
            raise _missing_key(profile)
        version = profile.api_version or environ.get("OPENAI_API_VERSION") or DEFAULT_AZURE_API_VERSION
        client = openai.AzureOpenAI(azure_endpoint=endpoint, api_version=version, api_key=key, **common)
        return Connection(profile, client, secrets=(key,))
    base_url = profile.base_url
    if profile.kind == "compatible":
        base_url = base_url or environ.get("OPENAI_BASE_URL")
        if not base_url:
            raise BackendError("a compatible backend needs --base-url (e.g. http://host:8000/v1) or OPENAI_BASE_URL.")
        if not key and _is_loopback(base_url):
            key = LOCAL_KEY  # local OpenAI-compatible servers often need no key; the SDK needs some string
    if not key:
        raise _missing_key(profile)
    client = openai.OpenAI(api_key=key, base_url=base_url, **common)
    return Connection(profile, client, secrets=(key,))
