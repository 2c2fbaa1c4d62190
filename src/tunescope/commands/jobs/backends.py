"""Backend flags built from the providers' OPTIONS, the profile they select, and
`tunescope jobs backends` (list, save or remove profiles in backends.toml).

A provider installed through the `tunescope.providers` entry-point group gets its
flags here without any change to this module, as Harlequin's adapters do.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import replace

from tunescope.commands.jobs.output import emit, fail, fmt
from tunescope.jobs import registry
from tunescope.jobs.profiles import (DEFAULT_KIND, BackendProfile, backends_file, load_backends, remove_backend,
                                     resolve_backend, save_backend)


def add_backend_flags(parser: argparse.ArgumentParser) -> None:
    """--backend and one flag per provider option (SUPPRESS: unset unless given, so they work on both sides
    of the subcommand)."""
    g = parser.add_argument_group("backend")
    s = argparse.SUPPRESS
    g.add_argument("--backend", default=s, metavar="KIND|NAME",
                   help=f"{', '.join(registry.kinds())}, or a saved profile "
                        f"(default: saved default, else {DEFAULT_KIND})")
    for option in registry.options().values():
        g.add_argument(option.flag, dest=option.name, default=s, type=option.type, metavar=option.metavar,
                       help=option.help)


def profile_from(args) -> BackendProfile:
    """The profile that --backend and the option flags select (raises BackendError)."""
    given = {name: getattr(args, name, None) for name in registry.options()}
    return resolve_backend(getattr(args, "backend", None), **given)


def register_backends(add) -> None:
    """The `backends` subcommand; `add(name, help)` makes a subparser with the common flags."""
    sp = add("backends", "list, save or remove backend profiles (backends.toml)")
    sp.add_argument("action", nargs="?", choices=["list", "save", "remove"], default="list")
    sp.add_argument("name", nargs="?")
    sp.add_argument("--save-key", action="store_true", help="store the key in backends.toml (made 0600)")
    sp.add_argument("--default", action="store_true", help="make this profile the default")


def run_backends(args) -> int:
    if args.action == "list":
        return _list(args)
    if not args.name:
        return fail(f"`tunescope jobs backends {args.action}` needs a profile NAME")
    if args.action == "remove":
        if not remove_backend(args.name):
            return fail(f"no saved backend named {args.name!r}")
        print(f"removed {args.name}")
        return 0
    profile = replace(profile_from(args), name=args.name)
    if args.save_key and profile.provider.key_env is not None:
        key = profile.resolve_key()
        if not key and sys.stdin.isatty():
            key = getpass.getpass(f"API key for {args.name} (not echoed): ").strip() or None
        profile = replace(profile, api_key=key)
    path = save_backend(profile, save_key=args.save_key and bool(profile.api_key), make_default=args.default)
    stored = " with its key (file mode 0600)" if args.save_key and profile.api_key else " (no key stored)"
    print(f"saved {profile.describe()}{stored} to {path}")
    return 0


def _list(args) -> int:
    profiles, default = load_backends()
    presets = {kind: provider.presets for kind, provider in registry.providers().items() if provider.presets}
    if fmt(args) == "json":
        emit({"default": default, "file": str(backends_file()),
              "backends": {n: {**p.to_toml(), "key": "saved" if p.api_key else None} for n, p in profiles.items()},
              "presets": {kind: {n: p.to_dict() for n, p in found.items()} for kind, found in presets.items()}})
        return 0
    if not profiles:
        print(f"No saved backends ({backends_file()}). Built-in: {', '.join(registry.kinds())}.")
    for name, p in sorted(profiles.items()):
        print(("* " if name == default else "  ") + p.describe())
    for kind, found in presets.items():
        print(f"Presets (--backend {kind} --preset NAME):")
        for name, preset in found.items():
            print(f"  {name:10} {preset.title}: {preset.base_url} (key from {preset.key_env})")
    return 0
