"""`tunescope export FILE --to T`: convert a dataset for a destination, streaming, and say what did not fit.

Each example is read (OpenAI format, or another target's format when the file is in one: then it is
read back into OpenAI form first), converted by the target's converter and written as one JSONL line.
Nothing is dropped silently: every example left out, and every part of an example the target cannot
hold, is a `Note` with its line and JSON path. The output is written to a temporary file beside it and
renamed into place, so a failed export leaves no half file; `--split` writes OUT_train/OUT_valid with
the same seeded split as `tunescope fix --split`.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import Callable

from tunescope.dataset.formats import detect
from tunescope.dataset.records import compact_dumps
from tunescope.editing.fixes.split import choose_validation, split_paths
from tunescope.targets.reading import iter_rows
from tunescope.targets.registry import TARGETS, Note, Notes, Target
from tunescope.targets.schemas import schema_errors

PROGRESS_EVERY = 500      # examples between two progress calls (the TUI's status bar)


class ExportError(ValueError):
    """The export cannot run (bad paths, nothing to export); the message says why and what to do.
    `notes` holds what the conversion reported before it gave up."""

    def __init__(self, message: str, notes: list | None = None):
        super().__init__(message)
        self.notes = notes or []


@dataclass
class ExportResult:
    target: Target
    source: str                      # "openai" or the target whose format the input was in
    examples: int = 0
    written: int = 0
    outputs: list[str] = field(default_factory=list)
    companions: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)     # exact, per kind (notes may be capped)

    @property
    def lost(self) -> list[Note]:
        return [n for n in self.notes if n.severity == "lost"]

    def to_json(self) -> dict:
        kinds = dict(self.counts)
        listed: dict[str, int] = {}
        for n in self.notes:
            listed[n.kind] = listed.get(n.kind, 0) + 1
        omitted = {k: kinds[k] - listed.get(k, 0) for k in kinds if kinds[k] > listed.get(k, 0)}
        return {"notes_omitted": omitted, "target": self.target.name, "from": self.source, "examples": self.examples,
                "written": self.written, "outputs": self.outputs, "companions": self.companions,
                "not_carried": len(self.lost), "by_kind": kinds, "notes": [n.to_dict() for n in self.notes]}


def source_target(first: dict | None, name: str | None) -> Target | None:
    """The target whose format the input is in (None: OpenAI). `name` forces one; else it is detected."""
    if name:
        return None if name == "openai" else TARGETS[name]
    if first is None:
        return None
    for t in TARGETS.values():
        if t.native and t.looks_native and t.looks_native(first):
            return t
    return None


def export_file(path: str, target: Target, out: str, split: float | None = None, seed: int = 0,
                source: str | None = None, progress: Callable[[int], None] | None = None) -> ExportResult:
    """Convert `path` for `target` into `out`; `progress(examples read)` is called every PROGRESS_EVERY."""
    outputs = list(split_paths(out)) if split is not None else [out]
    for o in outputs:
        if os.path.exists(o) and os.path.samefile(o, path):
            raise ExportError(f"{o} is the input file; choose another output path")
        parent = os.path.dirname(os.path.abspath(o))
        if not os.path.isdir(parent):
            raise ExportError(f"{parent}: no such directory for the output")
    if split is not None and not 0 < split < 1:
        raise ExportError(f"--split takes the training share, between 0 and 1 (e.g. 0.9), got {split}")
    result = ExportResult(target, "openai")
    notes = Notes()
    reader = None
    fd, tmp = tempfile.mkstemp(prefix=".tunescope-export-", dir=os.path.dirname(os.path.abspath(outputs[0])))
    try:
        with os.fdopen(fd, "wb") as fh:
            for row in iter_rows(path):
                notes.line = row.line
                result.examples += 1
                if progress is not None and result.examples % PROGRESS_EVERY == 0:
                    progress(result.examples)
                if row.record is None:
                    notes.lost("line_not_read", f"line {row.line}: {row.problem}; not exported")
                    continue
                if result.examples == 1:
                    reader = source_target(row.record, source)
                    result.source = reader.name if reader else "openai"
                record = row.record
                if reader is not None:
                    try:
                        record = reader.to_openai(record)
                    except Exception as exc:    # a malformed example of that format: reported, never a traceback
                        notes.lost("line_not_read", f"not readable as {reader.name} data ({type(exc).__name__}: "
                                   f"{exc}); not exported")
                        continue
                converted = target.to_target(record, detect(record)[0], notes)
                problems = schema_errors(target.schema, converted) if converted is not None and target.schema else []
                if problems:
                    notes.lost("example_not_in_format", f"{target.name}: the converted example does not fit the "
                               f"format ({problems[0][0]}: {problems[0][1]}); not exported")
                    converted = None
                if converted is not None:
                    fh.write(compact_dumps(converted) + b"\n")
                    result.written += 1
        result.notes, result.counts = notes.items, notes.counts
        if result.written == 0:
            why = [n for n in result.lost if n.kind in ("example_not_carried", "example_not_in_format")] or result.lost
            raise ExportError(f"nothing to export: none of the {result.examples} example(s) of {path} can go to "
                              f"{target.name}" + (f" ({why[0].message})" if why else ""),
                              result.notes)
        if split is None:
            os.replace(tmp, out)
        else:
            _split(tmp, result.written, split, seed, outputs)
        result.outputs = outputs
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    if target.companion:
        result.companions = target.companion(outputs)
    return result


def _split(tmp: str, n: int, ratio: float, seed: int, outputs: list[str]) -> None:
    try:
        valid = choose_validation(n, ratio, seed)
    except ValueError as exc:            # FixError: too few examples to split
        raise ExportError(str(exc)) from None
    parts = []
    for o in outputs:
        fd, part = tempfile.mkstemp(prefix=".tunescope-export-", dir=os.path.dirname(os.path.abspath(o)))
        parts.append((os.fdopen(fd, "wb"), part, o))
    try:
        with open(tmp, "rb") as src:
            for i, line in enumerate(src):
                parts[1 if i in valid else 0][0].write(line)
        for fh, part, o in parts:
            fh.close()
            os.replace(part, o)
    finally:
        for fh, part, _o in parts:
            fh.close()
            if os.path.exists(part):
                os.unlink(part)


def render_export_text(result: ExportResult, max_notes: int = 20) -> str:
    """The line-by-line report `tunescope export` prints (first `max_notes` per kind)."""
    t = result.target
    out = [f"Exported {result.written} of {result.examples} example(s) to {', '.join(result.outputs)} "
           f"for {t.name} ({t.title})" + (f", read as {result.source} data" if result.source != "openai" else "")]
    for extra in result.companions:
        out.append(f"Wrote {extra}")
    if not result.notes:
        out.append("Everything was carried.")
    for severity, heading in (("lost", "Not carried"), ("changed", "Carried differently")):
        group: dict[str, list[Note]] = {}
        for n in result.notes:
            if n.severity == severity:
                group.setdefault(n.kind, []).append(n)
        if not group:
            continue
        out.append(f"{heading}: {sum(result.counts.get(k, len(v)) for k, v in group.items())}")
        for kind, found in group.items():
            out.append(f"  {kind}: {result.counts.get(kind, len(found))}")
            for n in found[:max_notes]:
                out.append(f"    line {n.line} {n.path}: {n.message}")
            total = result.counts.get(kind, len(found))
            if total > max_notes:
                out.append(f"    ... and {total - max_notes} more (--format json lists them)")
    return "\n".join(out) + "\n"
