"""Near-duplicate examples: prompt and reply both alike by MinHash, though not identical.

Map-reduce like the others: `add` appends the example's 128-byte signature (computed by the
per-example checks into `RecordAnalysis.similarity`, cached with them) and 4 bytes of its exact
digest, `merge` appends a chunk's arrays, and `finish` runs LSH over the whole file once
(tunescope.quality.near_groups). Signatures, positions and digests live in one SignatureStore,
on disk past its budget. The signatures are the same whatever the chunking, and the grouping
sorts stably, so the groups are too. Rows that are exact copies of their group's
first are left to duplicate_example.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from tunescope.checks.dataset.limits import PER_LINE_CAP
from tunescope.checks.dataset.rows import Rows
from tunescope.checks.keys import as_int
from tunescope.checks.registry import W, check
from tunescope.quality.near_groups import near_groups
from tunescope.quality.signature_store import SignatureStore
from tunescope.quality.similarity import NUM_PERM, similarity

if TYPE_CHECKING:
    from tunescope.checks.dataset.output import DatasetOutput

MAX_GROUPS = 1000            # groups listed in stats, each with at most GROUP_LINES lines
GROUP_LINES = 50
_TAIL = struct.Struct("<II")

NEAR_DUPLICATE = check(
    "near_duplicate", W, "dataset", "Near-duplicate",
    "The example's prompt and reply are both nearly the same as an earlier example's (MinHash estimate of word-"
    "bigram Jaccard similarity at or above the threshold, 0.8 unless set with --near-duplicates or "
    "near_duplicate_threshold).", tags=("duplicates", "similar"))


class NearDuplicates:
    """Signatures of every example with prompt text; `finish` groups them."""

    checks = (NEAR_DUPLICATE,)

    def __init__(self, rows: Rows):
        self.rows = rows
        # per example with a signature: 2 * NUM_PERM bytes of it, then its position in the rows and the
        # low 32 bits of its exact digest (0: none), as two little-endian uint32
        self.signatures = SignatureStore(tail=_TAIL.size)

    def add(self, summary, i: int) -> None:
        sig = summary.analysis.similarity
        if sig is not None:
            key = summary.analysis.dedupe_key
            self.signatures.add(sig + _TAIL.pack(i, as_int(key) & 0xFFFFFFFF if key is not None else 0))

    def merge(self, other: NearDuplicates, offset: int) -> None:
        if offset and len(other.signatures):
            other = NearDuplicates(other.rows)._shifted(other.signatures, offset)
        self.signatures.extend(other.signatures)

    def _shifted(self, store: SignatureStore, offset: int) -> NearDuplicates:
        """This collector holding `store`'s rows with their positions moved by `offset`."""
        import numpy as np
        m = np.frombuffer(store.all_bytes(), np.uint8).reshape(-1, store.width).copy()
        m[:, 2 * NUM_PERM:2 * NUM_PERM + 4].view("<u4")[:, 0] += np.uint32(offset)
        self.signatures = SignatureStore(m.tobytes(), tail=store.tail)
        return self

    def positions(self, ks: list[int]) -> tuple[list[int], list[int]]:
        """(row positions, exact-digest bits) of the signatures at `ks`."""
        tails = self.signatures.rows(ks)[:, 2 * NUM_PERM:].view("<u4")
        return tails[:, 0].tolist(), tails[:, 1].tolist()

    def groups(self, threshold: float) -> list[list[int]]:
        """Near-duplicate groups as lists of row positions (first row first)."""
        if not threshold or len(self.signatures) < 2:
            return []
        return [self.positions(g)[0] for g in near_groups(self.signatures, threshold)]

    def finish(self, out: DatasetOutput) -> None:
        threshold = out.options.near_duplicate_threshold
        if not threshold or len(self.signatures) < 2:
            return
        lines_of = self.rows.lines
        listed, flagged, number = [], 0, 0
        for members in near_groups(self.signatures, threshold):
            first = members[0]
            rows, exact = self.positions(members)
            near = [(k, row) for k, row, e in zip(members[1:], rows[1:], exact[1:]) if not (e and e == exact[0])]
            if not near:
                continue                    # exact copies only: duplicate_example reports them
            number += 1
            if len(listed) < MAX_GROUPS:
                listed.append([lines_of[r] for r in rows[:GROUP_LINES]])
            for k, row in near:
                flagged += 1
                if flagged <= PER_LINE_CAP:
                    prompt, reply = self._similarity(first, k)
                    out.add(NEAR_DUPLICATE,
                            f"Line {lines_of[row]} is a near-duplicate of line {lines_of[rows[0]]} (group {number}, "
                            f"{len(members)} examples; similarity {prompt:.2f} prompt, {reply:.2f} reply).",
                            "Keep one example per group (`tunescope fix FILE --dedupe-near`), or vary them: "
                            "near-copies over-weight one behaviour.", lines_of[row], row)
        out.stats["near_duplicates"] = {"threshold": threshold, "rows": flagged, "groups": listed}

    def _similarity(self, a: int, b: int) -> tuple[float, float]:
        """(prompt, reply) similarity of the examples at signature positions a and b."""
        sa, sb = (bytes(row[:2 * NUM_PERM]) for row in self.signatures.rows([a, b]))
        return similarity(sa[:NUM_PERM], sb[:NUM_PERM]), similarity(sa[NUM_PERM:], sb[NUM_PERM:])

    def close(self) -> None:
        self.signatures.close()
