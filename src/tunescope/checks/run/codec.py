"""Compact tuple form of ExampleSummary for crossing process boundaries and for the result cache.

Pickling slotted dataclasses goes through `dataclasses.fields()` for every
object; flat tuples of builtins are several times cheaper to pickle and can be
stored with `marshal`, which matters at 100,000+ examples per check.
"""

from __future__ import annotations

import marshal

from tunescope.checks.model import ExampleSummary, ExampleTokens, RecordAnalysis, RecordKind
from tunescope.checks.findings import Finding, Severity

_SEV = {s.value: s for s in Severity}
_KIND = {k.value: k for k in RecordKind}


def _pack_finding(f: Finding) -> tuple:
    return (f.check, f.severity.value, f.message, f.hint, f.line, f.example, f.message_index, f.path)


def _unpack_finding(t: tuple) -> Finding:
    return Finding(t[0], _SEV[t[1]], t[2], t[3], t[4], t[5], t[6], t[7])


def pack_findings(findings) -> list[tuple]:
    return [_pack_finding(f) for f in findings]


def unpack_findings(packed) -> list[Finding]:
    return [_unpack_finding(t) for t in packed]


def pack(s: ExampleSummary) -> tuple:
    a = s.analysis
    t = s.tokens
    return (
        s.example, s.line, a.kind.value, [_pack_finding(f) for f in a.findings], a.roles, a.n_messages, a.preview,
        a.dedupe_key, a.input_key, a.output_key, a.system_prompt, a.final_reply, a.near_miss, a.has_images,
        tuple(a.extra_keys), a.facts,
        None if t is None else (t.total, t.trained, tuple(t.per_message), t.tools, t.images, t.estimated),
        [_pack_finding(f) for f in s.extra_findings],
    )


def unpack(p: tuple) -> ExampleSummary:
    analysis = RecordAnalysis(
        _KIND[p[2]], [_unpack_finding(f) for f in p[3]], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12],
        p[13], tuple(p[14]), p[15])
    tokens = None if p[16] is None else ExampleTokens(*p[16])
    return ExampleSummary(p[0], p[1], analysis, tokens, [_unpack_finding(f) for f in p[17]])


def dumps(s: ExampleSummary) -> bytes:
    """Cache form (without the checker's limit-dependent findings)."""
    p = pack(s)
    return marshal.dumps(p[:17] + ([],))


def loads(data: bytes) -> ExampleSummary:
    return unpack(marshal.loads(data))
