"""`tunescope export FILE --to T -o OUT`: convert a dataset for another destination, with a report of what
did not fit.

Exit codes: 0 the output was written (the report lists anything not carried); 1 with --strict, the
output was written but something was not carried; 2 nothing was written (unusable input, unknown target,
bad paths, no example the target can take).
"""

from __future__ import annotations

import argparse
import os
import sys

import orjson

from tunescope.targets import TARGETS, get_target
from tunescope.targets.exporting import ExportError, export_file, render_export_text


def register(sub) -> None:
    p = sub.add_parser("export", help="convert a dataset for another destination (Vertex, Bedrock, TRL, ...)",
                       description="Convert a dataset for a fine-tuning destination, streaming, and report "
                                   "line by line what the destination cannot carry.",
                       epilog="Targets: " + "; ".join(f"{t.name} ({t.title})" for t in TARGETS.values()) +
                              ". Exit 0: written; 1: written but something was not carried (--strict only); "
                              "2: nothing written.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--to", "--target", required=True, choices=list(TARGETS), metavar="TARGET", dest="target",
                   help="destination (--target, as in check and fix): " + ", ".join(TARGETS))
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="the file to write")
    p.add_argument("--from", dest="source", choices=list(TARGETS), default=None, metavar="TARGET",
                   help="the input's format (default: detected; OpenAI unless it is another target's)")
    p.add_argument("--split", type=float, default=None, metavar="FRACTION",
                   help="write OUT_train and OUT_valid, FRACTION of the examples in training (e.g. 0.9)")
    p.add_argument("--seed", type=int, default=0, help="seed for --split (same seed, same split)")
    p.add_argument("--format", choices=["text", "json"], default="text", dest="report")
    p.add_argument("--max-notes", type=int, default=5, metavar="N", help="notes shown per kind in text output")
    p.add_argument("--strict", action="store_true", help="exit 1 when anything was not carried")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path = args.file
    if not os.path.isfile(path):
        return _fail(f"{path}: no such file" if not os.path.exists(path) else f"{path}: not a regular file")
    try:
        result = export_file(path, get_target(args.target), args.output, split=args.split, seed=args.seed,
                             source=args.source)
    except ExportError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{exc.filename or path}: {exc.strerror or exc}")
    if args.report == "json":
        sys.stdout.buffer.write(orjson.dumps(result.to_json(), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        sys.stdout.write(render_export_text(result, args.max_notes))
    return 1 if args.strict and result.lost else 0


def _fail(msg: str) -> int:
    print(f"tunescope export: {msg}", file=sys.stderr)
    return 2
