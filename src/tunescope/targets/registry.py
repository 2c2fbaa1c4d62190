"""Every destination a dataset can be checked for and exported to, declared once.

A target is where a fine-tuning file goes after OpenAI: a hosted service (Azure, Together, Fireworks,
Vertex, Bedrock) or a trainer on your own GPUs (TRL, axolotl, LLaMA-Factory). Each declaration carries
the file format, the limits (each figure with the source it comes from and the date it was read), the
rules `tunescope check --target` adds, the jobs API, and the two converters (OpenAI -> target for
`tunescope export`, target -> OpenAI for round trips and for checking files already in the target's
format). `tunescope export`, `tunescope check --target`, the docs and the tests all read `TARGETS`;
`tunescope.targets` imports every target module, so `TARGETS` is complete once it is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from tunescope.checks.registry import Check
from tunescope.dataset.formats import RecordKind


@dataclass(frozen=True, slots=True)
class Limit:
    """One published figure: what it limits, the value, where it was read and when."""

    name: str                 # "tokens_per_example", "min_examples", "max_examples", "max_file_bytes"
    value: int
    source: str
    date: str                 # when the source was read (YYYY-MM-DD)
    verified: bool = True     # False where the source is secondary or conflicting (the text says why)
    note: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "value": self.value, "source": self.source, "date": self.date,
                "verified": self.verified, "note": self.note}


# to_target(record, kind, notes) -> the record in the target's shape, or None (skipped; notes say why)
ToTarget = Callable[[dict, RecordKind, "object"], "dict | None"]
# to_openai(record) -> the OpenAI-format record (for round trips and native checks)
ToOpenAI = Callable[[dict], dict]


@dataclass(frozen=True, slots=True)
class Target:
    """One destination. `native` is True when its file format is not OpenAI's JSONL."""

    name: str
    title: str
    format: str                               # one line: the file format
    holds: frozenset[RecordKind]              # the kinds of example it can take
    to_target: ToTarget
    to_openai: ToOpenAI
    jobs_api: str
    limits: tuple[Limit, ...] = ()
    rules: tuple[Check, ...] = ()             # target-specific checks (the generic ones apply to every target)
    native: bool = False
    looks_native: Callable[[dict], bool] | None = None   # True when one record is already in the target's shape
    schema: str | None = None                 # JSON Schema file in targets/schemas/ (written from the docs)
    weights: bool = False                     # per-message training weights survive export
    sources: tuple[str, ...] = ()
    record_rules: Callable | None = None      # (openai_record, kind, emit) -> None, for target-specific checks
    native_rules: Callable | None = None      # (record in the target's shape, emit) -> None
    file_rules: Callable | None = None        # (kind_counts: dict[RecordKind, int], emit) -> None
    replaces: frozenset[str] = frozenset()    # OpenAI check ids the target's own limits replace (e.g. its minimum)
    companion: Callable | None = None         # (output paths) -> extra files written beside the output
    trained_by: tuple[str, ...] = ()          # provider kinds (entry points) whose jobs API takes this format

    def limit(self, name: str) -> Limit | None:
        return next((lim for lim in self.limits if lim.name == name), None)

    def to_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "format": self.format,
                "holds": sorted(k.value for k in self.holds), "native": self.native, "weights": self.weights,
                "jobs_api": self.jobs_api, "limits": [lim.to_dict() for lim in self.limits],
                "rules": [c.id for c in self.rules], "schema": self.schema, "sources": list(self.sources),
                "trained_by": list(self.trained_by)}


TARGETS: dict[str, Target] = {}


def target(declared: Target) -> Target:
    """Declare a target; raises on a duplicate name."""
    if declared.name in TARGETS:
        raise ValueError(f"target {declared.name!r} is declared twice")
    TARGETS[declared.name] = declared
    return declared


class UnknownTarget(ValueError):
    pass


def get_target(name: str) -> Target:
    """The target called `name`, or UnknownTarget with the names there are."""
    found = TARGETS.get(name)
    if found is None:
        raise UnknownTarget(f"unknown target {name!r}; choose one of {', '.join(TARGETS)}")
    return found


@dataclass
class Note:
    """Something an export could not carry (`lost`) or carried differently (`changed`), on one line."""

    line: int
    severity: str             # "lost" | "changed"
    kind: str                 # "weight_not_carried", "tool_calls_not_carried", ...
    message: str
    path: str = "$"

    def to_dict(self) -> dict:
        return {"line": self.line, "severity": self.severity, "kind": self.kind, "path": self.path,
                "message": self.message}


KEEP_PER_KIND = 10_000
"""Notes (and target findings) kept per kind; beyond that they are counted, not listed, so memory stays small
on a file where every line has the same note."""


@dataclass
class Notes:
    """Collects the notes of one conversion; `line` is set by the caller before each record.
    `counts` is exact; `items` keeps the first KEEP_PER_KIND notes of each kind."""

    line: int = 0
    items: list[Note] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def _add(self, severity: str, kind: str, message: str, path: str) -> None:
        n = self.counts[kind] = self.counts.get(kind, 0) + 1
        if n <= KEEP_PER_KIND:
            self.items.append(Note(self.line, severity, kind, message, path))

    def lost(self, kind: str, message: str, path: str = "$") -> None:
        self._add("lost", kind, message, path)

    def changed(self, kind: str, message: str, path: str = "$") -> None:
        self._add("changed", kind, message, path)
