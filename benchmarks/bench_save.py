"""Benchmark: save a ~1 GB JSONL file with a handful of edits vs a plain file copy.

    python benchmarks/bench_save.py [--path /tmp/tunescope_bench.jsonl] [--size-mb 1024] [--keep]

Generates the file (outside the repo) in a child process so its buffers do
not count toward this process's peak RSS, then in the same run: copies it
with shutil.copyfile (the baseline), indexes it, makes a few edits, saves
them to a new file in the same folder (write + fsync + rename) and in place
(which also re-indexes). Reports MB/s and the ratio to the copy, and memory.
The generated file and the outputs are deleted unless --keep.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

PAD = "The quick brown fox jumps over the lazy dog. " * 6


def generate(path: str, size_mb: int) -> None:
    target = size_mb * 1024 * 1024
    with open(path, "wb") as fh:
        written, i, buf = 0, 0, []
        while written < target:
            line = ('{"messages":[{"role":"system","content":"You are terse."},'
                    f'{{"role":"user","content":"Question {i}: {PAD}"}},'
                    f'{{"role":"assistant","content":"Answer {i}."}}]}}\n').encode()
            buf.append(line)
            written += len(line)
            i += 1
            if len(buf) >= 100_000:
                fh.write(b"".join(buf))
                buf.clear()
        fh.write(b"".join(buf))


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--path", default="/tmp/tunescope_bench.jsonl")
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--keep", action="store_true", help="keep the generated file and outputs")
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds of copy vs save")
    ap.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.generate_only:
        generate(args.path, args.size_mb)
        return 0
    if not (os.path.exists(args.path) and abs(os.path.getsize(args.path) - args.size_mb * 2**20) < 2**20):
        print(f"generating {args.size_mb} MB at {args.path} ...", flush=True)
        subprocess.run([sys.executable, __file__, "--generate-only", "--path", args.path,
                        "--size-mb", str(args.size_mb)], check=True)

    from tunescope.editing.session import EditSession
    from tunescope.dataset.index import LineIndex
    from tunescope.editing.save import write_segments

    size = os.path.getsize(args.path)
    mb = size / 2**20
    base = os.path.splitext(args.path)[0]
    copy_path, out_path = base + ".copy.jsonl", base + ".saved.jsonl"
    rss0 = rss_mb()

    def copy_fsync():
        shutil.copyfile(args.path, copy_path)
        fd = os.open(copy_path, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)

    t_index, index = timed(lambda: LineIndex(args.path).build())
    rss_index = rss_mb()
    session = EditSession(index)
    n = len(session)
    for k in range(5):
        session.replace(k * n // 5, b'{"messages":[{"role":"user","content":"edited %d"},'
                                    b'{"role":"assistant","content":"ok"}]}' % k)
    session.delete(n // 3)
    session.delete(2 * n // 3)
    session.insert_after(n // 2, b'{"messages":[{"role":"user","content":"new"},{"role":"assistant","content":"ok"}]}')

    def copy_fsync():
        shutil.copyfile(args.path, copy_path)
        fd = os.open(copy_path, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)

    # alternate the contenders; before each, remove its output and os.sync() (untimed) so
    # no one pays for freeing an old 1 GB file or for another's dirty pages
    def stream_only():  # save's streaming write alone: no temp/fsync/rename
        fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            write_segments(fd, session.segments, session.eol, session.final_newline, session.has_bom)
        finally:
            os.close(fd)

    runs: dict[str, list[float]] = {"copy": [], "copy+fsync": [], "stream": [], "save": []}
    for _ in range(args.rounds):
        for name, fn in (("copy", lambda: shutil.copyfile(args.path, copy_path)), ("copy+fsync", copy_fsync),
                         ("stream", stream_only), ("save", lambda: session.save(out_path, switch=False))):
            for p in (copy_path, out_path):
                if os.path.exists(p):
                    os.unlink(p)
            os.sync()
            runs[name].append(timed(fn)[0])
    saved_as = os.path.getsize(out_path)
    if os.path.exists(copy_path):
        os.unlink(copy_path)
    os.sync()
    t_inplace, res = timed(lambda: session.save())
    assert len(session) == n - 1 and not session.dirty
    assert saved_as == os.path.getsize(args.path)  # save-as and in-place agree
    med = {k: statistics.median(v) for k, v in runs.items()}

    def line(label, secs, ref=None):
        extra = f"  = {secs and ref / secs:.0%} of copy speed" if ref else ""
        print(f"  {label:<46} {secs:6.2f} s {mb / secs:7.0f} MB/s{extra}")

    print(f"file: {args.path}  {mb:,.0f} MB, {n:,} lines; 8 edits -> {len(session.segments)} segment(s) after "
          f"re-index; median of {args.rounds} alternating rounds")
    line("shutil.copyfile (no fsync)", med["copy"])
    line("shutil.copyfile + fsync", med["copy+fsync"])
    line("save's streaming write alone (no fsync)", med["stream"], med["copy"])
    line("save as, 8 edits (write+fsync+rename)", med["save"], med["copy"])
    line("  same, vs copy + fsync", med["save"], med["copy+fsync"])
    line("save in place: total", t_inplace)
    line("  of which writing (fingerprint, write, fsync)", t_inplace - res.reindex_seconds, med["copy"])
    line("  of which re-indexing the new file", res.reindex_seconds)
    line("index build (LineIndex, for reference)", t_index)
    print("  all rounds (s): " + "; ".join(f"{k} " + ", ".join(f"{x:.2f}" for x in v) for k, v in runs.items()))
    print(f"  memory: RSS {rss0:.0f} MB at start, {rss_index:.0f} MB after index "
          f"(starts array {len(index.starts) * 8 / 2**20:.0f} MB), peak {peak_mb():.0f} MB, file {mb:,.0f} MB")
    session.close()
    if not args.keep:
        for p in (args.path, copy_path, out_path):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
