"""Digests and bounded texts stored per example (the dataset checks compare these).

Digests are 8-byte xxh3 hashes of canonical JSON (orjson, sorted keys, no spaces): three per example,
so the hash is the fast non-cryptographic one (about 20x faster than blake2b on a 2 KB row); 64 bits
leave a collision between two of a million examples at about 3e-8.
Long texts kept in the analysis (system prompt, final reply) are bounded: a
text longer than BOUND characters becomes its head plus a digest of the whole
text, so two bounded texts are equal exactly when the full texts are (up to
a 64-bit collision) while memory per example stays small.
"""

from __future__ import annotations

import sys
import orjson
from xxhash import xxh3_64_digest, xxh3_64_hexdigest

SORTED = orjson.OPT_SORT_KEYS
BOUND = 300

# The prompt separators and completion endings the old `prepare_data` tool suggests, in its order.
# Each legacy row records which of them its texts contain as bit masks (`facts`), and the dataset
# check suggests the first one no row contains. checks/example/legacy.py still holds its own copy
# (a test keeps the two equal) until it imports these.
SEPARATORS = (" ->", "\n\n###\n\n", "\n\n===\n\n", "\n\n---\n\n", "\n\n===>\n\n", "\n\n--->\n\n")
ENDINGS = ("\n", ".", " END", "***", "+++", "&&&", "$$$", "@@@", "%%%")


def digest(value: object) -> bytes:
    """8-byte digest of the canonical JSON of a parsed value."""
    return xxh3_64_digest(orjson.dumps(value, option=SORTED))


def digest_bytes(data: bytes) -> bytes:
    return xxh3_64_digest(data)


def bounded(text: str | None, limit: int = BOUND) -> str | None:
    """Text itself when short, else head + ' … [#<digest>]' (interned: repeated prompts share memory)."""
    if text is None:
        return None
    if len(text) > limit:
        tag = xxh3_64_hexdigest(text.encode("utf-8", "surrogatepass"))
        text = f"{text[: limit - 30]} … [#{tag}]"
    return sys.intern(text)


def as_int(key: bytes | None) -> int:
    """A digest as a non-zero unsigned int (0 means 'no key')."""
    if not key:
        return 0
    return int.from_bytes(key, "little") or 1
