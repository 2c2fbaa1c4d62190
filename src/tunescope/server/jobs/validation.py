"""Validating a job's training or validation file the way the real API does, with tunescope's checker.

The checker (`DatasetChecker`, what `tunescope.checks.run.runner.check_path` runs) is the only
code that reads the file. This module ranks its error-level findings in the order the real API
reports problems (finetuning-api.md §2.5) and words the first one as the real API does:

1. the file is not JSONL, or a line is not an example of the job's format (not a JSON object,
   another format than the method trains on, prompt/completion pairs for a chat model or chat
   messages for babbage-002/davinci-002, a message that is not an object or has no valid role):
   `invalid_training_file`, the first such line first; a row of no known format in a chat file
   (or a chat row in a DPO file) "is missing key 'messages'" (or 'input'), as the real API says;
2. a training file with fewer than 10 examples: `invalid_n_examples`, "Training file has N
   example(s), but must have at least 10 examples"; a validation file needs one example;
3. the first other error of an example, by line and message: `invalid_training_file`,
   "Invalid file format. Example N, message M <what is wrong>"; an extra top-level key or a
   special token is `invalid_file_format`, "The job failed due to a file format error in the
   training file. Invalid file format. Example N contains an extra "weight"." (or "Example N
   message contains an invalid token: <|fim_suffix|>."), as in the real samples;
4. in a training file, the first error about the whole file.

Example N is the 1-based line number and message M the 1-based position in `messages`, so a
client can map the failure to a line. Problems in a validation file say so and use the code
`invalid_validation_file`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from tunescope.checks.registry import Finding, Severity
from tunescope.checks.run.runner import DatasetChecker, options_for_model
from tunescope.dataset.filefacts import ARRAY
from tunescope.dataset.formats import RecordKind
from tunescope.dataset.index import LineIndex
from tunescope.tokens.models import PROMPT_COMPLETION_MODELS, UnknownModel

"""Base models that train on prompt/completion pairs (and only on them)."""
FORMATS = {"supervised": ("chat", "prompt_completion"), "dpo": ("preference",), "reinforcement": ("chat",)}
EXPECTED = {
    "supervised": "Unexpected file format, expected either prompt/completion pairs or chat messages.",
    "dpo": "Unexpected file format, expected preference data (input, preferred_output, non_preferred_output).",
    "reinforcement": "Unexpected file format, expected chat messages for reinforcement fine-tuning.",
}
NOT_JSONL = ("Invalid file format. Example 1: the file is not JSONL (one JSON object per line); it looks like "
             "pretty-printed JSON. Write each example on a single line.")
NOT_AN_OBJECT = ("invalid_json", "invalid_utf8", "nul_byte", "bom_in_line", "not_an_object")
"""Findings that make a line something other than a JSON object."""
MESSAGE_SHAPE = ("messages_not_list", "empty_messages", "message_not_object", "missing_role", "invalid_role")
"""Findings that make a chat row's `messages` unreadable as a conversation."""
EMPTY = ("file_empty", "too_few_examples")
FORMAT_ERRORS = ("extra_top_level_key", "special_token_text")
"""Findings the real API reports as `invalid_file_format`, "...a file format error in the training file."."""
MISSING_KEY = {"supervised": "messages", "reinforcement": "messages", "dpo": "input"}
"""The key the real API says a row of another shape is missing ("Example N is missing key 'messages'")."""


@dataclass
class ValidationResult:
    n_examples: int = 0
    tokens_per_epoch: int = 0
    """Billable tokens of one pass over the file (sum of min(tokens, limit))."""
    exact_tokens: bool = False
    code: str | None = None
    message: str | None = None
    param: str | None = None

    @property
    def ok(self) -> bool:
        return self.code is None


def _errors(findings) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]


def _located(f: Finding) -> str:
    """A checker finding as the real API words it: "Invalid file format. Example N, message M ..."."""
    if f.message.startswith("Invalid file format."):
        return f.message
    if f.example is None or f.message.startswith(f"Example {f.example + 1} "):
        return f"Invalid file format. {f.message}"
    where = f"Example {f.example + 1}" + ("" if f.message_index is None else f", message {f.message_index + 1}")
    return f"Invalid file format. {where} {f.message}"


def _message_shape(f: Finding, line: int) -> str:
    where = f"Invalid file format. Example {line}" + ("" if f.message_index is None else f", message {f.message_index + 1}")
    if f.check in ("messages_not_list", "empty_messages"):
        return f"Invalid file format. Example {line} 'messages' must be a non-empty list"
    if f.check == "message_not_object":
        return f"{where} is not an object"
    if f.check == "missing_role":
        return f"{where} Discriminator 'role' is missing in value"
    return _located(f)


def _row_format(kind: RecordKind, errors: list[Finding]) -> str:
    """What the real API takes a row for: chat (it has `messages`), preference, prompt_completion or unknown."""
    if kind in (RecordKind.CHAT, RecordKind.REINFORCEMENT):
        return "chat"
    if kind is RecordKind.PREFERENCE:
        return "preference"
    if kind is RecordKind.PROMPT_COMPLETION:
        return "prompt_completion"
    if kind is RecordKind.NEAR_MISS and any(f.check == "near_miss_format" and f.path.startswith("$.messages")
                                            for f in errors):
        return "chat"   # a chat row in another tool's dialect: the API reads its messages
    return "unknown"


