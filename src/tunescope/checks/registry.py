"""Every check tunescope can report, declared once beside the code that emits it.

A check is a constant (`WEIGHT_NOT_INTEGER = check(...)`) declared in the module whose code emits
it, which passes it to `Ctx.add` (or to `Finding(CHECK.id, CHECK.severity, ...)`), so a typo in an
id is a NameError at import instead of an undocumented finding. `tunescope checks`, the TUI's
filter menu and `docs/checks.md` (scripts/gen_checks_doc.py) all read `CHECKS`; group membership
is a declared tag from `TAGS`, never a substring of an id. `tunescope.checks` imports every rule
module, so `CHECKS` is complete once it is imported. Reference ids (J01, S03, T05...) point at
../shared/reference/validation-checks.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from tunescope.checks.findings import Finding, Severity, worst  # the output shape, shared by reports, caches and UIs

__all__ = ["AREAS", "CHECKS", "TAGS", "Check", "Finding", "Severity", "by_area", "by_tag", "check", "worst"]

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

# The order areas are listed in (menus, docs); a check's area must be one of these. "target": a destination's
# own rules (`tunescope check --target`), declared by tunescope.targets; "tokenizer": the loss-mask findings of
# `tunescope check --tokenizer`, declared by tunescope.train.mask_preview.
AREAS = ("file", "line", "schema", "message", "roles", "content", "tools", "weight", "vision", "preference",
         "reinforcement", "legacy", "internal", "tokens", "dataset", "target", "tokenizer", "provider")

# The tag vocabulary: groups that cut across areas. A check's tags must be keys of TAGS.
TAGS = {
    "duplicates": "an example repeats another one (exact or same input); the TUI's Duplicates filter",
    "tools": "tool definitions, tool calls and tool responses, legacy functions included",
    "images": "image parts: where they may appear, their URL or data, size and count",
    "tokens": "needs the example's token counts, so it runs after counting",
    "encoding": "bytes or characters lost to a wrong text encoding: NUL bytes, invalid UTF-8, BOMs, U+FFFD",
    "similar": "an example nearly the same as another (MinHash similarity); the TUI's Near-duplicates filter",
    "privacy": "secrets (API keys, tokens, private keys) and personal data (e-mail, phone, card, IBAN) in "
               "text; the TUI's Secrets and personal data filter",
}


@dataclass(frozen=True, slots=True)
class Check:
    """One kind of finding: its stable id, default severity and the words users see."""

    id: str
    severity: Severity
    area: str
    title: str
    description: str
    ref: str = ""                          # validation-checks.md id, e.g. "T05"
    tags: frozenset[str] = frozenset()     # groups such as {"duplicates"}; filters use tags, not id text

    def to_dict(self) -> dict:
        return {"id": self.id, "severity": self.severity.value, "area": self.area, "title": self.title,
                "description": self.description, "reference": self.ref, "tags": sorted(self.tags)}


CHECKS: dict[str, Check] = {}


def check(id: str, severity: Severity, area: str, title: str, description: str, ref: str = "",
          tags: tuple[str, ...] | frozenset[str] = ()) -> Check:
    """Declare a check; raises on a duplicate id, an unknown area or an unknown tag."""
    if id in CHECKS:
        raise ValueError(f"check {id!r} is declared twice")
    if area not in AREAS:
        raise ValueError(f"check {id!r}: unknown area {area!r} (one of {', '.join(AREAS)})")
    unknown = set(tags) - TAGS.keys()
    if unknown:
        raise ValueError(f"check {id!r}: unknown tag(s) {', '.join(sorted(unknown))} (add them to TAGS)")
    declared = Check(id, severity, area, title, description, ref, frozenset(tags))
    CHECKS[id] = declared
    return declared


def by_area() -> dict[str, list[Check]]:
    """Checks grouped by area, areas in AREAS order, checks in declaration order within an area."""
    out: dict[str, list[Check]] = {area: [] for area in AREAS}
    for c in CHECKS.values():
        out[c.area].append(c)
    return {area: checks for area, checks in out.items() if checks}


def by_tag(tag: str) -> frozenset[str]:
    """Ids of the checks carrying `tag`."""
    return frozenset(c.id for c in CHECKS.values() if tag in c.tags)
