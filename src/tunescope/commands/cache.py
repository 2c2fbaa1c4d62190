"""`tunescope cache [clear]`: how big the check result cache is, and emptying it.

The cache (checks/run/cache.py) keeps per-example check results so re-checking an edited file
re-analyses only the changed lines. It is bounded, least recently used results going first: by
`result_cache_mb` in config.toml when set, else by half the file checked (at least 256 MB); the
bound shown is the one the last check applied, and how it was chosen.
"""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "cache", help="show or clear the check result cache",
        description="Show where the check result cache is, its size, entries and bound; or clear it.")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.add_parser("show", help="size, entries and bound (the default)").set_defaults(func=run)
    sub.add_parser("clear", help="delete every cached result").set_defaults(func=run)
    parser.set_defaults(func=run, action=None)


def run(args: argparse.Namespace) -> int:
    import tunescope.checks.run.cache as cache

    path = cache.default_path()
    if args.action == "clear":
        existed = path.exists()
        cache.clear(path)
        print(f"cleared {path}" if existed else f"nothing to clear: {path} does not exist")
        return 0
    print(f"result cache: {path}")
    reader = cache.open_reader(path) if path.exists() else None
    if reader is None:
        print(f"  empty; {_rule(cache)}")
        return 0
    entries, live = reader.entries(), reader.live_bytes()
    bound, followed = reader.bound()
    reader.close()
    on_disk = sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
    print(f"  entries: {entries:,}")
    print(f"  size: {_mb(live)} in use, {_mb(on_disk)} on disk")
    if bound:
        share = f"{cache.FILE_SHARE:.0%} of the last file checked ({_mb(followed)})"
        how = ("result_cache_mb in config.toml" if not followed else
               share if bound > cache.DEFAULT_LIMIT_MB << 20 else f"the {cache.DEFAULT_LIMIT_MB} MB floor: {share} is less")
        print(f"  bound: {_mb(bound)} at the last check ({how})")
        print("  when full: chunk sums that edits replaced go first, then the least recently used results")
    print(f"  next check: {_rule(cache)}")
    print("  clear it with: tunescope cache clear")
    return 0


def _rule(cache) -> str:
    """How the next check bounds the cache."""
    fixed = cache.configured_limit()
    if fixed:
        return f"bound {_mb(fixed)} (result_cache_mb in config.toml)"
    return (f"bound {cache.FILE_SHARE:.0%} of the file checked, at least {cache.DEFAULT_LIMIT_MB} MB "
            "(set result_cache_mb in config.toml for a fixed bound)")


def _mb(n: int) -> str:
    return f"{n / (1 << 20):,.1f} MB"
