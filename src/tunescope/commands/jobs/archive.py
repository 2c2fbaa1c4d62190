"""`tunescope jobs archive DIR`: keep every job's record, events, checkpoints, results and files on disk.

Made for OpenAI's wind-down (no new jobs after 2027-01-06; fine-tunes and their jobs gone on
2027-01-14), and useful before leaving any backend. Exit codes: 0 everything kept; 1 some item
could not be kept (each named, with the reason); 2 usage or connection problems.
"""

from __future__ import annotations

import sys

from tunescope.commands.jobs.output import emit, fail, fmt
from tunescope.jobs.archive import MANIFEST, JobArchiver

HELP = "keep every job's record, events, checkpoints, results and files in a folder (before a backend loses them)"


def register_archive(add) -> None:
    sp = add("archive", HELP)
    sp.add_argument("folder", metavar="DIR", help="where to keep them (created; running again refreshes it)")
    sp.add_argument("--job", action="append", metavar="ID", help="only this job (repeatable); default: every job")


def archive(args, conn) -> int:
    text = fmt(args) != "json"

    def progress(entry, n: int, total: int) -> None:
        if text:
            kept = f"{len(entry.saved)} item(s)"
            trouble = f", {len(entry.problems)} not kept" if entry.problems else ""
            print(f"[{n}/{total}] {entry.id}  {entry.status:<10} {kept}{trouble}", file=sys.stderr, flush=True)

    try:
        result = JobArchiver(conn.jobs, args.folder, conn.profile.describe()).run(args.job, progress)
    except OSError as exc:       # the folder itself cannot be made or written (each item's trouble is in the manifest)
        return fail(f"{args.folder}: {exc.strerror or exc}")
    if not text:
        emit(result.to_dict())
    else:
        mb = result.downloaded_bytes / 1e6
        print(f"Archived {len(result.jobs)} job(s) in {args.folder} ({mb:,.1f} MB downloaded); "
              f"{MANIFEST} lists what is there.")
        for entry in result.jobs:
            if entry.note:
                print(f"  {entry.id}: {entry.note}")
            for problem in entry.problems:
                print(f"  {entry.id}: {problem['what']} not kept: {problem['error']}")
        models = [e.fine_tuned_model for e in result.jobs if e.fine_tuned_model]
        if models:
            print(f"  {len(models)} fine-tuned model id(s) are in the job records; the backend keeps the weights.")
    return 1 if result.problems else 0
