"""`tunescope check FILE...`: validate datasets headless; exit 0 clean, 1 errors, 2 unusable input."""

from __future__ import annotations

import argparse
import dataclasses
import os
import stat
import sys
import threading
import time

import orjson

from tunescope.commands.check_watch import Outcome, watch
from tunescope.config import near_duplicate_setting


def register(sub) -> None:
    p = sub.add_parser("check", help="validate JSONL fine-tuning files (text or JSON report)",
                       description="Validate fine-tuning datasets: format, every check, exact tokens, limits, cost.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--model", default=None, help="model for limits, encoding and price (default gpt-4.1-mini-2025-04-14)")
    p.add_argument("--method", choices=["supervised", "dpo", "reinforcement"], default=None,
                   help="fine-tuning method the file is for (default: inferred from the data)")
    p.add_argument("--validation", metavar="FILE", help="validation file: checked too, and compared for overlap")
    p.add_argument("--format", choices=["text", "json"], default="text", dest="output")
    p.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    p.add_argument("--allow-estimate", action="store_true",
                   help="estimate tokens when an encoding file is missing (marked as estimates)")
    p.add_argument("--max-findings", type=_count, default=20, metavar="N", help="findings shown per check in text output")
    p.add_argument("--workers", type=_count, default=None, help="worker processes (default: one per core)")
    p.add_argument("--no-cache", action="store_true", help="do not use the persistent result cache")
    p.add_argument("--watch", action="store_true",
                   help="check again each time a file changes, in one warm process, until ctrl+c (the exit code "
                        "is the last check's; with --format json, one report per line)")
    p.add_argument("--target", default=None, metavar="TARGET",
                   help="also apply a destination's rules and limits (openai, azure, together, fireworks, vertex, "
                        "bedrock, hf, axolotl, llamafactory); a file already in that target's format is checked "
                        "against its format instead")
    p.add_argument("--near-duplicates", type=_threshold, default=None, metavar="SIMILARITY",
                   help="similarity (0.5-1) at which examples count as near-duplicates (default 0.8, or "
                        "near_duplicate_threshold in config.toml); 0 turns the check off")
    p.add_argument("--tokenizer", metavar="PATH_OR_ID", default=None,
                   help="also count with this Hugging Face tokenizer's chat template (a local directory or a cached "
                        "hub id; never downloads) and flag empty loss masks, dropped content and over-long examples "
                        "(needs the train extra)")
    p.add_argument("--max-length", type=_count, default=2048, metavar="N",
                   help="with --tokenizer: the trainer's max length in tokens (default 2048, as serve --max-length)")
    p.add_argument("--show-mask", type=_count, default=None, metavar="LINE",
                   help="with --tokenizer: print line LINE of the first file as the trainer sees it (trained text in "
                        "\u27e6 \u27e7, tokens per message, where truncation cuts) instead of the report")
    p.set_defaults(func=run)


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; give a similarity such as 0.8") from None
    if value != 0 and not 0.5 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is out of range: give a similarity from 0.5 to 1, or 0 for off")
    return value


def _count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {n}")
    return n


class _Progress:
    """A progress bar on stderr (rich's), only when stderr is a terminal and the file is big; it clears itself
    when the check is done or fails."""

    def __init__(self, label: str, size: int, console=None):
        self.on = sys.stderr.isatty() and size > 20 * 1024 * 1024
        self.label, self.console = label, console
        self.bar = self.task = None
        self.finished = False

    def __call__(self, done: int, total: int) -> None:
        if not self.on or self.finished:        # a last call after the end must not draw a second bar
            return
        if self.bar is None:
            from rich.console import Console   # loaded only when a bar is drawn: keeps `check` start-up short
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                                TimeRemainingColumn(), console=self.console or Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label[:30], total=total or 1)
        self.bar.update(self.task, completed=done, total=total or 1)
        if done >= total:
            self.close()

    def close(self) -> None:
        self.finished = True
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


class _Cancel:
    """The progress hook under --watch: draws the bar and, once a watched file has changed, sets the event
    that stops the check."""

    def __init__(self, progress: _Progress, changed):
        self.progress, self.changed = progress, changed
        self.event = threading.Event()

    def __call__(self, done: int, total: int) -> None:
        self.progress(done, total)
        if not self.event.is_set() and self.changed():
            self.event.set()

    def let_workers_finish(self, timeout: float = 60) -> None:
        """A cancelled check leaves its workers to end their last range in the background; the next check
        waits for them, so it can fork its own from a process with one thread (sharing the encoding)."""
        deadline = time.monotonic() + timeout
        while threading.active_count() > 1 and time.monotonic() < deadline:
            time.sleep(0.02)


