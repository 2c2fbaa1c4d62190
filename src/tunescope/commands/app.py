"""`tunescope [FILE]`: open the TUI (the dataset, or the bundled sample)."""

from __future__ import annotations

import argparse
import sys


def run_app(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tunescope", description="Open FILE (or the bundled sample) in the TUI.")
    parser.add_argument("file", nargs="?", help="JSONL dataset to open (default: bundled sample)")
    parser.add_argument("--model", default=None, help="model for limits, encodings and cost")
    parser.add_argument("--allow-estimate", action="store_true", help="estimate tokens if an encoding is missing")
    parser.add_argument("--backend", default=None, metavar="NAME",
                        help="fine-tuning backend for the jobs screen: openai, azure, compatible, local or a saved "
                             "profile (default: the saved default profile, else the local simulated server)")
    args = parser.parse_args(argv)
    try:
        from tunescope.tui.app import make_app
    except ImportError as exc:
        print(f"tunescope: the TUI is not available ({exc})", file=sys.stderr)
        return 2
    app = make_app(path=args.file, model=args.model, allow_estimate=args.allow_estimate, backend=args.backend)
    app.run()
    return int(app.return_code or 0)
