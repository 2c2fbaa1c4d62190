"""Huge strings: one tiktoken call over the whole string (the baseline) against tunescope's piece by
piece count (tokens/long_text.py), for strings of each hard kind, each measured in its own process
so its peak memory is its own.

Kinds: base64, a run of digits, minified JSON (no spaces), CJK without spaces or punctuation,
runs of one character ("a", "!", space), and ordinary prose for reference. For each: wall time,
peak RSS of the process during the count minus its RSS once the string is built (Linux resets the
peak there), and whether both counts agree.
A whole-string run that fails (tiktoken's regex overflows its stack on a long run of spaces) or
passes --timeout is reported as such.

    python benchmarks/bench_long_text.py [--mb 30] [--encoding o200k_base] [--kinds base64,digits]
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import resource
import subprocess
import sys
import time

KINDS = ("base64", "digits", "json", "cjk", "a_run", "bang_run", "space_run", "prose")


def make_text(kind: str, size: int) -> str:
    """About `size` bytes of UTF-8 of the given kind (deterministic)."""
    rng = random.Random(12)
    if kind == "base64":
        return base64.b64encode(rng.randbytes(size * 3 // 4)).decode("ascii")
    if kind == "digits":
        return "".join(rng.choices("0123456789", k=1 << 16)) * (size >> 16)
    if kind == "json":
        record = {"id": 123456, "name": "Ada Lovelace", "tags": ["math", "engine", "日本"], "score": 0.875,
                  "nested": {"ok": True, "path": "/usr/local/bin", "note": "x'y\"z"}}
        one = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        return "[" + ",".join([one] * (size // (len(one.encode()) + 1))) + "]"
    if kind == "cjk":
        pool = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)] + [chr(c) for c in range(0x3041, 0x3097)]
        return "".join(rng.choices(pool, k=1 << 16)) * (size // 3 >> 16)
    if kind == "a_run":
        return "a" * size
    if kind == "bang_run":
        return "!" * size
    if kind == "space_run":
        return "x" + " " * size + "y"
    if kind == "prose":
        return ("Some words, a number 123 and more words here.\n" * 50 + "x" * 40 + " ") * (size // 2390)
    raise SystemExit(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")


def worker(kind: str, mode: str, size: int, encoding_name: str) -> None:
    """Build the string, count it one way, print one JSON line."""
    from tunescope.tokens.encodings import get_encoding
    from tunescope.tokens.long_text import count_long

    encoding = get_encoding(encoding_name)
    encoding.encode_ordinary("warm up")
    text = make_text(kind, size)
    before = _rss_now_and_reset_peak()
    start = time.perf_counter()
    tokens = len(encoding.encode_ordinary(text)) if mode == "whole" else count_long(encoding, text)
    seconds = time.perf_counter() - start
    extra = (_peak_rss() - before) / 1024
    print(json.dumps({"tokens": tokens, "seconds": seconds, "extra_mb": extra, "chars": len(text),
                      "mb": len(text.encode()) / 1e6}))


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _rss_now_and_reset_peak() -> int:
    """RSS now (kB); the peak is reset to it (Linux: clear_refs 5) so building the string does not
    hide the count's own peak. Elsewhere: the peak so far."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return _status_kb("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_rss() -> int:
    return _status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(kind: str, mode: str, size: int, encoding_name: str, timeout: float) -> dict:
    command = [sys.executable, __file__, "--worker", kind, mode, "--size", str(size), "--encoding", encoding_name]
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f} s"}
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": f"failed: {last[:60]}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=30, help="size of each string in MB of UTF-8 (default 30)")
    parser.add_argument("--encoding", default="o200k_base", choices=("o200k_base", "cl100k_base"))
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated, from {', '.join(KINDS)}")
    parser.add_argument("--timeout", type=float, default=300, help="seconds allowed to each run (default 300)")
    parser.add_argument("--no-whole", action="store_true", help="skip the whole-string baseline")
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "MODE"), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], args.size, args.encoding)
        return
    size = int(args.mb * 1e6)
    print(f"{args.encoding}, {args.mb:g} MB strings; time and peak RSS above the RSS once the string is built, each in its own process")
    print(f"{'kind':<10} {'MB':>5} {'whole s':>9} {'whole MB':>9} {'pieces s':>9} {'pieces MB':>10} {'tokens':>11}  same")
    for kind in args.kinds.split(","):
        whole = ({"error": "skipped"} if args.no_whole
                 else measure(kind, "whole", size, args.encoding, args.timeout))
        pieces = measure(kind, "pieces", size, args.encoding, args.timeout)

        def cells(run: dict) -> str:
            if "error" in run:
                return f"{run['error']:>20}"
            return f"{run['seconds']:>9.1f} {run['extra_mb']:>9.0f}"

        same = ("yes" if pieces.get("tokens") == whole.get("tokens") else "NO") if "tokens" in whole else "-"
        mb = pieces.get("mb", whole.get("mb", 0))
        print(f"{kind:<10} {mb:>5.1f} {cells(whole)} {cells(pieces):>20} {pieces.get('tokens', 0):>11,}  {same}",
              flush=True)


if __name__ == "__main__":
    main()
