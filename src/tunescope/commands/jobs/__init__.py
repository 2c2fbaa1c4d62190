"""`tunescope jobs ...`: start, list, watch, cancel, pause and resume fine-tuning jobs headless.

Works with OpenAI, Azure OpenAI, any OpenAI-compatible endpoint and the local
simulated server (`--backend local`). Exit codes: 0 ok; 1 the watched job
failed or was cancelled; 2 usage, configuration, connection or auth problems
(one line on stderr); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading

BACKEND_OPTIONS = ("backend", "base_url", "api_key_env", "azure_endpoint", "api_version", "local_data_dir",
                   "local_speed")


def _common() -> argparse.ArgumentParser:
    """Backend options accepted before or after the subcommand (SUPPRESS: unset unless given)."""
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("backend")
    s = argparse.SUPPRESS
    g.add_argument("--backend", default=s, metavar="KIND|NAME",
                   help="openai, azure, compatible, local, or a saved profile (default: saved default, else openai)")
    g.add_argument("--base-url", default=s, help="API base URL, e.g. http://host:8000/v1 (compatible backends)")
    g.add_argument("--api-key-env", default=s, metavar="VAR",
                   help="environment variable holding the key (default OPENAI_API_KEY / AZURE_OPENAI_API_KEY)")
    g.add_argument("--azure-endpoint", default=s, metavar="URL", help="https://NAME.openai.azure.com")
    g.add_argument("--api-version", default=s, help="Azure OpenAI API version")
    g.add_argument("--local-data-dir", default=s, metavar="DIR", help="data directory of the local server")
    g.add_argument("--local-speed", default=s, type=float, metavar="SECONDS", help="seconds per simulated step")
    p.add_argument("--format", default=s, choices=["text", "json"], help="text (80 columns) or json")
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
    sp.add_argument("--watch", action="store_true", help="follow the job until it ends")
    sp.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    sp.add_argument("--force", action="store_true", help="upload even if the pre-flight check finds errors")
    sp.add_argument("--no-reuse", action="store_true", help="upload again even if an identical file is there")
    sp = add("watch", "follow a job live until it ends (ctrl+c stops watching, not the job)", job_id=True)
    sp.add_argument("--interval", type=float, default=None, metavar="SECONDS", help="poll interval")
    for name, text in (("cancel", "cancel a job"), ("pause", "pause a running job"), ("resume", "resume a paused job")):
        add(name, text, job_id=True)
    sp = add("events", "a job's events, oldest first", job_id=True)
    sp.add_argument("--limit", type=int, default=50, help="the newest N events (0 = all)")
    add("checkpoints", "a job's checkpoints with their metrics", job_id=True)
    add("results", "a job's per-step results file (decoded CSV)", job_id=True)
    sp = add("backends", "list, save or remove backend profiles (backends.toml)")
    sp.add_argument("action", nargs="?", choices=["list", "save", "remove"], default="list")
    sp.add_argument("name", nargs="?")
    sp.add_argument("--save-key", action="store_true", help="store the key in backends.toml (made 0600)")
    sp.add_argument("--default", action="store_true", help="make this profile the default")


def _fail(message: str, code: int = 2) -> int:
    print(f"tunescope jobs: {message}", file=sys.stderr)
    return code


def _fmt(args) -> str:
    return getattr(args, "format", "text")


def _emit(obj) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def _emit_line(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def profile_from(args):
    from tunescope.providers.backends import resolve_backend

    opts = {k: getattr(args, k, None) for k in BACKEND_OPTIONS if k != "backend"}
    return resolve_backend(getattr(args, "backend", None), **opts)


def run(args: argparse.Namespace) -> int:
    from tunescope.providers.backends import connect
    from tunescope.jobs.errors import JobsError

    cmd = getattr(args, "jobs_command", None)
    if not cmd:
        return _fail("choose a subcommand: list, show, create, watch, cancel, pause, resume, events, "
                     "checkpoints, results, backends (see tunescope jobs -h)")
    try:
        if cmd == "backends":
            return _backends(args)
        profile = profile_from(args)
        if cmd == "create":
            prepared = _prepare_create(args, profile)
            if isinstance(prepared, int):
                return prepared
        with connect(profile) as conn:
            return HANDLERS[cmd](args, conn)
    except JobsError as exc:
        return _fail(str(exc))


def _list(args, conn) -> int:
    page = conn.jobs.list(limit=args.limit, after=args.after)
    if _fmt(args) == "json":
        _emit({"jobs": [j.to_dict() for j in page.items], "has_more": page.has_more})
    else:
        from tunescope.commands.jobs.render import job_table

        sys.stdout.write(job_table(page.items))
        if page.has_more:
            sys.stdout.write(f"More: tunescope jobs list --after {page.next_after}\n")
    return 0


def _show(args, conn) -> int:
    job = conn.jobs.get(args.job_id)
    if _fmt(args) == "json":
        _emit(job.to_dict())
    else:
        from tunescope.commands.jobs.render import job_details

        sys.stdout.write(job_details(job))
    return 0


def _control(action: str):
    def handler(args, conn) -> int:
        job = getattr(conn.jobs, action)(args.job_id)
        if _fmt(args) == "json":
            _emit(job.to_dict())
        else:
            print(f"{job.id}: {job.status}")
        return 0

    return handler


def _events(args, conn) -> int:
    events = conn.jobs.events(args.job_id, limit=args.limit or None)
    if _fmt(args) == "json":
        _emit([e.to_dict() for e in events])
    else:
        from tunescope.commands.jobs.render import event_line

        for ev in events:
            print(event_line(ev))
        if not events:
            print("No events yet.")
    return 0


def _checkpoints(args, conn) -> int:
    cps = conn.jobs.checkpoints(args.job_id)
    if _fmt(args) == "json":
        _emit([c.to_dict() for c in cps])
    else:
        from tunescope.commands.jobs.render import checkpoint_table

        sys.stdout.write(checkpoint_table(cps))
    return 0


def _results(args, conn) -> int:
    rows = conn.jobs.results_csv(args.job_id)
    if _fmt(args) == "json":
        _emit(rows)
        return 0
    if rows:
        cols = list(rows[0])
        print(",".join(cols))
        for r in rows:
            print(",".join("" if r[c] is None else str(r[c]) for c in cols))
    return 0


def _watch(args, conn, job_id: str | None = None) -> int:
    from tunescope.commands.jobs.render import WatchPrinter
    from tunescope.jobs.follow import watch

    job_id = job_id or args.job_id
    interval = getattr(args, "interval", None) or (max(0.2, min(2.0, (conn.profile.local_speed or 0.5) * 2))
                                                   if conn.is_local else 5.0)
    json_out = _fmt(args) == "json"
    printer = None if json_out else WatchPrinter()
    stop = threading.Event()
    last = None
    try:
        for update in watch(conn.jobs, job_id, interval=interval, cancel=stop):
            last = update.job
            if json_out:
                for ev in update.events:
                    _emit_line({"event": ev.to_dict()})
            else:
                printer.events(update.events)
    except KeyboardInterrupt:
        stop.set()
        if printer:
            printer.finish()
        note = (" With the local backend it continues whenever a tunescope server uses that data directory."
                if conn.is_local else "")
        print(f"tunescope jobs: stopped watching; {job_id} was not cancelled "
              f"(tunescope jobs cancel {job_id} stops it).{note}", file=sys.stderr)
        return 130
    if printer:
        printer.finish()
    if last is None:
        return 2
    return _finished(args, last)


def _finished(args, job) -> int:
    if _fmt(args) == "json":
        _emit_line({"job": job.to_dict()})
    elif job.status == "succeeded":
        print(f"{job.id} succeeded: {job.fine_tuned_model}")
    elif job.failure is not None:
        where = f" ({job.failure.file} file, {job.failure.where})" if job.failure.where else ""
        print(f"{job.id} failed{where}: {job.failure.message}")
    else:
        print(f"{job.id} {job.status}")
    return 0 if job.status == "succeeded" else 1


from tunescope.commands.jobs.create import _backends, _create, _prepare_create  # noqa: E402

HANDLERS = {"list": _list, "show": _show, "create": _create, "watch": _watch, "cancel": _control("cancel"),
            "pause": _control("pause"), "resume": _control("resume"), "events": _events,
            "checkpoints": _checkpoints, "results": _results}

__all__ = ["register", "run", "profile_from"]
