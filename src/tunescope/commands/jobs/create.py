"""`tunescope jobs create` (pre-flight check, confirmation, upload, start, optional watch)
and `tunescope jobs backends` (saved backend profiles)."""

from __future__ import annotations

import getpass
import json
import os
import sys


def _cmd():
    from tunescope.commands import jobs

    return jobs


def _prepare_create(args, profile):
    """Checks and the confirmation, before any connection: returns an exit code to stop, or None."""
    from tunescope.jobs.upload import preflight, preflight_message

    cmd = _cmd()
    for path in (args.file, args.validation):
        if path is None:
            continue
        if not os.path.isfile(path):
            return cmd._fail(f"{path}: no such file")
    args.reports = {}
    for role, path in (("training", args.file), ("validation", args.validation)):
        if path is None:
            continue
        report, errors = preflight(path, args.model, args.method, role)
        args.reports[role] = report
        if errors and not args.force:
            return cmd._fail(preflight_message(path, errors))
    if args.grader:
        try:
            with open(args.grader, encoding="utf-8") as fh:
                args.grader_obj = json.load(fh)
        except (OSError, ValueError) as exc:
            return cmd._fail(f"{args.grader}: cannot read the grader JSON: {exc}")
    elif args.method == "reinforcement":
        return cmd._fail("reinforcement fine-tuning needs a grader: pass --grader GRADER.json")
    if profile.kind == "local" or args.yes:
        return None
    if not sys.stdin.isatty():
        return cmd._fail("this job would be billed by your provider; pass --yes to start it without a prompt")
    sys.stderr.write(_summary(args, profile))
    try:
        answer = input("Start this fine-tuning job? [y/N] ")
    except EOFError:
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        return cmd._fail("not started", code=1)
    return None


def _summary(args, profile) -> str:
    report = args.reports["training"]
    cost = report.cost or {}
    per_epoch = (report.tokens or {}).get("billable_per_epoch")
    epochs = args.epochs or cost.get("epochs")
    lines = [f"Backend:  {profile.describe()}", f"Model:    {args.model} ({args.method})",
             f"Training: {args.file}: {report.examples:,} examples"]
    if per_epoch:
        lines.append(f"Tokens:   {per_epoch:,} billable per epoch x {epochs} epochs"
                     + (" (auto)" if not args.epochs else ""))
        price = cost.get("price_per_1m")
        if price and epochs:
            usd = per_epoch * epochs * price / 1e6
            lines.append(f"Cost:     about ${usd:,.2f} at ${price}/1M training tokens (OpenAI list price, "
                         f"{cost.get('price_date', 'date unknown')}; your provider's may differ)")
    if args.validation:
        lines.append(f"Validation: {args.validation}")
    return "\n".join(lines) + "\n"


def _create(args, conn) -> int:
    from tunescope.commands.jobs.render import job_details

    cmd = _cmd()
    text = cmd._fmt(args) == "text"
    progress = _progress_printer() if text and sys.stderr.isatty() else None
    train = conn.jobs.upload(args.file, progress, force=True, reuse=not args.no_reuse)
    valid = None
    if args.validation:
        valid = conn.jobs.upload(args.validation, progress, force=True, reuse=not args.no_reuse, role="validation")
    if text:
        for f in (train, valid):
            if f is not None:
                how = "reusing identical upload" if f.reused else "uploaded"
                print(f"{how} {f.filename}: {f.id} ({f.bytes:,} bytes)")
    hp = {k: v for k, v in (("n_epochs", args.epochs), ("batch_size", args.batch_size),
                            ("learning_rate_multiplier", args.lr_multiplier)) if v is not None}
    job = conn.jobs.create(args.model, train, validation_file=valid, method=args.method, hyperparameters=hp or None,
                           suffix=args.suffix, seed=args.seed, grader=getattr(args, "grader_obj", None))
    if not text:
        record = {"training_file": train.to_dict(), "validation_file": valid.to_dict() if valid else None,
                  "job": job.to_dict()}
        (cmd._emit_line if args.watch else cmd._emit)(record)
    else:
        sys.stdout.write(job_details(job))
    if args.watch:
        return cmd._watch(args, conn, job.id)
    if conn.is_local and text:
        print(f"Local backend: the job advances only while a tunescope server uses this data directory; "
              f"follow it with `tunescope jobs watch {job.id} --backend local`.")
    return 0


def _progress_printer():
    def show(done: int, total: int) -> None:
        frac = done / total if total else 1.0
        sys.stderr.write(f"\rupload [{'#' * int(frac * 30):30}] {frac:4.0%}")
        if done >= total:
            sys.stderr.write("\r" + " " * 45 + "\r")
        sys.stderr.flush()

    return show


def _backends(args) -> int:
    from tunescope.providers.backends import KINDS, backends_file, load_backends, remove_backend, save_backend

    cmd = _cmd()
    if args.action == "list":
        profiles, default = load_backends()
        if cmd._fmt(args) == "json":
            cmd._emit({"default": default, "file": str(backends_file()),
                       "backends": {n: {**p.to_toml(), "key": "saved" if p.api_key else None}
                                    for n, p in profiles.items()}})
            return 0
        if not profiles:
            print(f"No saved backends ({backends_file()}). Built-in: {', '.join(KINDS)}.")
        for name, p in sorted(profiles.items()):
            print(("* " if name == default else "  ") + p.describe())
        return 0
    if not args.name:
        return cmd._fail(f"`tunescope jobs backends {args.action}` needs a profile NAME")
    if args.action == "remove":
        if not remove_backend(args.name):
            return cmd._fail(f"no saved backend named {args.name!r}")
        print(f"removed {args.name}")
        return 0
    profile = cmd.profile_from(args)
    from dataclasses import replace

    profile = replace(profile, name=args.name)
    if args.save_key and profile.kind != "local":
        key = profile.resolve_key()
        if not key and sys.stdin.isatty():
            key = getpass.getpass(f"API key for {args.name} (not echoed): ").strip() or None
        profile = replace(profile, api_key=key)
    path = save_backend(profile, save_key=args.save_key and bool(profile.api_key), make_default=args.default)
    stored = " with its key (file mode 0600)" if args.save_key and profile.api_key else " (no key stored)"
    print(f"saved {profile.describe()}{stored} to {path}")
    return 0
