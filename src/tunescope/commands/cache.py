"""`tunescope cache [clear]`: how big the check result cache is, and emptying it.

The cache (checks/run/cache.py) keeps per-example check results so re-checking an edited file
re-analyses only the changed lines; it is bounded by `result_cache_mb` in config.toml, least
recently used results going first.
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
    limit = cache.configured_limit()
    if args.action == "clear":
        existed = path.exists()
        cache.clear(path)
        print(f"cleared {path}" if existed else f"nothing to clear: {path} does not exist")
        return 0
    print(f"result cache: {path}")
    if not path.exists():
        print(f"  empty (bound {_mb(limit)}; set result_cache_mb in config.toml)")
        return 0
    reader = cache.open_reader(path)
    entries = reader.entries() if reader is not None else 0
    live = reader.live_bytes() if reader is not None else 0
    if reader is not None:
        reader.close()
    on_disk = sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
    print(f"  entries: {entries:,}")
    print(f"  size: {_mb(live)} in use, {_mb(on_disk)} on disk (bound {_mb(limit)}; result_cache_mb in config.toml)")
    print("  clear it with: tunescope cache clear")
    return 0


def _mb(n: int) -> str:
    return f"{n / (1 << 20):,.1f} MB"
