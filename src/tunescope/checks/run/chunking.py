"""Content-defined chunks of a run of lines: where they end, and their cache keys.

A chunk ends after a line whose own hash meets a condition (and at least MIN_LINES after the chunk's
start, at most MAX_LINES), so the boundaries depend on the lines' contents, not their positions: an
edited line changes the key of the one chunk that holds it (and at most its neighbour's boundary), an
inserted or deleted line likewise, and every other chunk keeps its key wherever it now sits. Chunks
average ~16 lines: with 1% of lines edited at random, ~85% of chunks are untouched.

xxh3 (the `xxhash` package) hashes each line and each chunk at ~10 GB/s: a re-check reads and hashes
the whole file, and at 200 MB a cryptographic hash would cost more than the rest of the lookup. A key
is 128 bits, seeded with the cache salt (code version, encoding, options).
"""

from __future__ import annotations

import hashlib

import xxhash

MIN_LINES = 8           # a chunk has at least this many lines (but at the end of a run)...
SPREAD = 8              # ...then ends after a line whose hash is 0 modulo SPREAD (mean ~15 lines)...
MAX_LINES = 64          # ...or at this many lines (files of identical lines)


def seed_of(salt: bytes) -> int:
    """The 64-bit xxh3 seed for a cache salt."""
    return int.from_bytes(hashlib.blake2b(salt, digest_size=8).digest(), "little")


def line_starts(data: bytes) -> list[int]:
    """Offsets of each line in `data` plus len(data) at the end (line j is data[starts[j]:starts[j+1]],
    its terminator included). `data` holds whole lines; its last may lack a newline."""
    starts = [0]
    find = data.find
    end = len(data)
    pos = find(b"\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = find(b"\n", pos + 1)
    if starts[-1] != end:
        starts.append(end)
    return starts


def chunk_bounds(view: memoryview, starts: list[int]) -> list[tuple[int, int]]:
    """[(first line, end line)) of each chunk over the lines `starts` describes."""
    n = len(starts) - 1
    bounds = []
    hash64 = xxhash.xxh3_64_intdigest
    begin = 0
    for j in range(n):
        size = j + 1 - begin
        if size >= MAX_LINES or (size >= MIN_LINES and hash64(view[starts[j]:starts[j + 1]]) % SPREAD == 0):
            bounds.append((begin, j + 1))
            begin = j + 1
    if begin < n:
        bounds.append((begin, n))
    return bounds


def chunk_key(seed: int, view: memoryview, start: int, end: int) -> bytes:
    return xxhash.xxh3_128_digest(view[start:end], seed)
