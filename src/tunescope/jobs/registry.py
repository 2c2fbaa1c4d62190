"""The providers tunescope can run jobs on, found through the `tunescope.providers` entry-point group.

`jobs/` is vendor-neutral: it never imports a provider by name. Every provider,
the four built-in ones included (openai, azure, compatible, local), is declared
in its package's metadata, as Harlequin finds its adapters and flake8 its
plugins:

    [project.entry-points."tunescope.providers"]
    acme = "acme_tunescope:AcmeProvider"

The entry point names a `tunescope.providers.base.Provider` subclass (or an
instance); its `name` must equal the entry point's name. Entry points are read
from the installed metadata, so a new one appears after `pip install -e .`.
A provider that fails to load does not hide the others: asking for it says why.
"""

from __future__ import annotations

import functools
from importlib.metadata import entry_points
from typing import Any, Iterable

from tunescope.jobs.errors import BackendError

GROUP = "tunescope.providers"


@functools.cache
def _load() -> tuple[dict[str, Any], dict[str, str]]:
    """(providers by name in listing order, load errors by name)."""
    found: dict[str, Any] = {}
    broken: dict[str, str] = {}
    for ep in entry_points(group=GROUP):
        if ep.name in found or ep.name in broken:  # the first distribution on sys.path wins
            continue
        try:
            obj = ep.load()
            provider = obj() if isinstance(obj, type) else obj
        except Exception as exc:  # noqa: BLE001 - a broken third-party plugin must not break the others
            broken[ep.name] = f"{ep.value} cannot be loaded: {type(exc).__name__}: {exc}"
            continue
        if getattr(provider, "name", None) != ep.name:
            broken[ep.name] = f"{ep.value} is named {getattr(provider, 'name', None)!r}, not {ep.name!r}"
            continue
        found[ep.name] = provider
    ordered = dict(sorted(found.items(), key=lambda item: (item[1].rank, item[0])))
    return ordered, broken


def refresh() -> None:
    """Read the entry points again (after installing a provider, or in tests)."""
    _load.cache_clear()


def providers() -> dict[str, Any]:
    """Every loaded provider by name, built-ins first (by `rank`, then name)."""
    return _load()[0]


def kinds() -> tuple[str, ...]:
    return tuple(providers())


def load_error(kind: str) -> str | None:
    """Why the provider registered as `kind` could not be loaded (None: it loaded, or there is none)."""
    return _load()[1].get(kind)


def provider(kind: str, profile_name: str | None = None) -> Any:
    """The provider of a kind, or BackendError saying which kinds there are (or why this one failed to load)."""
    found, broken = _load()
    if kind in found:
        return found[kind]
    who = f"backend {(profile_name or kind)!r}: "
    if kind in broken:
        raise BackendError(f"{who}the provider failed to load: {broken[kind]}")
    if not found:
        raise BackendError(f"{who}no providers are installed (entry-point group {GROUP}); "
                           "reinstall tunescope (pip install -e .)")
    raise BackendError(f"{who}unknown kind {kind!r}; use one of {', '.join(found)}")


def options() -> dict[str, Any]:
    """Every option any provider takes, by name, in provider order (the first declaration of a shared one wins)."""
    out: dict[str, Any] = {}
    for p in providers().values():
        for option in p.OPTIONS:
            out.setdefault(option.name, option)
    return out


def implied_kind(given: Iterable[str]) -> str | None:
    """The provider the given options point at when no backend is named (`--base-url` alone: compatible)."""
    given = set(given)
    candidates = [p for p in providers().values() if given & set(p.implied_by)]
    if not candidates:
        return None
    return max(candidates, key=lambda p: p.implied_precedence).name
