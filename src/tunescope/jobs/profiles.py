"""Where jobs run, as data: a backend profile is a provider `kind`, that provider's
`options` and the settings every provider shares. OpenAI stops accepting new
fine-tuning jobs on 2027-01-06, so no part of tunescope may assume one vendor:
the providers are found through the entry-point registry (`jobs.registry`).

Profiles live in `<config dir>/backends.toml`, one flat table per profile
(`kind = "compatible"`, `base_url = ...`). Keys are read from environment
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

from tunescope.config import config_dir
from tunescope.jobs import registry
from tunescope.jobs.errors import BackendError, mask_key

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_KIND = "openai"
"""The kind used when nothing names one: no --backend, no saved default, no option that implies a kind."""
DEFAULT_TIMEOUT = 60.0
"""Seconds per API call (the SDK's default is 600 s, far too long for a screen to wait)."""

__all__ = ["BackendError", "BackendProfile", "DEFAULT_KIND", "DEFAULT_TIMEOUT", "backends_file", "load_backends",
           "remove_backend", "resolve_backend", "save_backend"]


def backends_file() -> Path:
    return config_dir() / "backends.toml"


@dataclass(init=False)
class BackendProfile:
    """How to reach one fine-tuning service. `name` is the profile's name (a kind for unsaved ones).

    `options` holds what the provider of `kind` takes (its OPTIONS: `base_url`, `local_data_dir`, ...).
    Any provider's option can also be given as a keyword and read as an attribute (`profile.base_url`,
    None when unset), so `BackendProfile(name="x", kind="compatible", base_url=URL)` works.
    """

    name: str
    kind: str = DEFAULT_KIND
    options: dict[str, Any] = field(default_factory=dict)
    organization: str | None = None
    project: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    api_key: str | None = field(default=None, repr=False)
    """Only set when the user saved a key with the profile (or for the local server)."""

    def __init__(self, name: str, kind: str = DEFAULT_KIND, options: Mapping[str, Any] | None = None,
                 organization: str | None = None, project: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                 api_key: str | None = None, **more_options: Any):
        self.name, self.kind = name, kind
        self.organization, self.project, self.timeout, self.api_key = organization, project, timeout, api_key
        registry.provider(kind, name)  # an unknown kind fails here, naming the kinds there are
        merged = {**(options or {}), **more_options}
        unknown = sorted(set(merged) - set(registry.options()))
        if unknown:
            raise BackendError(f"backend {name!r}: unknown option(s) {', '.join(unknown)}")
        self.options = {k: v for k, v in merged.items() if v is not None}

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_") and name != "options" and name in registry.options():
            return self.options.get(name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FIELDS or name not in registry.options():
            object.__setattr__(self, name, value)
        elif value is None:
            self.options.pop(name, None)
        else:
            self.options[name] = value

    @property
    def provider(self) -> Any:
        """The provider of this profile's kind (BackendError when there is none)."""
        return registry.provider(self.kind, self.name)

    @property
    def key_env(self) -> str | None:
        """The environment variable the key is read from (None: the provider takes no key)."""
        provider = self.provider
        by_options = getattr(provider, "key_env_for", None)  # a preset may name its own variable
        return self.options.get("api_key_env") or (by_options(self.options) if by_options else provider.key_env)

    def resolve_key(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The key from the environment variable first, then a saved one."""
        environ = os.environ if environ is None else environ
        env = self.key_env
        return (environ.get(env) if env else None) or self.api_key

    def describe(self, environ: Mapping[str, str] | None = None) -> str:
        """One line for people; the key appears masked, never in full."""
        provider = self.provider
        line = f"{self.name} [{self.kind}] {provider.where(self)}"
        if provider.key_env is None:
            return line
        key = self.resolve_key(environ)
        source = f"key {mask_key(key)} from {self.key_env}" if key and key != self.api_key else (
            f"key {mask_key(key)} saved in backends.toml" if key else f"no key (set {self.key_env})")
        return f"{line}; {source}"

    def to_toml(self, include_key: bool = False) -> dict:
        """The profile's table in backends.toml: kind, options, then the shared settings that are set."""
        out: dict[str, Any] = {"kind": self.kind}
        out.update((name, self.options[name]) for name in registry.options() if name in self.options)
        for name in ("organization", "project"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.timeout != DEFAULT_TIMEOUT:
            out["timeout"] = self.timeout
        if include_key and self.api_key is not None:
            out["api_key"] = self.api_key
        return out


_FIELDS = frozenset(f.name for f in fields(BackendProfile))


def _settings() -> set[str]:
    """What a profile table or an override may set: the shared fields and every provider's options."""
    return (_FIELDS - {"name", "options"}) | set(registry.options())


def load_backends(path: Path | None = None) -> tuple[dict[str, BackendProfile], str | None]:
    """(profiles by name, default profile name) from backends.toml; missing file = none."""
    path = path or backends_file()
    if not path.exists():
        return {}, None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BackendError(f"{path}: cannot read backend profiles: {exc}") from None
    known = _settings()
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
    if profile.name in registry.kinds():
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
    data: dict[str, Any] = {"default": default} if default and default in {*profiles, *registry.kinds()} else {}
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
    """A saved profile by name, or a provider's kind, with non-None `overrides` applied.

    No name: the saved default, else the kind the options imply (`local_data_dir`: local,
    `azure_endpoint`: azure, `base_url`: compatible), else DEFAULT_KIND.
    """
    profiles, default = load_backends(path)
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if name is None:
        name = default or registry.implied_kind(overrides) or DEFAULT_KIND
    kinds = registry.kinds()
    if name in profiles:
        profile = profiles[name]
    elif name in kinds or registry.load_error(name):
        profile = BackendProfile(name=name, kind=name)  # a provider that failed to load raises here, saying why
    else:
        saved = ", ".join(sorted(profiles)) or "none saved"
        raise BackendError(f"unknown backend {name!r}: use {', '.join(kinds)} or a saved profile ({saved})")
    unknown = set(overrides) - _settings() - {"name"}
    if unknown:
        raise BackendError(f"unknown backend option(s): {', '.join(sorted(unknown))}")
    return replace(profile, **overrides)
