"""What changed between two versions of a dataset: examples, answers, findings, tokens and cost.

People fix a file over days (by hand, with `tunescope fix`, with scripts) and need to know what the
new version changed before training on it: which examples went, which came, which prompts got a new
answer, which problems were fixed and which appeared. Each version is checked the usual way (the
result cache makes an already-checked version cost a lookup). Examples are matched by content (a
digest of their canonical JSON: key order and spacing do not count), and a removed example whose
prompt comes back with another answer is a changed answer, not one removal and one addition. What is
left is paired by its opening text (the preview the list shows): a row whose format or prompt was
rewritten around the same text (a near-miss format renamed, a system prompt changed) is "rewritten".

Memory: 28 bytes per example and version (its line and three digests in numpy arrays) beside the
checker's own bounded memory; matching sorts them instead of building a dict of every example.
Measured: two versions of 100,000 generated examples, 157 MB peak RSS of the main process. Only the
examples listed (LISTED per kind of change) are read again, for their previews.
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from xxhash import xxh3_64_intdigest

from tunescope.checks.findings import Severity
from tunescope.checks.keys import as_int
from tunescope.checks.model import CheckOptions, ExampleSummary
from tunescope.checks.report import CheckReport
from tunescope.checks.run.runner import DatasetChecker
from tunescope.checks.run.worker import check_example, make_counter
from tunescope.dataset.filefacts import ARRAY, PRETTY, detect_document_layout, iter_documents
from tunescope.dataset.index import LineIndex
from tunescope.dataset.records import compact_dumps
from tunescope.tokens.cost import CostEstimate

LISTED = 20     # examples listed per kind of change (the counts are always whole)


@dataclass
class Version:
    """A checked version: its report and, per example in file order, its line and digests."""

    path: str
    report: CheckReport
    lines: np.ndarray           # 1-based line of each example
    keys: np.ndarray            # the whole example (uint64; 0: a line that is not a JSON object)
    prompts: np.ndarray         # the prompt side, everything before the final answer (0: none)
    openings: np.ndarray        # the opening text the list shows (its preview; 0: none)


def load_version(path: str, options: CheckOptions, progress=None) -> Version:
    """Check `path` (through the result cache) and keep what the diff needs of each example."""
    lines, keys, prompts, openings = array("I"), array("Q"), array("Q"), array("Q")

    def take(batch: list[ExampleSummary]) -> None:
        for s in batch:
            an = s.analysis
            lines.append(s.line)
            keys.append(as_int(an.dedupe_key))          # 8-byte digests: they fit "Q"
            prompts.append(as_int(an.input_key))
            openings.append(xxh3_64_intdigest(an.preview.encode("utf-8", "surrogatepass")) if an.preview else 0)

    with LineIndex(path) as index:
        index.build()
        report = DatasetChecker(index, options).run(on_batch=take, progress=progress)
    order = np.argsort(np.frombuffer(lines, dtype=np.uint32), kind="stable")
    return Version(path, report, *(np.frombuffer(a, dtype=dt)[order] for a, dt in
                                   ((lines, np.uint32), (keys, np.uint64), (prompts, np.uint64),
                                    (openings, np.uint64))))


@dataclass
class VersionDiff:
    """The difference from `old` to `new`: whole counts, and the first LISTED of each kind of change."""

    old: Version
    new: Version
    unchanged: int = 0
    changed_count: int = 0
    rewritten_count: int = 0
    removed_count: int = 0
    added_count: int = 0
    changed: list[tuple[int, int]] = field(default_factory=list)     # (old line, new line)
    rewritten: list[tuple[int, int]] = field(default_factory=list)   # (old line, new line)
    removed: list[int] = field(default_factory=list)                 # old lines
    added: list[int] = field(default_factory=list)                   # new lines
    previews: dict[tuple[str, int], str] = field(default_factory=dict)   # ("old"|"new", line) -> one-line preview

    @property
    def regressions(self) -> dict[str, tuple[int, int]]:
        """Checks with more errors in the new version: check -> (old errors, new errors)."""
        before, after = _errors_by_check(self.old.report), _errors_by_check(self.new.report)
        return {c: (before.get(c, 0), n) for c, n in after.items() if n > before.get(c, 0)}

    def checks(self) -> list[tuple[str, int, int]]:
        """(check, old count, new count) for every check whose count changed, biggest change first."""
        before, after = self.old.report.counts_by_check, self.new.report.counts_by_check
        moved = [(c, before.get(c, 0), after.get(c, 0)) for c in set(before) | set(after)
                 if before.get(c, 0) != after.get(c, 0)]
        return sorted(moved, key=lambda t: (-abs(t[2] - t[1]), t[0]))

    def to_dict(self) -> dict:
        def row(side: str, line: int) -> dict:
            return {"line": line, "preview": self.previews.get((side, line), "")}

        return {"old": _side(self.old), "new": _side(self.new),
                "examples": {"unchanged": self.unchanged, "changed_answers": self.changed_count,
                             "rewritten": self.rewritten_count, "removed": self.removed_count,
                             "added": self.added_count},
                "checks": [{"check": c, "old": a, "new": b} for c, a, b in self.checks()],
                "regressions": {c: {"old": a, "new": b} for c, (a, b) in self.regressions.items()},
                "changed_answers": [{"old": row("old", a), "new": row("new", b)} for a, b in self.changed],
                "rewritten": [{"old": row("old", a), "new": row("new", b)} for a, b in self.rewritten],
                "removed": [row("old", n) for n in self.removed],
                "added": [row("new", n) for n in self.added]}


def diff_versions(old: Version, new: Version, options: CheckOptions | None = None) -> VersionDiff:
    """Match examples by content, then pair what is left by prompt (changed answers), then by opening text
    (rewritten); the rest went or came. Duplicates count: an example twice in the old version and once in
    the new one is one removal.
    With `options`, the listed examples are read again for their previews."""
    result = VersionDiff(old, new)
    went = ~_matched(old.keys, new.keys)                  # old examples not in the new version
    came = ~_matched(new.keys, old.keys)
    _nearest_copies(old.keys, new.keys, went, came)
    result.unchanged = int(len(new.keys) - came.sum())
    went_idx, came_idx = np.flatnonzero(went), np.flatnonzero(came)
    # what is left pairs by prompt (a changed answer), then by opening text (rewritten around the same text)
    for field_name, pairs, count in (("prompts", result.changed, "changed_count"),
                                     ("openings", result.rewritten, "rewritten_count")):
        ours, theirs = getattr(old, field_name), getattr(new, field_name)
        paired_came = _matched(theirs[came_idx], ours[went_idx])
        paired_went = _matched(ours[went_idx], theirs[came_idx])
        setattr(result, count, int(paired_came.sum()))
        # the k-th new example with a value pairs with the k-th old one that went with the same value
        waiting: dict[int, list[int]] = {}
        for i in went_idx[paired_went]:
            waiting.setdefault(int(ours[i]), []).append(int(old.lines[i]))
        for i in came_idx[paired_came][:LISTED]:
            pairs.append((waiting[int(theirs[i])].pop(0), int(new.lines[i])))
        went_idx, came_idx = went_idx[~paired_went], came_idx[~paired_came]
    result.added_count, result.removed_count = len(came_idx), len(went_idx)
    result.added = [int(new.lines[i]) for i in came_idx[:LISTED]]
    result.removed = [int(old.lines[i]) for i in went_idx[:LISTED]]
    if options is not None:
        result.previews = _previews(result, options)
    return result


def _matched(mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """Per element of `mine`: True for the first c occurrences of its value, c being how often `theirs`
    has it (0 never matches). Sort-based, so memory stays a few arrays of the input's length."""
    if not len(mine):
        return np.zeros(0, dtype=bool)
    order = np.argsort(mine, kind="stable")
    ordered = mine[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    rank = np.arange(len(ordered)) - np.repeat(starts, np.diff(np.r_[starts, len(ordered)]))
    values, counts = np.unique(theirs, return_counts=True)
    if not len(values):
        return np.zeros(len(mine), dtype=bool)
    at = np.minimum(np.searchsorted(values, ordered), len(values) - 1)
    available = np.where(values[at] == ordered, counts[at], 0)
    hit = (rank < available) & (ordered != 0)
    out = np.empty(len(mine), dtype=bool)
    out[order] = hit
    return out


def _nearest_copies(old_keys: np.ndarray, new_keys: np.ndarray, went: np.ndarray, came: np.ndarray) -> None:
    """Where an example has copies and their number changed, the copies that stay are those nearest in
    place, not the first ones: a file with an example on lines 2 and 17 whose new version edits line 2
    keeps line 17 and changes line 2 (counting alone kept line 2 and read "17 -> 2"). Order-preserving,
    least total displacement (dynamic programming over the key's copies), MAX_ALIGNED cells in all (a
    file of very many copies keeps the first ones past that). Updates `went` and `came` in place."""
    keys = np.unique(np.concatenate([old_keys[went], new_keys[came]]))   # few: the rows that moved
    keys = keys[keys != 0]
    if not len(keys):
        return
    # each key's copies from one sort per side (a scan per key would be quadratic on a file of many copies)
    old_order, new_order = np.argsort(old_keys, kind="stable"), np.argsort(new_keys, kind="stable")
    old_sorted, new_sorted = old_keys[old_order], new_keys[new_order]
    old_lo, old_hi = np.searchsorted(old_sorted, keys, "left"), np.searchsorted(old_sorted, keys, "right")
    new_lo, new_hi = np.searchsorted(new_sorted, keys, "left"), np.searchsorted(new_sorted, keys, "right")
    olds_n, news_n = old_hi - old_lo, new_hi - new_lo
    both = np.flatnonzero((olds_n > 0) & (news_n > 0) & (olds_n != news_n))   # some copies stayed, some not
    budget = MAX_ALIGNED            # cells of dynamic programming in all; past it, the first copies stay
    for k in both:
        olds, news = old_order[old_lo[k]:old_hi[k]], new_order[new_lo[k]:new_hi[k]]
        budget -= len(olds) * len(news)
        if budget < 0:
            return
        _align(olds, news, went, came)


MAX_ALIGNED = 2_000_000      # about two seconds of the loop below, at worst


def _align(olds: np.ndarray, news: np.ndarray, went: np.ndarray, came: np.ndarray) -> None:
    few, many, few_mask, many_mask = (olds, news, went, came) if len(olds) <= len(news) else (news, olds, came, went)
    m, n = len(few), len(many)
    if m == 1:                      # the usual case, one copy left on one side: the nearest one stays
        few_mask[few] = False
        many_mask[many] = True
        many_mask[many[np.argmin(np.abs(many.astype(np.int64) - int(few[0])))]] = False
        return
    # cost[i][j]: the least displacement pairing the first i of `few` with i of the first j of `many`
    cost = np.full((m + 1, n + 1), np.inf)
    cost[0, :] = 0
    for i in range(1, m + 1):
        for j in range(i, n + 1):
            cost[i, j] = min(cost[i, j - 1], cost[i - 1, j - 1] + abs(int(few[i - 1]) - int(many[j - 1])))
    kept, i, j = [], m, n
    while i > 0:
        if cost[i, j] == cost[i, j - 1] and j > i:
            j -= 1
        else:
            kept.append(many[j - 1])
            i, j = i - 1, j - 1
    few_mask[few] = False
    many_mask[many] = True
    many_mask[np.array(kept, dtype=np.int64)] = False


def _previews(result: VersionDiff, options: CheckOptions) -> dict[tuple[str, int], str]:
    pairs = result.changed + result.rewritten
    wanted = {"old": {a for a, _ in pairs} | set(result.removed), "new": {b for _, b in pairs} | set(result.added)}
    counter = make_counter(options.encoding, True)
    out = {}
    for side, version in (("old", result.old), ("new", result.new)):
        if not wanted[side]:
            continue
        with LineIndex(version.path) as index:
            index.build()
            for line, data in _lines(index, wanted[side]):
                out[(side, line)] = check_example(data, line, line - 1, options, counter).analysis.preview
    return out


def _lines(index: LineIndex, wanted: set[int]):
    """(line, bytes of its example) for the wanted 1-based lines: the line itself in JSONL; in a pretty-printed
    file or a JSON array, the object that starts there (as the checker numbers them)."""
    layout, _ = detect_document_layout(index)
    if layout in (PRETTY, ARRAY):
        try:
            for line, obj in iter_documents(index):
                if line in wanted:
                    yield line, compact_dumps(obj)
        except ValueError:          # not such a document after all: the listed rows go without a preview
            pass
        return
    for line in sorted(wanted):
        yield line, index.line(line - 1)


def _side(v: Version) -> dict:
    r = v.report
    cost = r.cost if isinstance(r.cost, CostEstimate) else None
    return {"file": r.file, "examples": r.examples, "summary": r.summary,
            "tokens": r.tokens.total if r.tokens else None, "trained_tokens": r.tokens.trained if r.tokens else None,
            "usd": cost.usd_reported if cost else None}


def _errors_by_check(report: CheckReport) -> Counter:
    out: Counter = Counter(f.check for f in report.findings if f.severity is Severity.ERROR)
    for (check, severity), n in report.omitted.items():
        if severity == Severity.ERROR:
            out[check] += n
    return out
