"""`tunescope jobs watch` (also the end of `jobs create --watch`): follow a job live until it ends.

ctrl+c stops watching, never the job. Exit code 0 when the job succeeded, 1 when it
failed or was cancelled, 130 when interrupted.
"""

from __future__ import annotations

import sys
import threading

from tunescope.commands.jobs.output import emit_line, fmt
from tunescope.commands.jobs.render import WatchPrinter
from tunescope.jobs.follow import watch


def watch_job(args, conn, job_id: str | None = None) -> int:
    job_id = job_id or args.job_id
    interval = getattr(args, "interval", None) or conn.profile.provider.watch_interval(conn.profile)
    json_out = fmt(args) == "json"
    printer = None if json_out else WatchPrinter()
    stop = threading.Event()
    last = None
    try:
        for update in watch(conn.jobs, job_id, interval=interval, cancel=stop, on_trouble=_trouble_teller()):
            last = update.job
            if json_out:
                for ev in update.events:
                    emit_line({"event": ev.to_dict()})
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


def _trouble_teller():
    """One stderr line when the backend stops answering (then nothing more while it stays away: the wait
    grows to 30 s), and one when it answers again."""
    told: list[str] = []

    def tell(error, delay: float) -> None:
        if error is None:
            if told:
                print("tunescope jobs: the backend answers again; watching.", file=sys.stderr, flush=True)
            told.clear()
        elif error.kind not in told:
            told.append(error.kind)
            print(f"tunescope jobs: {error.message} Trying again in {delay:.2g} s, then less and less often "
                  "(ctrl+c stops watching, not the job).", file=sys.stderr, flush=True)

    return tell


def _finished(args, job) -> int:
    if fmt(args) == "json":
        emit_line({"job": job.to_dict()})
    elif job.status == "succeeded":
        print(f"{job.id} succeeded: {job.fine_tuned_model}")
    elif job.failure is not None:
        where = f" ({job.failure.file} file, {job.failure.where})" if job.failure.where else ""
        print(f"{job.id} failed{where}: {job.failure.message}")
    else:
        print(f"{job.id} {job.status}")
    return 0 if job.status == "succeeded" else 1
