"""Entry point: `tunescope [FILE]` opens the app; subcommands run headless.

Each subcommand lives in `tunescope.commands.<name>` with `register(subparsers)`
and `run(args) -> int`; this module only dispatches.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from tunescope import __version__

COMMANDS = ("check", "checks", "fix", "export", "diff", "serve", "jobs", "eval", "encodings", "cache")


def _load(name: str):
    return importlib.import_module(f"tunescope.commands.{name}")


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tunescope",
        description="Review, fix and fine-tune on chat-model training data (JSONL) from the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"tunescope {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = [argv[0]] if argv and argv[0] in COMMANDS else COMMANDS
    for name in COMMANDS:
        if name in wanted:
            try:
                _load(name).register(sub)
            except ModuleNotFoundError:
                continue
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        parser = build_parser(argv)
        args = parser.parse_args(argv)
        try:
            return int(args.func(args) or 0)
        except KeyboardInterrupt:
            print("tunescope: interrupted", file=sys.stderr)
            return 130
    if argv and argv[0] in ("-h", "--help", "--version"):
        build_parser(argv).parse_args(argv)
        return 0
    return _load("app").run_app(argv)
