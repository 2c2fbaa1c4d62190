"""Reinforcement grader keys (X02): keys most rows have but some lack, and keys whose type varies.

Per example it keeps a 2-byte key-set id (0: not a reinforcement row); the distinct key sets
(at most MAX_TRACKED_TEXTS) and the JSON types seen per key are kept once.
"""

from __future__ import annotations

from array import array
from collections import Counter
from typing import TYPE_CHECKING

from tunescope.checks.dataset.limits import MAX_TRACKED_TEXTS, PER_LINE_CAP
from tunescope.checks.dataset.rows import Rows
from tunescope.checks.model import RecordKind
from tunescope.checks.registry import W, check

if TYPE_CHECKING:
    from tunescope.checks.dataset.output import DatasetOutput

NOT_RFT, UNTRACKED = 0, 0xFFFF

RFT_GRADER_KEY_MISSING = check(
    "rft_grader_key_missing", W, "dataset", "Grader key missing in some rows",
    "A grader key most rows have is missing from some (X02).", ref="X02")
RFT_GRADER_KEY_TYPE = check(
    "rft_grader_key_type", W, "dataset", "Grader key type varies",
    "A grader key has different JSON types across rows (X02).", ref="X02")


class GraderKeys:
    """Key sets of reinforcement rows and types per key; writes stats["grader_keys"]."""

    checks = (RFT_GRADER_KEY_MISSING, RFT_GRADER_KEY_TYPE)

    def __init__(self, rows: Rows):
        self.rows = rows
        self.keysets: dict[tuple, int] = {}
        self.ids = array("H")               # per example: NOT_RFT, k = key set k, or UNTRACKED
        self.counts: list[int] = [0]        # rows per key set id
        self.types: dict[str, Counter] = {}               # key -> JSON type name -> rows
        self.type_line: dict[tuple[str, str], int] = {}   # (key, type) -> first line

    def add(self, summary, i: int) -> None:
        an = summary.analysis
        if an.kind is not RecordKind.REINFORCEMENT:
            self.ids.append(NOT_RFT)
            return
        keys = tuple(sorted(an.extra_keys))
        kid = self.keysets.get(keys)
        if kid is None:
            if len(self.keysets) >= MAX_TRACKED_TEXTS:
                kid = UNTRACKED
            else:
                kid = len(self.counts)
                self.keysets[keys] = kid
                self.counts.append(0)
        if kid != UNTRACKED:
            self.counts[kid] += 1
            for key, tname in zip(an.extra_keys, (an.facts or {}).get("grader_types") or ()):
                self.types.setdefault(key, Counter())[tname] += 1
                self.type_line.setdefault((key, tname), summary.line)
        self.ids.append(kid)

    def merge(self, other: GraderKeys, offset: int) -> None:
        remap = {NOT_RFT: NOT_RFT, UNTRACKED: UNTRACKED}
        for keys, theirs in other.keysets.items():
            mine = self.keysets.get(keys)
            if mine is None:
                if len(self.keysets) >= MAX_TRACKED_TEXTS:
                    remap[theirs] = UNTRACKED
                    continue
                mine = len(self.counts)
                self.keysets[keys] = mine
                self.counts.append(0)
            self.counts[mine] += other.counts[theirs]
            remap[theirs] = mine
        self.ids.extend(array("H", (remap.get(i, UNTRACKED) for i in other.ids)))
        for key, counter in other.types.items():
            self.types.setdefault(key, Counter()).update(counter)
        for key, line in other.type_line.items():
            self.type_line.setdefault(key, line)

    def finish(self, out: DatasetOutput) -> None:
        out.stats["grader_keys"] = self._finish(out)

    def _finish(self, out: DatasetOutput) -> dict | None:
        rft_rows = sum(self.counts[1:])
        if not rft_rows or not self.keysets:
            return None
        present: Counter = Counter()
        for keys, kid in self.keysets.items():
            for key in keys:
                present[key] += self.counts[kid]
        stats = {key: {"rows": n, "types": dict(self.types.get(key, {}))} for key, n in present.items()}
        usual = {key for key, n in present.items() if n * 2 >= rft_rows and n < rft_rows}
        if usual:
            self._flag_rows(out, usual, present, rft_rows)
        for key, types in self.types.items():
            if len(types) > 1:
                rare_type = types.most_common()[-1][0]
                out.add(RFT_GRADER_KEY_TYPE,
                        f"Grader key {key!r} has different types across rows: "
                        + ", ".join(f"{t} in {n}" for t, n in types.most_common()) + ".",
                        "Use one type per grader key so graders compare like with like.",
                        self.type_line.get((key, rare_type)))
        return stats

    def _flag_rows(self, out: DatasetOutput, usual: set[str], present: Counter, rft_rows: int) -> None:
        lacking_by_id = {kid: sorted(usual - set(keys)) for keys, kid in self.keysets.items()
                         if not usual.issubset(keys)}
        lines = self.rows.lines
        emitted = 0
        for i, kid in enumerate(self.ids):
            if kid in lacking_by_id and emitted < PER_LINE_CAP:
                lacking = lacking_by_id[kid]
                emitted += 1
                out.add(RFT_GRADER_KEY_MISSING,
                        f"Example {i + 1} lacks grader key(s) {', '.join(lacking)} that {present[lacking[0]]} of "
                        f"{rft_rows} rows have; a grader referencing {{{{ item.{lacking[0]} }}}} fails on it.",
                        "Add the key to this row, or drop it from the grader.", lines[i], i)
