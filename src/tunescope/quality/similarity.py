"""Near-duplicate text by MinHash: the normalised prompt and reply of a record, and a compact
signature of each.

A signature is 64 MinHash values (rensa's RMinHash, a Rust implementation, about 40x faster than
datasketch per text) over the word bigrams of the lower-cased text, each value cut to its low
8 bits ("b-bit MinHash", Li and König 2010): 64 bytes per text instead of 256, so a million
examples keep 128 MB of signatures at most. Two signatures agree in a position with probability
J + (1 - J) / 256 for Jaccard similarity J, which `similarity` undoes. Banding for LSH reads the
same bytes (near_groups.py). Texts are cut at MAX_WORDS words so a huge string costs a bounded
amount.

Where the optional C module (_native.c) is built, the bigrams are hashed there, on the string's own
buffer, and rensa min-hashes those 64-bit hashes (`digest_matrix_from_flat_token_hashes`): the same
words and bigrams, without a Python string per word (about 5x faster). Its hash of a bigram differs
from rensa's hash of the bigram string, so the two builds give different (equally good) signatures;
signatures are only ever compared within one run, and ENGINE salts the result cache.
"""

from __future__ import annotations

from array import array

from rensa import RMinHash

from tunescope.dataset.formats import RecordKind
from tunescope.dataset.records import messages_of, part_text
from tunescope.quality.native import native as _native

NUM_PERM = 64
SEED = 20261206
MAX_WORDS = 2000
SIGNATURE_BYTES = NUM_PERM
EMPTY = bytes(SIGNATURE_BYTES)      # the reply of a record that has none
_CHANCE = 1 / 256                   # two unequal 32-bit minima agree in their low 8 bits by chance
ENGINE = "native" if _native is not None else "python"   # which signatures a run computes (cache salt)


# ASCII punctuation becomes a space (str.translate's ASCII fast path): "Paris." and "Paris!" are one word
_PUNCTUATION = str.maketrans({c: " " for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"})


def normalise(text: str) -> list[str]:
    """Lower-cased words (split at whitespace and ASCII punctuation), at most MAX_WORDS of them."""
    words = text.lower().translate(_PUNCTUATION).split()
    return words[:MAX_WORDS] if len(words) > MAX_WORDS else words


def signature(text: str | None) -> bytes:
    """64-byte b-bit MinHash of the word bigrams of `text` (of its words when it has one word);
    EMPTY when it has no words."""
    if not text:
        return EMPTY
    if _native is not None:
        return _native_signatures(text)[0]
    words = normalise(text)
    if not words:
        return EMPTY
    shingles = map(" ".join, zip(words, words[1:])) if len(words) > 1 else words   # rensa takes any iterable
    m = RMinHash(num_perm=NUM_PERM, seed=SEED)
    m.update(shingles)
    return array("I", m.digest()).tobytes()[::4]     # one byte of each 32-bit minimum


def _native_signatures(*texts: str | None) -> list[bytes]:
    """Signatures of several texts with one rensa call (the C module hashes the bigrams)."""
    parts = [_native.shingle_hashes(t, MAX_WORDS) if t else b"" for t in texts]
    offsets = [0]
    for part in parts:
        offsets.append(offsets[-1] + len(part) // 8)
    if not offsets[-1]:
        return [EMPTY] * len(texts)
    rows = RMinHash.digest_matrix_from_flat_token_hashes(
        memoryview(b"".join(parts)).cast("Q"), offsets, NUM_PERM, SEED).to_rows()
    return [array("I", row).tobytes()[::4] if part else EMPTY for row, part in zip(rows, parts)]


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures (1.0 for equal ones)."""
    if a == b:
        return 1.0
    agree = sum(x == y for x, y in zip(a, b)) / SIGNATURE_BYTES
    return max(0.0, (agree - _CHANCE) / (1 - _CHANCE))


def prompt_and_reply(obj: dict, kind: RecordKind) -> tuple[str, str | None]:
    """The text a near-duplicate compares: the user's side (system and developer messages left out:
    a shared system prompt would make every row alike) and the trained reply (None for RFT rows)."""
    if kind is RecordKind.PROMPT_COMPLETION:
        prompt, completion = obj.get("prompt"), obj.get("completion")
        return (prompt if isinstance(prompt, str) else ""), (completion if isinstance(completion, str) else None)
    messages = messages_of(obj) or []
    reply = None
    if kind is RecordKind.PREFERENCE:
        preferred = obj.get("preferred_output")
        if isinstance(preferred, list) and preferred and isinstance(preferred[-1], dict):
            reply = part_text(preferred[-1].get("content"))
        prompt_messages = messages
    elif kind is RecordKind.CHAT:
        last = len(messages) - 1
        while last >= 0 and not (isinstance(messages[last], dict) and messages[last].get("role") == "assistant"):
            last -= 1
        if last >= 0:
            reply = part_text(messages[last].get("content")) or _calls_text(messages[last])
        prompt_messages = messages[:last] if last >= 0 else messages
    else:
        prompt_messages = messages
    texts = [t for m in prompt_messages if isinstance(m, dict) and m.get("role") not in ("system", "developer")
             for t in (part_text(m.get("content")),) if t]
    return "\n".join(texts), reply


def _calls_text(message: dict) -> str | None:
    calls = message.get("tool_calls")
    if not isinstance(calls, list):
        return None
    out = []
    for c in calls:
        fn = c.get("function") if isinstance(c, dict) else None
        if isinstance(fn, dict):
            out.append(f"{fn.get('name')} {fn.get('arguments')}")
    return "\n".join(out) or None


_COMPARED = (RecordKind.CHAT, RecordKind.REINFORCEMENT, RecordKind.PREFERENCE, RecordKind.PROMPT_COMPLETION)


def record_signature(obj: dict, kind: RecordKind) -> bytes | None:
    """Prompt signature + reply signature (128 bytes), None for a record with no prompt text or not
    in a training format (a near miss is compared once converted)."""
    if kind not in _COMPARED:
        return None
    prompt, reply = prompt_and_reply(obj, kind)
    if _native is not None:
        head, tail = _native_signatures(prompt, reply)
        return None if head == EMPTY else head + tail
    head = signature(prompt)
    if head == EMPTY:
        return None
    return head + signature(reply)
