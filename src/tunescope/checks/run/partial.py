"""The reduced result of a few lines (a "partial"), stored in the result cache per content-defined chunk.

Re-checking a file after editing 1% of its lines used to unpack and re-aggregate every line's cached
summary (~25 us a line). A chunk of ~16 unchanged lines is now one cache entry holding what those lines
add up to: the dataset aggregator's state (the row table and every collector), the token totals, the
row kinds and the per-example findings. A hit costs one decode and one merge, not 16 unpacks and adds.

The entry is position independent: it records the example index its first row had when it was built,
and `load` moves it to where the same bytes are now (an insertion above shifts them), rewriting every
line number the state holds: the row table, the few collectors that keep a line (LINE_FIELDS) and the
findings (their `line`/`example` and the "line N"/"Example N" their messages quote).
tests/unit/checks/test_chunk_cache.py checks that every collector's state relocates exactly.

The state is written generically, attribute by attribute (marshal of builtins, arrays as bytes; anything
else pickled), so a collector added or changed elsewhere needs nothing here unless it stores a line
number: then it needs an entry in LINE_FIELDS (the relocation test fails until it has one).
"""

from __future__ import annotations

import marshal
import pickle
from array import array
from collections import Counter

from tunescope.checks.dataset.aggregator import DatasetAggregator
from tunescope.checks.dataset.collectors import COLLECTORS
from tunescope.checks.dataset.collectors.grader_keys import GraderKeys
from tunescope.checks.dataset.collectors.legacy import Legacy
from tunescope.checks.dataset.collectors.system_prompts import SystemPrompts
from tunescope.checks.dataset.rows import Rows
from tunescope.checks.example.analyze import relocate_findings
from tunescope.checks.model import CheckOptions
from tunescope.checks.report import TokenStats
from tunescope.checks.run import codec

PARTIAL_VERSION = 1

_PLAIN_ATOMS = (int, str, bytes, float, bool, type(None))
_PLAIN, _ARRAY, _BYTEARRAY, _COUNTER, _ROWS, _PICKLED = range(6)


def _is_plain(value) -> bool:
    """True when marshal round-trips `value` to an equal value of the same types."""
    t = type(value)
    if t in _PLAIN_ATOMS:
        return True
    if t in (tuple, list, set, frozenset):
        return all(_is_plain(v) for v in value)
    if t is dict:
        return all(_is_plain(k) and _is_plain(v) for k, v in value.items())
    return False


def _encode(value, rows) -> tuple:
    t = type(value)
    if value is rows:
        return (_ROWS,)
    if t is array:
        return _ARRAY, value.typecode, value.tobytes()
    if t is bytearray:
        return _BYTEARRAY, bytes(value)
    if t is Counter and _is_plain(dict(value)):
        return _COUNTER, dict(value)
    if _is_plain(value):
        return _PLAIN, value
    return _PICKLED, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _decode(packed: tuple, rows):
    code = packed[0]
    if code == _PLAIN:
        return packed[1]
    if code == _ARRAY:
        a = array(packed[1])
        a.frombytes(packed[2])
        return a
    if code == _ROWS:
        return rows
    if code == _BYTEARRAY:
        return bytearray(packed[1])
    if code == _COUNTER:
        return _counter(packed[1])
    return pickle.loads(packed[1])


def _counter(counts: dict) -> Counter:
    c = Counter()
    dict.update(c, counts)      # Counter(mapping) checks isinstance(Mapping) (an ABC: slow) and adds one by one
    return c


def _state(obj, rows) -> tuple:
    """(plain attributes as a dict, the others as (name, encoded value) pairs) of `obj`: decoding the
    plain part is one dict update, so only arrays, the shared row table and such cost a step each."""
    plain, special = {}, []
    for name, value in vars(obj).items():
        packed = _encode(value, rows)
        if packed[0] == _PLAIN:
            plain[name] = value
        else:
            special.append((name, packed))
    return plain, tuple(special)


def _restore(cls, state: tuple, rows):
    obj = cls.__new__(cls)
    d = obj.__dict__
    d.update(state[0])
    for name, packed in state[1]:
        d[name] = _decode(packed, rows)
    return obj


