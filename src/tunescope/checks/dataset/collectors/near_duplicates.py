"""Near-duplicate examples: prompt and reply both alike by MinHash, though not identical.

Map-reduce like the others: `add` appends the example's 128-byte signature (computed by the
per-example checks into `RecordAnalysis.similarity`, cached with them) and 4 bytes of its exact
digest, `merge` appends a chunk's arrays, and `finish` runs LSH over the whole file once
(tunescope.quality.near_groups). Signatures live in a SignatureStore, on disk past its budget. The signatures are the same whatever the chunking, and the
grouping sorts stably, so the groups are too. Rows that are exact copies of their group's
first are left to duplicate_example.
"""

from __future__ import annotations

from array import array
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
        self.signatures = SignatureStore()  # 2 * NUM_PERM bytes per example with a signature...
        self.index = array("I")            # ...its position in the rows
        self.exact = array("I")            # ...and the low 32 bits of its exact digest (0: none)

    def add(self, summary, i: int) -> None:
        sig = summary.analysis.similarity
        if sig is not None:
            self.signatures.add(sig)
            self.index.append(i)
            key = summary.analysis.dedupe_key
            self.exact.append(as_int(key) & 0xFFFFFFFF if key is not None else 0)

    def merge(self, other: NearDuplicates, offset: int) -> None:
        self.signatures.extend(other.signatures)
        self.index.extend(array("I", (i + offset for i in other.index)))
        self.exact.extend(other.exact)

    def groups(self, threshold: float) -> list[list[int]]:
        """Near-duplicate groups as lists of row positions (first row first)."""
        if not threshold or len(self.index) < 2:
            return []
        return [[self.index[k] for k in g] for g in near_groups(self.signatures, threshold)]

    def finish(self, out: DatasetOutput) -> None:
        threshold = out.options.near_duplicate_threshold
        if not threshold or len(self.index) < 2:
            return
        lines_of = self.rows.lines
        listed, flagged, number = [], 0, 0
        for members in near_groups(self.signatures, threshold):
            first = members[0]
            near = [k for k in members[1:] if not (self.exact[k] and self.exact[k] == self.exact[first])]
            if not near:
                continue                    # exact copies only: duplicate_example reports them
            number += 1
            rows = [self.index[k] for k in members]
            if len(listed) < MAX_GROUPS:
                listed.append([lines_of[r] for r in rows[:GROUP_LINES]])
            for k in near:
                flagged += 1
                if flagged <= PER_LINE_CAP:
                    prompt, reply = self._similarity(first, k)
                    row = self.index[k]
                    out.add(NEAR_DUPLICATE,
                            f"Line {lines_of[row]} is a near-duplicate of line {lines_of[rows[0]]} (group {number}, "
                            f"{len(members)} examples; similarity {prompt:.2f} prompt, {reply:.2f} reply).",
                            "Keep one example per group (`tunescope fix FILE --dedupe-near`), or vary them: "
                            "near-copies over-weight one behaviour.", lines_of[row], row)
        out.stats["near_duplicates"] = {"threshold": threshold, "rows": flagged, "groups": listed}

    def _similarity(self, a: int, b: int) -> tuple[float, float]:
        """(prompt, reply) similarity of the examples at signature positions a and b."""
        sa, sb = (bytes(row) for row in self.signatures.rows([a, b]))
        return similarity(sa[:NUM_PERM], sb[:NUM_PERM]), similarity(sa[NUM_PERM:], sb[NUM_PERM:])

    def close(self) -> None:
        self.signatures.close()
