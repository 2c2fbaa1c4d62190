"""`tunescope fix FILE [fixes] (-o OUT | --in-place)`: bulk fixes from scripts.

The fix flags, their help and the order the fixes run in (whatever the order
of the options) come from the fix registry (editing/fixes/registry.py); then
--split writes OUT_train / OUT_valid. Exit 0 on success, 2 on unusable input,
bad options or a refused save, 1 when writing failed (the original is intact).
"""

from __future__ import annotations

import argparse
import os
import sys

from tunescope.config import ConfigError, load_settings
from tunescope.dataset.filefacts import JSONL, detect_document_layout, looks_binary
from tunescope.dataset.index import LineIndex
from tunescope.editing.fixes.jsonl import convert_to_jsonl
from tunescope.editing.fixes.plan import FixError
from tunescope.editing.fixes.registry import FIXES
from tunescope.editing.fixes.split import choose_validation, split_dataset, split_paths
from tunescope.editing.save import SaveFailed, SaveRefused, backup_path_for
from tunescope.editing.session import EditSession


def register(sub) -> None:
    p = sub.add_parser(
        "fix", help="apply bulk fixes to a dataset (atomic; -o OUT or --in-place)",
        description="Apply bulk fixes and write the result atomically to OUT or back to FILE. "
                    "Untouched lines are copied byte for byte.",
        epilog="--split R writes OUT's stem with _train/_valid suffixes (data.jsonl -> data_train.jsonl, "
               "data_valid.jsonl); R is the training share. Exit: 0 ok, 2 unusable input/refused save, 1 write failed.")
    p.add_argument("file", metavar="FILE")
    out = p.add_mutually_exclusive_group()
    out.add_argument("-o", "--output", metavar="OUT", help="write the result here")
    out.add_argument("--in-place", action="store_true", help="replace FILE (atomic save)")
    g = p.add_argument_group("fixes")
    _add_fix_flags(g)
    g.add_argument("--split", type=float, default=None, metavar="RATIO",
                   help="write training/validation files with this training share, e.g. 0.9")
    g.add_argument("--seed", type=int, default=0, help="seed for --split (same seed, same split)")
    p.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    p.add_argument("--max-lines", type=int, default=20, metavar="N", help="changes listed per fix (default 20)")
    p.add_argument("--backup", choices=("none", "bak", "timestamp"), default=None,
                   help="keep the replaced file (default: the config's backup setting)")
    p.set_defaults(func=run)


def _add_fix_flags(group) -> None:
    """One flag per fix in application order; a fix's options follow the last fix that takes them
    (--system after --to-chat, --model/--limit/--allow-estimate after both over-limit fixes)."""
    fixes = list(FIXES.values())
    last_taker = {opt.flag: i for i, f in enumerate(fixes) for opt in f.options}
    exclusive: dict = {}   # group name -> argparse mutually exclusive group
    for i, f in enumerate(fixes):
        where = group
        if f.exclusive:
            if f.exclusive not in exclusive:
                exclusive[f.exclusive] = group.add_mutually_exclusive_group()
            where = exclusive[f.exclusive]
        where.add_argument(f.cli_flag, dest=f.name, action="store_true", help=f.cli_help)
        for opt in f.options:
            if last_taker[opt.flag] == i:
                group.add_argument(opt.flag, **opt.argparse_kwargs())


def _say(text: str) -> None:
    """print() that survives a closed pipe (`tunescope fix ... | head`): the fix still gets saved."""
    try:
        print(text)
    except BrokenPipeError:
        _stdout_to_devnull()


def _stdout_to_devnull() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _fail(message: str, code: int = 2) -> int:
    print(f"tunescope fix: {message}", file=sys.stderr)
    return code


def _selected(args) -> list[tuple[str, dict]]:
    """(fix name, parameters) for each fix asked for, in the registry's application order."""
    picked = []
    for f in FIXES.values():
        if not getattr(args, f.name, False):
            continue
        if f.name == "drop_extra_keys" and args.rename_near_miss:
            continue  # done together with the renames: one pass, one report
        params = {opt.param: getattr(args, opt.param) for opt in f.options}
        if f.name == "rename_near_miss" and args.drop_extra_keys:
            params["drop_extra_keys"] = True
        picked.append((f.name, params))
    return picked


def _print_report(report, cap: int) -> None:
    _say(report.summary())
    for change in report.changes[:cap]:
        _say(f"  {change.describe()}")
    if len(report.changes) > cap:
        _say(f"  ... and {len(report.changes) - cap:,} more")
    for note in report.notes[:cap]:
        _say(f"  note: {note}")
    if len(report.notes) > cap:
        _say(f"  ... and {len(report.notes) - cap:,} more notes")


def _backup_mode(args) -> str:
    if args.backup:
        return args.backup
    try:
        return load_settings().backup
    except ConfigError:
        return "none"


