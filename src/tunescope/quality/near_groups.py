"""Groups of near-duplicate records from their signatures: LSH banding, verification, union-find.

Signatures (similarity.py) are 128 bytes per record: 64 for the prompt, 64 for the reply.
Banding: the prompt's 64 bytes are read as 16 bands of 4 bytes (one uint32 each); records that
agree on a whole band are candidates. With b-bit values a band agrees by chance with
probability 2**-32, and a pair of Jaccard similarity J shares some band with probability
1 - (1 - J**4)**16: 0.99 at J = 0.7, 0.64 at J = 0.5, so thresholds of 0.6 and up lose
almost nothing. Each candidate is checked against the band run's first member and its
predecessor in sorted order (linear per band, never quadratic in a run), on both prompt and
reply, then joined by union-find. Everything works on numpy arrays sorted with a stable sort,
so the groups depend only on the signatures and their order, never on how the file was chunked.
Signatures come in a SignatureStore (in memory, or on disk past its budget: a band's column and the
verified pairs' rows are all that is read), or as a plain buffer. numpy is imported by the functions that use it: they run once per file in the main process, and
every worker process imports this module (the collectors) without needing numpy's 16 MB.
"""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING

from tunescope.quality.signature_store import SignatureStore
from tunescope.quality.similarity import NUM_PERM

if TYPE_CHECKING:
    import numpy as np

BANDS = 16
BATCH = 65_536            # candidate pairs verified at once (bounds the temporary arrays)
SLICES = 16               # a band is sorted a slice of its key range at a time (rows sharing a key share a slice)
SLICE_MIN = 65_536        # bands of fewer rows are sorted whole
_CHANCE = 1 / 256


Signatures = bytes | bytearray | SignatureStore


def _store(signatures: Signatures) -> SignatureStore:
    return signatures if isinstance(signatures, SignatureStore) else SignatureStore(signatures)


def pair_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity row by row of two uint8 signature matrices (same shape)."""
    import numpy as np

    agree = (a == b).mean(axis=1)
    return np.clip((agree - _CHANCE) / (1 - _CHANCE), 0.0, 1.0)


def _sort(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(order, keys[order]) of uint32 keys, ties in position order: one sort of key << 32 | position
    (unique values, so any sort is stable; several times faster than a stable argsort)."""
    import numpy as np

    packed = np.sort((keys.astype(np.uint64) << np.uint64(32)) | np.arange(len(keys), dtype=np.uint64))
    return (packed & np.uint64(0xFFFFFFFF)).astype(np.int64), (packed >> np.uint64(32)).astype(np.uint32)


def _candidates(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) pairs of rows sharing a key: each row with its run's first row and its predecessor."""
    import numpy as np

    order, sorted_keys = _sort(keys)
    same = sorted_keys[1:] == sorted_keys[:-1]
    if not same.any():
        return np.empty(0, np.int64), np.empty(0, np.int64)
    starts = np.concatenate(([True], ~same))
    run_first = order[np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))]
    later = np.flatnonzero(~starts)
    firsts = np.stack([run_first[later], order[later]], axis=1)
    previous = np.stack([order[later - 1], order[later]], axis=1)
    pairs = np.concatenate([firsts, previous[previous[:, 0] != run_first[later]]])
    return pairs[:, 0], pairs[:, 1]


def _slices(keys: np.ndarray):
    """Row numbers of the band's rows, a slice of the key range at a time, ascending: equal keys always
    share a slice, so candidates found slice by slice are the band's, with a sixteenth of the temporaries."""
    import numpy as np

    if len(keys) < SLICE_MIN:
        yield None
        return
    top = (keys >> np.uint32(28)).astype(np.uint8)
    for part in range(SLICES):
        rows = np.flatnonzero(top == part)
        if len(rows) > 1:
            yield rows


def _band_candidates(keys: np.ndarray):
    """(i, j) candidate pairs of one band (see _candidates), slice by slice."""
    for rows in _slices(keys):
        if rows is None:
            i, j = _candidates(keys)
        else:
            i, j = _candidates(keys[rows])
            i, j = rows[i], rows[j]
        if len(i):
            yield i, j


def _verified(m: SignatureStore, i: np.ndarray, j: np.ndarray, threshold: float) -> np.ndarray:
    """Mask of pairs whose prompts and replies are both at least `threshold` alike (two missing
    replies count as alike, one missing reply does not)."""
    import numpy as np

    keep = np.zeros(len(i), dtype=bool)
    for lo in range(0, len(i), BATCH):
        a, b = m.rows(i[lo:lo + BATCH]), m.rows(j[lo:lo + BATCH])
        prompt = pair_similarity(a[:, :NUM_PERM], b[:, :NUM_PERM])
        reply = pair_similarity(a[:, NUM_PERM:2 * NUM_PERM], b[:, NUM_PERM:2 * NUM_PERM])
        a_none, b_none = ~a[:, NUM_PERM:2 * NUM_PERM].any(axis=1), ~b[:, NUM_PERM:2 * NUM_PERM].any(axis=1)
        reply = np.where(a_none & b_none, 1.0, np.where(a_none | b_none, 0.0, reply))
        keep[lo:lo + BATCH] = (prompt >= threshold) & (reply >= threshold)
    return keep


def near_groups(signatures: Signatures, threshold: float) -> list[list[int]]:
    """Groups (lists of record positions, ascending; groups ordered by their first member) of
    records whose prompts and replies are near-duplicates. Only groups of two or more."""
    import numpy as np

    m = _store(signatures)
    n = len(m)
    if n < 2:
        return []
    parent = array("I", range(n))       # union-find; a root is the smallest position of its group

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for band in range(BANDS):
        for i, j in _band_candidates(m.band(band)):
            keep = _verified(m, i, j, threshold)
            for a, b in zip(i[keep].tolist(), j[keep].tolist()):
                ra, rb = root(a), root(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for x in np.flatnonzero(np.frombuffer(parent, dtype=np.uint32) != np.arange(n, dtype=np.uint32)).tolist():
        r = root(x)
        groups.setdefault(r, [r]).append(x)
    return sorted(groups.values(), key=lambda g: g[0])


def cross_matches(train: Signatures, valid: Signatures, threshold: float) -> list[tuple[int, int, float]]:
    """(validation position, training position, prompt similarity) for each validation record whose
    prompt is at least `threshold` like some training prompt (the first such training record found)."""
    import numpy as np

    t, v = _store(train), _store(valid)
    if not len(t) or not len(v):
        return []
    n_train = len(t)
    best: dict[int, tuple[int, float]] = {}
    for band in range(BANDS):
        keys = np.concatenate((t.band(band), v.band(band)))
        for rows in _slices(keys):
            part = keys if rows is None else keys[rows]
            order, sorted_keys = _sort(part)   # training rows sort before validation rows with the key
            if rows is not None:
                order = rows[order]
            starts = np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1]))
            run_first = order[np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))]
            hit = (order >= n_train) & (run_first < n_train)
            vi, ti = order[hit] - n_train, run_first[hit]
            if not len(vi):
                continue
            sims = pair_similarity(v.rows(vi)[:, :NUM_PERM], t.rows(ti)[:, :NUM_PERM])
            for a, b, s in zip(vi.tolist(), ti.tolist(), sims.tolist()):
                if s >= threshold and a not in best:
                    best[a] = (b, s)
    return sorted((a, b, s) for a, (b, s) in best.items())
