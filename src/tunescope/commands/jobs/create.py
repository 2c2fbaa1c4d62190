"""`tunescope jobs create`: pre-flight check, confirmation (the job is billed), upload, start,
and optionally watch. The checks and the prompt run before any connection is opened."""

from __future__ import annotations

import json
import os
import sys

from tunescope.commands.jobs.output import emit, emit_line, fail, fmt
from tunescope.commands.jobs.render import job_details
from tunescope.commands.jobs.watch import watch_job
from tunescope.jobs.upload import preflight, preflight_message
from tunescope.providers.azure import deploy_hint
from tunescope.tokens.cost import CostEstimate


def register_create(add) -> None:
    """The `create` subcommand; `add(name, help)` makes a subparser with the common flags."""
    sp = add("create", "check and upload FILE, then start a job (billed by your provider)")
    sp.add_argument("file", metavar="FILE")
    sp.add_argument("--model", required=True)
    sp.add_argument("--validation", metavar="FILE")
    sp.add_argument("--method", choices=["supervised", "dpo", "reinforcement"], default="supervised")
    sp.add_argument("--suffix")
    sp.add_argument("--epochs", type=int, metavar="N")
    sp.add_argument("--batch-size", type=int, metavar="N")
    sp.add_argument("--lr-multiplier", type=float, metavar="X")
    sp.add_argument("--seed", type=int)
    sp.add_argument("--grader", metavar="JSON_FILE", help="grader object for reinforcement fine-tuning")
    sp.add_argument("--training-type", choices=["GlobalStandard", "Standard", "developerTier"], default=None,
                    help="Azure OpenAI only: the training tier (sent as trainingType)")
    sp.add_argument("--watch", action="store_true", help="follow the job until it ends")
    sp.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    sp.add_argument("--force", action="store_true", help="upload even if the pre-flight check finds errors")
    sp.add_argument("--no-reuse", action="store_true", help="upload again even if an identical file is there")


def prepare_create(args, profile):
    """Checks and the confirmation, before any connection: returns an exit code to stop, or None."""
    for path in (args.file, args.validation):
        if path is None:
            continue
        if not os.path.isfile(path):
            return fail(f"{path}: no such file")
    if getattr(args, "training_type", None) and profile.kind != "azure":
        return fail(f"--training-type is an Azure OpenAI setting; backend {profile.name!r} is {profile.kind}")
    args.reports = {}
    for role, path in (("training", args.file), ("validation", args.validation)):
        if path is None:
            continue
        report, errors = preflight(path, args.model, args.method, role)
        args.reports[role] = report
        if errors and not args.force:
            return fail(preflight_message(path, errors))
    if args.grader:
        try:
            with open(args.grader, encoding="utf-8") as fh:
                args.grader_obj = json.load(fh)
        except (OSError, ValueError) as exc:
            return fail(f"{args.grader}: cannot read the grader JSON: {exc}")
    elif args.method == "reinforcement":
        return fail("reinforcement fine-tuning needs a grader: pass --grader GRADER.json")
    if not profile.provider.billed or args.yes:
        return None
    if not sys.stdin.isatty():
        return fail("this job would be billed by your provider; pass --yes to start it without a prompt")
    sys.stderr.write(_summary(args, profile))
    try:
        answer = input("Start this fine-tuning job? [y/N] ")
    except EOFError:
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        return fail("not started", code=1)
    return None


def _summary(args, profile) -> str:
    report = args.reports["training"]
    cost = report.cost if isinstance(report.cost, CostEstimate) else None
    per_epoch = report.tokens.billable_per_epoch if report.tokens else None
    epochs = args.epochs or (cost.epochs if cost else None)
    lines = [f"Backend:  {profile.describe()}", f"Model:    {args.model} ({args.method})",
             f"Training: {args.file}: {report.examples:,} examples"]
    if cost is not None and cost.epochs is None and cost.note:     # per hour, cannot train, nothing to train
        lines.append(f"Cost:     n/a: {cost.note}")
    elif per_epoch:
        lines.append(f"Tokens:   {per_epoch:,} billable per epoch x {epochs} epoch{'s' if epochs != 1 else ''}"
                     + (" (auto)" if not args.epochs else ""))
        price = cost.price_per_1m if cost else None
        if price and epochs:
            usd = per_epoch * epochs * price / 1e6
            bound = "at most" if cost.upper_bound else "about"
            lines.append(f"Cost:     {bound} ${usd:,.2f} at ${price}/1M training tokens (OpenAI list price, "
                         f"{cost.price_date}; your provider's may differ)")
            if cost.note:
                lines.append(f"          {cost.note}")
    if args.validation:
        lines.append(f"Validation: {args.validation}")
    return "\n".join(lines) + "\n"


def create(args, conn) -> int:
    text = fmt(args) == "text"
    progress = _progress_printer() if text and sys.stderr.isatty() else None
    conn.jobs.ensure_can_start(args.model)      # OpenAI after its cutoff, a shut-down model: before uploading
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
                           suffix=args.suffix, seed=args.seed, grader=getattr(args, "grader_obj", None),
                           extra_body={"trainingType": args.training_type} if getattr(args, "training_type", None) else None)
    if not text:
        record = {"training_file": train.to_dict(), "validation_file": valid.to_dict() if valid else None,
                  "job": job.to_dict()}
        (emit_line if args.watch else emit)(record)
    else:
        sys.stdout.write(job_details(job))
    if args.watch:
        code = watch_job(args, conn, job.id)
        if code == 0 and text and conn.profile.kind == "azure":
            print(deploy_hint(conn.jobs.get(job.id).fine_tuned_model), end="")
        return code
    if text and conn.profile.kind == "azure":
        print(deploy_hint(job.fine_tuned_model), end="")
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
