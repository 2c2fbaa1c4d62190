"""`tunescope check --target T`: a destination's own rules and limits, on top of the format checks.

Two modes, chosen from the file's first example. An OpenAI-format file is converted example by example
as `export` would do it: what the target cannot carry becomes a `target_not_carried` warning, the
converted example is validated against the target's schema, and the target's rules and limits apply
(the ordinary checks run beside this, in commands/check.py). A file already in the target's own
format (a Vertex `contents` file, a Bedrock `bedrock-conversation-2024` file...) is validated against
that schema and the same rules and limits, read back into OpenAI form for token counts. Token counts
use tiktoken's o200k_base: the destinations' own tokenizers differ, so counts near a limit are marked
as estimates.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import orjson

from tunescope.checks.registry import CHECKS, Finding, Severity, check
from tunescope.dataset.formats import RecordKind, detect
from tunescope.targets.reading import iter_rows
from tunescope.targets.registry import KEEP_PER_KIND, Notes, Target
from tunescope.targets.schemas import schema_errors
from tunescope.tokens.count import TokenCounter

TARGET_NOT_CARRIED = check(
    "target_not_carried", Severity.WARNING, "target", "Not carried by the target",
    "Something in the example has no place in the target's format (a weight-0 message where there are no "
    "per-message weights, tool calls for Bedrock Nova, inline images, extra keys...). `tunescope export` "
    "leaves it out and reports it; the finding says what and where.")
TARGET_SCHEMA = check(
    "target_schema", Severity.ERROR, "target", "Not in the target's format",
    "The example, in the target's shape, does not match the format the target documents (the JSON Schemas "
    "in src/tunescope/targets/schemas/, written from each destination's documentation).")
TARGET_TOKEN_LIMIT = check(
    "target_token_limit", Severity.ERROR, "target", "Over the target's token limit",
    "The example has more tokens than the target takes per example (Vertex: 131,072; Azure: 65,536). "
    "Counted with o200k_base; the target's tokenizer differs, so treat counts near the limit as estimates.",
    tags=("tokens",))
TARGET_EXAMPLE_COUNT = check(
    "target_example_count", Severity.ERROR, "target", "Too few/many examples for target",
    "The number of examples the target can take is outside its published range (Fireworks: 3 to 3,000,000; "
    "OpenAI and Azure: at least 10; Vertex: at most 1,000,000).")
TARGET_FILE_SIZE = check(
    "target_file_size", Severity.ERROR, "target", "File too large for the target",
    "The file is larger than the target accepts in one upload (OpenAI and Azure 512 MB, Vertex 1 GB, "
    "Together 100 GB).")
TARGET_UNREADABLE = check(
    "target_unreadable", Severity.ERROR, "target", "Unreadable in the target's format",
    "A line of a file in the target's own format is not a JSON object, or cannot be read back.")


@dataclass
class TargetReport:
    """The target findings for one file."""

    target: Target
    path: str
    mode: str                              # "native" (already in the target's format) or "openai"
    examples: int = 0
    held: int = 0
    kinds: Counter = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)      # exact, per check id (findings are capped per check)
    estimated_tokens: bool = False

    def add(self, finding: Finding) -> None:
        self.counts[finding.check] += 1
        if self.counts[finding.check] <= KEEP_PER_KIND:
            self.findings.append(finding)

    @property
    def summary(self) -> dict:
        c = Counter()
        for check_id, n in self.counts.items():
            c[CHECKS[check_id].severity.value] += n
        return {"errors": c["error"], "warnings": c["warning"], "infos": c["info"]}

    def to_json(self) -> dict:
        return {"target": self.target.name, "title": self.target.title, "file": self.path, "mode": self.mode,
                "examples": self.examples, "held": self.held, "summary": self.summary,
                "counts_by_check": dict(self.counts),
                "limits": [lim.to_dict() for lim in self.target.limits],
                "findings": [f.to_dict() for f in self.findings]}


def drop_replaced(target: Target, report) -> None:
    """Remove the OpenAI findings that the target's own limits replace (Fireworks' minimum is 3, not 10)."""
    if target.replaces:
        report.findings = [f for f in report.findings if f.check not in target.replaces]
        for key in [k for k in report.omitted if k[0] in target.replaces]:
            del report.omitted[key]


class TargetChecker:
    """Checks one file for one target, streaming."""

    def __init__(self, target: Target, encoding: str = "o200k_base"):
        self.target = target
        self.encoding = encoding
        self.counter: TokenCounter | None = None      # made on the first example long enough to need it
        self.token_limit = target.limit("tokens_per_example")

    def run(self, path: str, size: int) -> TargetReport:
        t = self.target
        report: TargetReport | None = None
        for n, row in enumerate(iter_rows(path)):
            if report is None:
                native = bool(t.native and row.record is not None and (
                    (t.looks_native and t.looks_native(row.record)) or (t.schema and not schema_errors(t.schema,
                                                                                                         row.record))))
                report = TargetReport(t, path, "native" if native else "openai")
            report.examples += 1

            def emit(chk, message, hint="", where="$", _line=row.line, _n=n):
                report.add(Finding(chk.id, chk.severity, message, hint, _line, _n, None, where))

            if row.record is None:
                if report.mode == "native":
                    emit(TARGET_UNREADABLE, f"{t.name}: {row.problem}", "fix or remove the line")
                continue
            self._row(report, row.record, row.line, emit)
        report = report or TargetReport(t, path, "openai")
        self._file(report, size)
        return report

    def _row(self, report: TargetReport, record: dict, line: int, emit) -> None:
        t = self.target
        if report.mode == "native":
            native = record
            try:
                openai_form = t.to_openai(record)
            except Exception as exc:      # a shape the schema also reports; never a traceback
                openai_form = None
                problem = f"{type(exc).__name__}: {exc}"
        else:
            openai_form = record
            kind = detect(record)[0]
            notes = Notes(line)
            native = t.to_target(record, kind, notes)
            for note in notes.items:
                if note.severity == "lost":
                    emit(TARGET_NOT_CARRIED, f"{note.message}", f"`tunescope export --to {t.name}` leaves it out "
                         "and reports it", note.path)
        if native is not None and t.schema:
            for where, message in schema_errors(t.schema, native):
                emit(TARGET_SCHEMA, f"{t.name}: {message}", f"see {t.sources[0] if t.sources else t.name}",
                     where if report.mode == "native" else "$")
        if native is not None and t.native_rules:
            t.native_rules(native, emit)
        if openai_form is None:
            emit(TARGET_UNREADABLE, f"{t.name}: the example cannot be read back ({problem})", "")
            return
        kind = detect(openai_form)[0]
        report.kinds[kind] += 1
        if kind in t.holds and (report.mode == "native" or native is not None):
            report.held += 1
        if t.record_rules:
            t.record_rules(openai_form, kind, emit)
        if self.token_limit is not None:
            self._tokens(report, openai_form, kind, emit)

    def _tokens(self, report: TargetReport, record: dict, kind: RecordKind, emit) -> None:
        limit = self.token_limit.value
        if len(orjson.dumps(record)) <= limit:       # a token is at least one byte: cannot be over
            return
        if self.counter is None:
            self.counter = TokenCounter(self.encoding, allow_estimate=True)
        total = self.counter.count_record(record, kind).total
        report.estimated_tokens = report.estimated_tokens or self.counter.estimated
        if total > limit:
            how = "estimated: encoding file missing" if self.counter.estimated else f"{self.encoding} count"
            emit(TARGET_TOKEN_LIMIT, f"{self.target.name}: {total:,} tokens ({how}) is over the "
                 f"{limit:,} tokens per example ({self.token_limit.source})",
                 "shorten the example or split the conversation", "$")

    def _file(self, report: TargetReport, size: int) -> None:
        t = self.target

        def emit(chk, message, hint="", where=""):
            report.add(Finding(chk.id, chk.severity, message, hint, None, None, None, where))

        low, high, biggest = t.limit("min_examples"), t.limit("max_examples"), t.limit("max_file_bytes")
        if report.held == 0:
            emit(TARGET_EXAMPLE_COUNT, f"{t.name}: no example in the file is one {t.name} can take",
                 f"{t.name} takes {', '.join(sorted(k.value for k in t.holds))} examples")
        elif low and report.held < low.value:
            emit(TARGET_EXAMPLE_COUNT, f"{t.name}: {report.held} example(s); at least {low.value} are required "
                 f"({low.source})", "add examples")
        elif high and report.held > high.value:
            emit(TARGET_EXAMPLE_COUNT, f"{t.name}: {report.held:,} examples; at most {high.value:,} are taken "
                 f"({high.source})", "split the file or sample it")
        if biggest and size > biggest.value:
            emit(TARGET_FILE_SIZE, f"{t.name}: {size:,} bytes is over the {biggest.value:,}-byte upload limit "
                 f"({biggest.source})", "split the file")
        if t.file_rules:
            t.file_rules(report.kinds, emit)


def render_target_text(report: TargetReport, max_findings: int = 20) -> str:
    """The plain-text section `tunescope check --target` prints after (or instead of) the format report."""
    s = report.summary
    mode = "already in its format" if report.mode == "native" else "as OpenAI data to be exported"
    out = [f"Target {report.target.name}: {report.target.title} ({report.path}, {mode})",
           f"  {report.held} of {report.examples} example(s) can go to {report.target.name}; "
           f"{s['errors']} error(s), {s['warnings']} warning(s)"]
    by_check: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_check.setdefault(f.check, []).append(f)
    for check_id, found in by_check.items():
        out.append(f"  {found[0].severity.value} {check_id}: {report.counts[check_id]}")
        for f in found[:max_findings]:
            where = f"line {f.line} {f.path}: " if f.line else ""
            hint = f" ({f.hint})" if f.hint else ""
            out.append(f"    {where}{f.message}{hint}")
        if report.counts[check_id] > max_findings:
            out.append(f"    ... and {report.counts[check_id] - max_findings} more (--format json lists them)")
    return "\n".join(out) + "\n"