# -- relocation: every line number a collector's state holds -------------------------------------
def _shift_system_prompts(c: SystemPrompts, delta: int) -> None:
    c.first = [c.first[0]] + [line + delta for line in c.first[1:]]   # [0] is a placeholder (no prompt)


def _shift_legacy(c: Legacy, delta: int) -> None:
    if c.n:
        c.first_line += delta
    c.no_space_lines = [line + delta for line in c.no_space_lines]


def _shift_grader_keys(c: GraderKeys, delta: int) -> None:
    c.type_line = {key: line + delta for key, line in c.type_line.items()}


LINE_FIELDS = {SystemPrompts: _shift_system_prompts, Legacy: _shift_legacy, GraderKeys: _shift_grader_keys}


def shift_lines(agg: DatasetAggregator, delta: int) -> None:
    """Move an aggregator built over some lines by `delta` lines (the row table and LINE_FIELDS)."""
    if not delta:
        return
    agg.rows.lines = array(agg.rows.lines.typecode, [line + delta for line in agg.rows.lines])
    for c in agg.collectors:
        shift = LINE_FIELDS.get(type(c))
        if shift is not None:
            shift(c, delta)


def shift_findings(findings: list, delta: int) -> list:
    """Packed per-example findings moved by `delta` lines (messages quoting their line follow)."""
    if not delta or not findings:
        return findings
    out = []
    for f in codec.unpack_findings(findings):
        if f.line is not None:
            f = relocate_findings([f], f.line + delta, f.example + delta if f.example is not None else None)[0]
        out.append(f)
    return codec.pack_findings(out)


# -- the partial itself ------------------------------------------------------------------------------
class Partial:
    """What a run of consecutive examples adds up to; `merge` appends the partial of the rows that follow."""

    __slots__ = ("agg", "tokens", "kinds", "findings", "first")

    def __init__(self, options: CheckOptions, first: int = 0):
        self.agg = DatasetAggregator(options)
        self.tokens = TokenStats(options.token_limit)
        self.kinds: Counter = Counter()       # RecordKind value -> rows
        self.findings: list[tuple] = []        # packed per-example findings, in line order
        self.first = first                     # example index of the first row

    def add_all(self, summaries) -> None:
        agg, tokens, kinds, findings = self.agg, self.tokens, self.kinds, self.findings
        for s in summaries:
            agg.add(s)
            tokens.add(s)
            kinds[s.analysis.kind.value] += 1
            if s.analysis.findings:
                findings.extend(codec.pack_findings(s.analysis.findings))
            if s.extra_findings:
                findings.extend(codec.pack_findings(s.extra_findings))

    def merge(self, other: Partial) -> None:
        self.agg.merge(other.agg)
        self.tokens.merge(other.tokens)
        self.kinds.update(other.kinds)
        self.findings.extend(other.findings)

    def dumps(self) -> bytes | None:
        """The cache form (None if some state cannot be written)."""
        agg = self.agg
        rows = agg.rows
        try:
            return marshal.dumps((PARTIAL_VERSION, self.first, _state(rows, None),
                                  tuple(_state(c, rows) for c in agg.collectors), _state(self.tokens, None),
                                  dict(self.kinds), self.findings))
        except (ValueError, TypeError, pickle.PicklingError):
            return None

    @classmethod
    def loads(cls, blob: bytes, options: CheckOptions, first: int) -> Partial:
        """A cached partial placed at example index `first` (its lines moved there)."""
        version, built_first, rows_state, states, tokens_state, kinds, findings = marshal.loads(blob)
        if version != PARTIAL_VERSION:
            raise ValueError("partial of another version")
        if len(states) != len(COLLECTORS):
            raise ValueError("partial of another collector set")
        self = cls.__new__(cls)
        rows = _restore(Rows, rows_state, None)
        agg = DatasetAggregator.__new__(DatasetAggregator)
        agg.__setstate__({"options": options, "rows": rows,
                          "collectors": [_restore(cls, s, rows) for cls, s in zip(COLLECTORS, states, strict=True)]})
        delta = first - built_first
        shift_lines(agg, delta)
        self.agg = agg
        self.tokens = _restore(TokenStats, tokens_state, None)
        self.kinds = _counter(kinds)
        self.findings = shift_findings(findings, delta)
        self.first = first
        return self
