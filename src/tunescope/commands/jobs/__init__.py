"""`tunescope jobs ...`: start, list, watch, cancel, pause and resume fine-tuning jobs headless.

Works with every provider installed under the `tunescope.providers` entry-point
group: OpenAI, Azure OpenAI, any OpenAI-compatible endpoint and the local
simulated server (`--backend local`) ship with tunescope. This module parses and
dispatches; `create`, `watch` and `backends` hold the longer subcommands, `output`
how answers are written. Exit codes: 0 ok; 1 the watched job failed or was
cancelled; 2 usage, configuration, connection or auth problems (one line on
stderr); 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys

from tunescope.commands.jobs.archive import archive, register_archive
from tunescope.commands.jobs.backends import add_backend_flags, profile_from, register_backends, run_backends
from tunescope.commands.jobs.create import create, prepare_create, register_create
from tunescope.commands.jobs.output import emit, fail, fmt
from tunescope.commands.jobs.render import checkpoint_table, event_line, job_details, job_table
from tunescope.commands.jobs.watch import watch_job
from tunescope.jobs.connection import connect
from tunescope.jobs.errors import JobsError

__all__ = ["register", "run"]


def _common() -> argparse.ArgumentParser:
    """Options accepted before or after the subcommand (SUPPRESS: unset unless given)."""
    p = argparse.ArgumentParser(add_help=False)
    add_backend_flags(p)
    p.add_argument("--format", default=argparse.SUPPRESS, choices=["text", "json"], help="text (80 columns) or json")
    return p


def register(sub) -> None:
    common = _common()
    p = sub.add_parser("jobs", parents=[common], help="start, list, watch and control fine-tuning jobs",
                       description="Fine-tuning jobs on OpenAI, Azure OpenAI, any OpenAI-compatible endpoint, "
                                   "or the local simulated server (--backend local).")
    jsub = p.add_subparsers(dest="jobs_command", metavar="SUBCOMMAND")
    p.set_defaults(func=run)

    def add(name: str, help_text: str, job_id: bool = False) -> argparse.ArgumentParser:
        sp = jsub.add_parser(name, parents=[common], help=help_text, description=help_text)
        if job_id:
            sp.add_argument("job_id", metavar="ID")
        return sp

    sp = add("list", "list jobs, newest first")
    sp.add_argument("--limit", type=int, default=20)
    sp.add_argument("--after", metavar="ID", help="list jobs older than this one")
    add("show", "show one job (and where in the file a failed job's error points)", job_id=True)
    register_create(add)
    sp = add("watch", "follow a job live until it ends (ctrl+c stops watching, not the job)", job_id=True)
    sp.add_argument("--interval", type=float, default=None, metavar="SECONDS", help="poll interval")
    for name, text in (("cancel", "cancel a job"), ("pause", "pause a running job"), ("resume", "resume a paused job")):
        add(name, text, job_id=True)
    sp = add("events", "a job's events, oldest first", job_id=True)
    sp.add_argument("--limit", type=int, default=50, help="the newest N events (0 = all)")
    add("checkpoints", "a job's checkpoints with their metrics", job_id=True)
    add("results", "a job's per-step results file (decoded CSV)", job_id=True)
    register_archive(add)
    register_backends(add)


def run(args: argparse.Namespace) -> int:
    cmd = getattr(args, "jobs_command", None)
    if not cmd:
        return fail("choose a subcommand: list, show, create, watch, cancel, pause, resume, events, "
                    "checkpoints, results, archive, backends (see tunescope jobs -h)")
    try:
        if cmd == "backends":
            return run_backends(args)
        profile = profile_from(args)
        if cmd == "create":
            stop = prepare_create(args, profile)
            if stop is not None:
                return stop
        with connect(profile) as conn:
            return HANDLERS[cmd](args, conn)
    except JobsError as exc:
        return fail(str(exc))


def _list(args, conn) -> int:
    page = conn.jobs.list(limit=args.limit, after=args.after)
    if fmt(args) == "json":
        emit({"jobs": [j.to_dict() for j in page.items], "has_more": page.has_more})
    else:
        sys.stdout.write(job_table(page.items))
        if page.has_more:
            sys.stdout.write(f"More: tunescope jobs list --after {page.next_after}\n")
    return 0


def _show(args, conn) -> int:
    job = conn.jobs.get(args.job_id)
    if fmt(args) == "json":
        emit(job.to_dict())
    else:
        sys.stdout.write(job_details(job))
    return 0


def _control(action: str):
    def handler(args, conn) -> int:
        job = getattr(conn.jobs, action)(args.job_id)
        if fmt(args) == "json":
            emit(job.to_dict())
        else:
            print(f"{job.id}: {job.status}")
        return 0

    return handler


def _events(args, conn) -> int:
    events = conn.jobs.events(args.job_id, limit=args.limit or None)
    if fmt(args) == "json":
        emit([e.to_dict() for e in events])
    else:
        for ev in events:
            print(event_line(ev))
        if not events:
            print("No events yet.")
    return 0


def _checkpoints(args, conn) -> int:
    cps = conn.jobs.checkpoints(args.job_id)
    if fmt(args) == "json":
        emit([c.to_dict() for c in cps])
    else:
        sys.stdout.write(checkpoint_table(cps))
    return 0


def _results(args, conn) -> int:
    rows = conn.jobs.results_csv(args.job_id)
    if fmt(args) == "json":
        emit(rows)
        return 0
    if rows:
        cols = list(rows[0])
        print(",".join(cols))
        for r in rows:
            print(",".join("" if r[c] is None else str(r[c]) for c in cols))
    return 0


HANDLERS = {"list": _list, "show": _show, "create": create, "watch": watch_job, "cancel": _control("cancel"),
            "pause": _control("pause"), "resume": _control("resume"), "events": _events,
            "checkpoints": _checkpoints, "results": _results, "archive": archive}