class FirstBadRow:
    """`on_batch` callback of the checker: keeps the first row (by line) that is not an example of the
    job's format, worded as the real API words it. Memory stays constant whatever the file's size."""

    def __init__(self, method: str, model: str, base: str) -> None:
        self.method, self.model, self.base = method, model, base
        self.legacy = base.startswith(PROMPT_COMPLETION_MODELS)
        self.line: int | None = None
        self.detail: str | None = None

    def __call__(self, batch) -> None:
        for s in batch:
            if self.line is not None and s.line >= self.line:
                continue
            detail = self._problem(s.line, s.analysis.kind, _errors(s.findings))
            if detail:
                self.line, self.detail = s.line, detail

    def _problem(self, line: int, kind: RecordKind, errors: list[Finding]) -> str | None:
        broken = next((f for f in errors if f.check in NOT_AN_OBJECT), None)
        if broken is not None:
            return f"Invalid file format. Example {line} is not a JSON object." if broken.check == "not_an_object" \
                else _located(broken)
        if kind is RecordKind.BLANK:
            return None
        fmt = _row_format(kind, errors)
        if fmt not in FORMATS[self.method]:
            if not self.legacy and (fmt == "unknown" and self.method != "dpo" or fmt == "chat" and self.method == "dpo"):
                return f"Invalid file format. Example {line} is missing key '{MISSING_KEY[self.method]}'."
            return EXPECTED[self.method]
        if fmt == "prompt_completion" and not self.legacy:
            return (f"Invalid file format. Example {line}: prompt/completion pairs are only supported by "
                    f"{' and '.join(PROMPT_COMPLETION_MODELS)}; {self.model} expects chat messages.")
        if fmt == "chat" and self.legacy and self.method == "supervised":
            return (f"Invalid file format. Example {line}: {self.base} trains on prompt/completion pairs, but this "
                    "line has chat messages.")
        shape = sorted((f for f in errors if f.check in MESSAGE_SHAPE), key=lambda f: f.message_index or 0)
        return _message_shape(shape[0], line) if fmt == "chat" and shape else None


def _file_problem(errors: list[Finding], facts) -> str | None:
    """A file that is not JSONL text at all (binary, pretty-printed JSON, a JSON array)."""
    for f in errors:
        if f.check == "not_jsonl":
            one_array = facts.layout == ARRAY and facts.lines <= 1
            return "Invalid file format. Example 1 is not a JSON object." if one_array else NOT_JSONL
        if f.check == "binary_file":
            return _located(f)
    return None


def _format_error(result: ValidationResult, role: str, f: Finding) -> ValidationResult:
    """An extra key or a special token: the real API's `invalid_file_format` wording."""
    detail = _located(f)
    if f.check == "special_token_text":  # "Example 6174 message contains an invalid token: <|fim_suffix|>."
        detail = re.sub(r"^(Invalid file format\. Example \d+), message \d+ contains", r"\1 message contains", detail)
    result.code, result.param = "invalid_file_format", f"{role}_file"
    result.message = f"The job failed due to a file format error in the {role} file. {detail}"
    return result


def _fail(result: ValidationResult, role: str, code: str, detail: str) -> ValidationResult:
    result.code = code if role == "training" or code != "invalid_training_file" else "invalid_validation_file"
    result.message = f"The job failed due to an invalid {role} file. {detail}"
    result.param = f"{role}_file"
    return result


def validate_file(path: Path, method: str, model: str, role: str = "training") -> ValidationResult:
    """Check one file for a job; `role` is "training" or "validation"."""
    try:
        options = options_for_model(model)
    except UnknownModel:  # a real trainer's base model (--base-model): checked like the default model
        options = replace(options_for_model(None), model=model)
    # babbage-002/davinci-002 train on prompt/completion pairs: the checker infers the format there
    options = replace(options, method=None if options.model.startswith(PROMPT_COMPLETION_MODELS) else method)
    first_bad = FirstBadRow(method, model, options.model)
    with LineIndex(path) as index:
        index.build()
        report = DatasetChecker(index, options, workers=1, allow_estimate=True).run(on_batch=first_bad)
    result = ValidationResult(n_examples=report.examples, exact_tokens=report.exact_tokens,
                              tokens_per_epoch=report.tokens.billable_per_epoch if report.tokens else 0)
    # the stored file is named by its id: the upload already refused a name not ending in .jsonl
    errors = [f for f in _errors(report.findings) if f.check != "file_extension"]
    detail = _file_problem(errors, report.facts) or first_bad.detail
    if detail:
        return _fail(result, role, "invalid_training_file", detail)
    if role == "training" and any(f.check in EMPTY for f in errors):
        result.code, result.param = "invalid_n_examples", "training_file"
        result.message = f"Training file has {report.examples} example(s), but must have at least 10 examples"
        return result
    if role == "validation" and report.examples == 0:
        return _fail(result, role, "invalid_training_file", "Validation file has no examples.")
    per_example = sorted((f for f in errors if f.example is not None), key=lambda f: (f.line or 0, f.message_index or 0))
    if per_example:
        if per_example[0].check in FORMAT_ERRORS:
            return _format_error(result, role, per_example[0])
        return _fail(result, role, "invalid_training_file", _located(per_example[0]))
    whole_file = [f for f in errors if f.example is None and f.check not in EMPTY]
    if whole_file and role == "training":
        return _fail(result, role, "invalid_training_file", _located(whole_file[0]))
    return result