def _fail(msg: str) -> int:
    print(f"tunescope check: {msg}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    setup = _prepare(args)
    if isinstance(setup, int):
        return setup
    if not args.watch:
        return _check_all(args, setup).exit_code
    paths = args.files + ([args.validation] if args.validation else [])
    clear = args.output == "text" and sys.stdout.isatty()
    return watch(paths, lambda changed, record: _check_all(args, setup, changed, record), clear=clear)


class _Setup:
    """What every check of one command line shares: options, the target's checker, the tokenizer."""

    def __init__(self, options, checker, tokenizer):
        self.options, self.checker, self.tokenizer = options, checker, tokenizer


def _prepare(args: argparse.Namespace):
    """A _Setup, or the exit code of a command line that cannot run (with its message on stderr)."""
    from tunescope.checks.run.runner import options_for_model

    for path in args.files + ([args.validation] if args.validation else []):
        if not os.path.exists(path):
            return _fail(f"{path}: no such file")
        if os.path.isdir(path):
            return _fail(f"{path}: is a directory, expected a JSONL file")
        if not stat.S_ISREG(os.stat(path).st_mode):  # a fifo or device would block or never end
            return _fail(f"{path}: not a regular file (a pipe or device); save the data to a file first")
        if not os.access(path, os.R_OK):
            return _fail(f"{path}: permission denied")
    for path in args.files:
        if args.validation and os.path.samefile(path, args.validation):
            return _fail(f"--validation {args.validation} is the training file itself; give the held-out "
                         "validation file (`tunescope fix FILE --split 0.9 -o OUT` makes one)")
    tokenizer = None
    if args.watch and args.show_mask is not None:
        return _fail("--show-mask prints one example once; leave out --watch")
    if args.show_mask is not None or args.tokenizer:
        import tunescope.commands.check_mask as check_mask

        if args.tokenizer is None:
            return _fail("--show-mask needs --tokenizer PATH_OR_ID (the base model's tokenizer)")
        if args.target:
            return _fail("--tokenizer and --target check for different trainers; run them one at a time")
        if args.show_mask is not None:
            return check_mask.show_mask(args)
        tokenizer = check_mask.open_tokenizer(args)
        if isinstance(tokenizer, str):
            return _fail(tokenizer)
    try:
        options = options_for_model(args.model, args.method)
    except Exception as exc:  # UnknownModel and broken model tables carry their own message
        return _fail(str(exc))
    checker = None
    if args.target:
        from tunescope.targets import UnknownTarget, get_target
        from tunescope.targets.checking import TargetChecker

        try:
            checker = TargetChecker(get_target(args.target))
        except UnknownTarget as exc:
            return _fail(str(exc))
    try:
        threshold = args.near_duplicates if args.near_duplicates is not None else near_duplicate_setting()
    except ValueError as exc:   # ConfigError: a broken config.toml names itself
        return _fail(str(exc))
    return _Setup(dataclasses.replace(options, near_duplicate_threshold=threshold), checker, tokenizer)


def _check_all(args: argparse.Namespace, setup: _Setup, changed=None, record=None) -> Outcome:
    """Check every file once and write the report; the Outcome (exit code, errors, warnings). Under
    --watch, `changed()` is asked at each step of the progress, and a True gives the check up unreported;
    `record(outcome)` hears the outcome before the report is written."""
    from tunescope.checks.run.runner import check_path
    from tunescope.tokens.encodings import EncodingUnavailable
    from tunescope.checks.report_text import render_text
    from tunescope.commands.check_fixes import fixes_text, ranked_fixes

    options, checker, tokenizer = setup.options, setup.checker, setup.tokenizer
    worst = 0
    reports = []
    target_reports = {}       # path -> TargetReport
    unusable: list[str] = []   # one line each on stderr, after the report: why exit 2
    for path in args.files:
        try:
            size = os.path.getsize(path)
        except OSError as exc:      # under --watch: gone again between the change and the check
            return Outcome(_fail(f"{path}: {exc.strerror or exc}"), 0, 0)
        if checker is not None:
            tr = target_reports[path] = checker.run(path, size)
            if tr.summary["errors"] or (args.strict and tr.summary["warnings"]):
                worst = max(worst, 1)
            if tr.mode == "native":     # in the target's own format: its schema replaces the OpenAI checks
                continue
        progress = _Progress(os.path.basename(path), size)
        cancel = _Cancel(progress, changed) if changed is not None else None
        try:
            report = check_path(path, options, validation=args.validation, allow_estimate=args.allow_estimate,
                                workers=args.workers, progress=cancel or progress, use_cache=not args.no_cache,
                                cancel=cancel and cancel.event)
        except EncodingUnavailable as exc:
            hint = "" if "--allow-estimate" in str(exc) else " (or pass --allow-estimate for estimated counts)"
            return Outcome(_fail(f"{exc}{hint}"), 0, 0)
        except OSError as exc:
            return Outcome(_fail(f"{path}: {exc.strerror or exc}"), 0, 0)
        finally:
            progress.close()
        if report.cancelled:
            cancel.let_workers_finish()
            return Outcome(worst, 0, 0, cancelled=True)
        if checker is not None:
            from tunescope.targets.checking import drop_replaced

            drop_replaced(checker.target, report)
        reports.append(report)
        for r in (report, report.validation):
            s = r.summary if r is not None else {"errors": 0, "warnings": 0}
            if s["errors"] or (args.strict and s["warnings"]):
                worst = max(worst, 1)
        if report.facts.layout in ("empty", "binary"):
            worst = 2
            unusable.append(_unusable_reason(path, report))
    errors = sum(r.summary["errors"] for report in reports for r in (report, report.validation) if r is not None)
    warnings = sum(r.summary["warnings"] for report in reports for r in (report, report.validation) if r is not None)
    scans = {}
    if tokenizer is not None:
        import tunescope.commands.check_mask as check_mask

        scans = check_mask.scans(args, tokenizer)
    for scan in scans.values():
        worst = max(worst, check_mask.scan_worst(scan, args.strict))
    outcome = Outcome(worst, errors, warnings)
    if record is not None:
        record(outcome)
    try:
        if checker is not None:
            _write_target(args, reports, target_reports, unusable)
            return outcome
        if args.output == "json":
            data = [r.to_json() for r in reports]
            for path, item, r in zip(args.files, data, reports):
                item["fixes"] = [{"fix": f.name, "flag": f.cli_flag, "findings": n, "errors": e}
                                 for f, e, n in ranked_fixes(r)]
                if path in scans:
                    item["tokenizer"] = scans[path].to_json()
            _write_json(args, data[0] if len(data) == 1 else data)
        else:
            for r in reports:
                sys.stdout.write(render_text(r, args.max_findings) + fixes_text(r))
                if r.validation is not None:
                    sys.stdout.write("\nValidation file\n" + render_text(r.validation, args.max_findings)
                                     + fixes_text(r.validation))
            for scan in scans.values():
                sys.stdout.write(check_mask.scan_text(scan, args.max_findings))
        sys.stdout.flush()
    except BrokenPipeError:  # `tunescope check FILE | head`: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    for reason in unusable:
        _fail(reason)
    return outcome


def _write_json(args: argparse.Namespace, data) -> None:
    """The report as indented JSON; under --watch one compact line per check (JSON Lines: a pipeline
    reads each report as it comes)."""
    option = 0 if args.watch else orjson.OPT_INDENT_2
    sys.stdout.buffer.write(orjson.dumps(data, option=option))
    sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()


def _write_target(args, reports, target_reports, unusable: list[str]) -> None:
    """Output of `check --target`: each file's format report (unless it is in the target's format) and its
    target section; in JSON, the report with a "target" key (or the target report alone)."""
    from tunescope.checks.report_text import render_text
    from tunescope.targets.checking import render_target_text

    by_path = dict(zip([p for p, tr in target_reports.items() if tr.mode != "native"], reports))
    if args.output == "json":
        data = []
        for path, tr in target_reports.items():
            r = by_path.get(path)
            data.append({**r.to_json(), "target": tr.to_json()} if r is not None else {"target": tr.to_json()})
        _write_json(args, data[0] if len(data) == 1 else data)
    else:
        for path, tr in target_reports.items():
            if path in by_path:
                sys.stdout.write(render_text(by_path[path], args.max_findings) + "\n")
            sys.stdout.write(render_target_text(tr, args.max_findings))
    sys.stdout.flush()
    for reason in unusable:
        _fail(reason)


def _unusable_reason(path: str, report) -> str:
    """The one-line reason an empty or binary file cannot be checked (its file-level error)."""
    errors = [f for f in report.facts.findings if f.severity.value == "error"]
    return errors[0].message if errors else f"{path}: {report.facts.layout} file, no examples"
