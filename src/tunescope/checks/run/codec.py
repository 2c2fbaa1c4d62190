"""Compact tuple form of ExampleSummary for crossing process boundaries and for the result cache.

Pickling slotted dataclasses goes through `dataclasses.fields()` for every object; flat tuples
of builtins are several times cheaper to pickle and can be stored with `marshal`, which matters
at 100,000+ examples per check. Each dataclass is packed by its own field list: a tuple holds its
fields in `fields()` order, the few that are not builtins (enums, nested dataclasses) converted by
name, so a field added to RecordAnalysis travels without touching this module. `schema()` (the
field names and CODEC_VERSION) is part of the result cache's key, so cached tuples are only ever
read back by the codec that wrote them.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable
from dataclasses import fields
from operator import attrgetter

from tunescope.checks.findings import Finding, Severity
from tunescope.checks.model import (
    ExampleSummary,
    ExampleTokens,
    RecordAnalysis,
    RecordKind,
)

# Bump when a field's packed form changes while the field names stay (those are in schema() already).
CODEC_VERSION = 3

_SEVERITY = {s.value: s for s in Severity}
_KIND = {k.value: k for k in RecordKind}


class _TupleCodec:
    """Packs one dataclass as the tuple of its fields, in `fields()` order; `convert` maps a field
    name to its (pack, unpack) pair, for fields whose values are not marshal-able builtins.

    The two functions are generated from the field list, as `dataclasses` generates `__init__`:
    they run for every example crossing a process or the cache, and a generated tuple display
    costs what the hand-written one did, with no loop over the fields per object."""

    def __init__(self, cls: type, convert: dict[str, tuple[Callable, Callable]]):
        self.names = tuple(f.name for f in fields(cls))
        unknown = set(convert) - set(self.names)
        if unknown:
            raise ValueError(f"{cls.__name__} has no field {', '.join(sorted(unknown))}")
        scope: dict = {"cls": cls}
        packed, unpacked = [], []
        for at, name in enumerate(self.names):
            if name in convert:
                scope[f"pack_{name}"], scope[f"unpack_{name}"] = convert[name]
                packed.append(f"pack_{name}(obj.{name})")
                unpacked.append(f"unpack_{name}(t[{at}])")
            else:
                packed.append(f"obj.{name}")
                unpacked.append(f"t[{at}]")
        self.pack: Callable[[object], tuple] = eval(f"lambda obj: ({', '.join(packed)},)", scope)
        self.unpack: Callable[[tuple], object] = eval(f"lambda t: cls({', '.join(unpacked)})", scope)


_FINDING = _TupleCodec(Finding, {"severity": (attrgetter("value"), _SEVERITY.__getitem__)})


def pack_findings(findings) -> list[tuple]:
    return [_FINDING.pack(f) for f in findings]


def unpack_findings(packed) -> list[Finding]:
    return [_FINDING.unpack(t) for t in packed]


_TOKENS = _TupleCodec(ExampleTokens, {"per_message": (tuple, tuple)})
_ANALYSIS = _TupleCodec(RecordAnalysis, {
    "kind": (attrgetter("value"), _KIND.__getitem__),
    "findings": (pack_findings, unpack_findings),
    "extra_keys": (tuple, tuple),
})


def _pack_tokens(tokens: ExampleTokens | None) -> tuple | None:
    return None if tokens is None else _TOKENS.pack(tokens)


def _unpack_tokens(packed) -> ExampleTokens | None:
    return None if packed is None else _TOKENS.unpack(packed)


_SUMMARY = _TupleCodec(ExampleSummary, {
    "analysis": (_ANALYSIS.pack, _ANALYSIS.unpack),
    "tokens": (_pack_tokens, _unpack_tokens),
    "extra_findings": (pack_findings, unpack_findings),
})
# The cache's form: the same tuple without the checker's limit-dependent findings (`extra_findings`).
_CACHED = _TupleCodec(ExampleSummary, {
    "analysis": (_ANALYSIS.pack, _ANALYSIS.unpack),
    "tokens": (_pack_tokens, _unpack_tokens),
    "extra_findings": (lambda _findings: [], unpack_findings),
})


def schema() -> bytes:
    """What packed tuples depend on, for the result cache's key: CODEC_VERSION and the field names."""
    return repr((CODEC_VERSION, _FINDING.names, _TOKENS.names, _ANALYSIS.names, _SUMMARY.names)).encode()


def pack(s: ExampleSummary) -> tuple:
    return _SUMMARY.pack(s)


def unpack(p) -> ExampleSummary:
    return _SUMMARY.unpack(p)


def dumps(s: ExampleSummary) -> bytes:
    """Cache form (without the checker's limit-dependent findings)."""
    return marshal.dumps(_CACHED.pack(s))


def loads(data: bytes) -> ExampleSummary:
    return _CACHED.unpack(marshal.loads(data))
