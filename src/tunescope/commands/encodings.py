"""`tunescope encodings status|import PATH`: see and provide tiktoken's encoding files offline.

tiktoken downloads its encoding files on first use; on a machine without internet access the
user downloads the file elsewhere and imports it here. The file is verified against the sha256
tiktoken checks and installed atomically under the name tiktoken looks for.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tunescope.tokens import encodings


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "encodings", help="show or import tiktoken encoding files (offline machines)",
        description="Show which tiktoken encodings are available, or import a downloaded encoding file.",
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    st = sub.add_parser("status", help="which encodings are present and where the cache dir is")
    st.set_defaults(func=run)
    imp = sub.add_parser("import", help="verify and install a downloaded .tiktoken file",
                         description="Verify PATH's sha256 against the known encodings and install it "
                                     "into the tiktoken cache dir.")
    imp.add_argument("path", metavar="PATH", help="downloaded encoding file, e.g. o200k_base.tiktoken")
    imp.add_argument("--name", choices=sorted(encodings.KNOWN_ENCODINGS), default=None,
                     help="expected encoding (default: detected from the file's sha256)")
    imp.set_defaults(func=run)
    parser.set_defaults(func=run, action=None)


def run(args: argparse.Namespace) -> int:
    if args.action == "import":
        return _import(Path(args.path), args.name)
    return _status()


def _status() -> int:
    directory, origin = encodings.cache_dir_in_use()
    print(f"cache dir: {directory} ({origin})")
    missing = 0
    for row in encodings.status():
        if row["verified"]:
            state = "present"
        elif row["present"]:
            state = "CORRUPT (sha256 mismatch)" + ("; using the bundled copy" if row["bundled"] else "")
            missing += not row["bundled"]
        elif row["bundled"]:
            state = "bundled (exact counts; not in the cache dir)"
        else:
            state = "missing"
            missing += 1
        print(f"  {row['name']:<12} {state:<10} {Path(row['path']).name}")
        if not row["verified"] and not row["bundled"]:
            print(f"  {'':<12} get it from {row['url']}")
    if missing:
        print("import a downloaded file with: tunescope encodings import PATH")
    return 0


def _import(path: Path, name: str | None) -> int:
    if not path.is_file():
        why = "not a regular file (give the downloaded .tiktoken file)" if path.exists() else "no such file"
        print(f"tunescope encodings: {path}: {why}", file=sys.stderr)
        return 2
    try:
        info, digest = encodings.detect_encoding_file(path)
    except OSError as exc:
        print(f"tunescope encodings: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    if info is None:
        known = ", ".join(f"{i.name} {i.sha256[:8]}…" for i in encodings.KNOWN_ENCODINGS.values())
        print(f"tunescope encodings: {path} is not a known encoding file (sha256 {digest[:12]}…; expected "
              f"one of {known}); download it again from the URL in `tunescope encodings status`",
              file=sys.stderr)
        return 2
    if name and info.name != name:
        print(f"tunescope encodings: {path} is {info.name}, not {name}", file=sys.stderr)
        return 2
    directory = encodings.ensure_cache_env()
    try:
        target = encodings.install_file(path, info, directory)
    except (OSError, encodings.EncodingUnavailable) as exc:
        print(f"tunescope encodings: cannot install into {directory}: {exc}", file=sys.stderr)
        return 2
    encodings.clear_loaded()
    print(f"installed {info.name} (sha256 verified) as {target}")
    return 0