def _looks_like_document(index) -> str | None:
    layout, count = detect_document_layout(index)
    if layout == JSONL:
        return None
    what = "a JSON array" if layout == "json_array" else "pretty-printed JSON" if layout == "pretty_printed" else layout
    return what + (f" ({count:,} objects)" if count else "")


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    finally:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _stdout_to_devnull()


def _run(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit <= 0:
        return _fail(f"--limit must be a positive number of tokens, got {args.limit}")
    if args.max_lines < 0:
        return _fail(f"--max-lines must be 0 or more, got {args.max_lines}")
    fixes = _selected(args)
    if not fixes and args.split is None:
        flags = ", ".join(f.cli_flag for f in FIXES.values())
        return _fail(f"no fix selected; choose one or more of {flags}, --split")
    if args.split is not None and args.in_place:
        return _fail("--split writes two new files; give -o BASE (writes BASE_train and BASE_valid)")
    if not args.dry_run and not args.in_place and not args.output:
        return _fail("say where to write: -o OUT, or --in-place to replace FILE (or --dry-run to preview)")
    if args.output and os.path.isdir(args.output):
        return _fail(f"-o {args.output} is a directory; give the path of the file to write")
    if args.output and not os.path.isdir(os.path.dirname(os.path.abspath(args.output))):
        return _fail(f"-o {args.output}: the folder {os.path.dirname(os.path.abspath(args.output))} does not exist")
    if not os.path.exists(args.file):
        return _fail(f"{args.file}: no such file")
    if not os.path.isfile(args.file):
        return _fail(f"{args.file}: not a regular file (a directory, pipe or device); give a JSONL file")
    try:
        index = LineIndex(args.file).build()
    except OSError as exc:
        return _fail(f"{args.file}: cannot read ({exc.strerror or exc})")
    if index.error is not None:
        return _fail(f"{args.file}: cannot read ({index.error})")
    if index.size and looks_binary(index.read_range(0, min(index.size, 65536))):
        return _fail(f"{args.file} looks like a binary file, not JSONL text (NUL bytes or undecodable data near "
                     "the start); nothing was written. Check that this is the right file.")
    names = [n for n, _ in fixes]
    if "to_jsonl" not in names:
        shape = _looks_like_document(index)
        if shape:
            return _fail(f"{args.file} is {shape}, not JSONL (one object per line); add --to-jsonl to convert it")
    session = EditSession(index)
    if names == ["to_jsonl"] and args.split is None and not args.dry_run:
        return _stream_to_jsonl(args, session)
    try:
        for name, params in fixes:
            report = session.apply_fix(name, **params)
            _print_report(report, args.max_lines)
    except (FixError, KeyError) as exc:
        return _fail(f"{args.file}: {exc}")
    changed = session.dirty
    try:
        if args.split is not None:
            train, valid = split_paths(args.output or args.file)
            if args.dry_run:
                n = sum(1 for data in session.iter_rows() if data.strip())
                nv = len(choose_validation(n, args.split, args.seed))
                _say(f"split (seed {args.seed}): would write {n - nv:,} rows to {train} and {nv:,} to {valid}")
                return 0
            res = split_dataset(session, args.split, args.seed, train, valid)
            _say(f"split (seed {res.seed}): wrote {res.n_train:,} rows to {res.train_path} "
                  f"and {res.n_valid:,} to {res.valid_path}")
            return 0
        if args.dry_run:
            _say(f"dry run: {len(session):,} rows after the fixes; nothing written")
            return 0
        target = args.file if args.in_place else args.output
        if args.in_place and not changed:
            _say(f"nothing changed; {args.file} left as it was")
            return 0
        result = session.save(target, backup=_backup_mode(args), switch=False)
        backup = f" (previous file kept as {result.backup_path})" if result.backup_path else ""
        _say(f"wrote {result.rows:,} rows to {result.path}{backup}")
        return 0
    except FixError as exc:
        return _fail(str(exc))
    except SaveRefused as exc:
        return _fail(f"save refused: {exc}")
    except SaveFailed as exc:
        return _fail(f"{exc}; nothing was changed", 1)
    finally:
        session.close()


def _stream_to_jsonl(args, session) -> int:
    """--to-jsonl alone: stream file to file, never holding the whole document."""
    target = args.file if args.in_place else args.output
    eol, bom, backup = session.eol, session.has_bom, _backup_mode(args)
    session.close()
    try:
        backup_file = backup_path_for(os.path.abspath(target), backup) if os.path.exists(target) else None
        rows = convert_to_jsonl(args.file, target, eol=eol, backup=backup_file, bom=bom)
    except FixError as exc:
        return _fail(f"{args.file}: {exc}")
    except SaveRefused as exc:
        return _fail(f"save refused: {exc}")
    except SaveFailed as exc:
        return _fail(f"{exc}; nothing was changed", 1)
    _say(f"convert to JSONL: wrote {rows:,} rows to {os.path.abspath(target)}")
    return 0
