"""The floor: what any exact checker must at least do. Parse every line with orjson and encode each
distinct string once with tiktoken (o200k_base, `encode_ordinary`), nothing else, over all cores.

Chunks of lines go to one process per core (as `tunescope check` does); each process encodes the
distinct strings of its chunks once. `tunescope check` cold divided by this is the overhead ratio
benchmarks/bench_check.py reports.

    python benchmarks/floor_check.py FILE [--workers N]
"""

from __future__ import annotations

import argparse
import os
from concurrent.futures import ProcessPoolExecutor

import orjson
import tiktoken

CHUNK = 8 << 20
_SEEN: set = set()
_ENCODE = None


def _strings(value, out: list) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for v in value.values():
            _strings(v, out)
    elif isinstance(value, list):
        for v in value:
            _strings(v, out)


def _chunk(path: str, start: int, end: int) -> int:
    global _ENCODE
    if _ENCODE is None:
        _ENCODE = tiktoken.get_encoding("o200k_base").encode_ordinary
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    tokens = 0
    for line in data.splitlines():
        if not line.strip():
            continue
        texts: list = []
        _strings(orjson.loads(line), texts)
        for t in texts:
            if t not in _SEEN:
                _SEEN.add(t)
                tokens += len(_ENCODE(t))
    return tokens


def _bounds(path: str) -> list[tuple[int, int]]:
    size = os.path.getsize(path)
    out, start = [], 0
    with open(path, "rb") as f:
        while start < size:
            f.seek(min(start + CHUNK, size))
            f.readline()
            end = min(f.tell(), size)
            out.append((start, end))
            start = end
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    bounds = _bounds(args.file)
    with ProcessPoolExecutor(args.workers) as pool:
        total = sum(pool.map(_chunk, [args.file] * len(bounds), *zip(*bounds)))
    print(total)


if __name__ == "__main__":
    main()
