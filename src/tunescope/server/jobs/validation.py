"""Validating an uploaded training/validation file the way the real API does.

Order of checks (real behaviour as far as it is documented, finetuning-api.md
§2.5): lines that are not JSON objects (including pretty-printed JSON) fail
with `invalid_training_file`; then fewer than 10 examples fails with
`invalid_n_examples` ("Training file has N example(s), but must have at least
10 examples"); then the first error-level finding of tunescope's own checks
(`tunescope.checks.run.runner.check_path`, when that module is available) fails
with `invalid_training_file` and "Invalid file format. Example N, message M
<what is wrong>". Example N is the 1-based line number and message M the
1-based position in `messages`, so clients can map the failure to a line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson

from tunescope.server.models.service import base_of

MIN_EXAMPLES = 10
ROLES = {"system", "user", "assistant", "tool", "function", "developer"}
LEGACY_MODELS = ("babbage-002", "davinci-002")
EXPECTED = {
    "supervised": "Unexpected file format, expected either prompt/completion pairs or chat messages.",
    "dpo": "Unexpected file format, expected preference data (input, preferred_output, non_preferred_output).",
    "reinforcement": "Unexpected file format, expected chat messages for reinforcement fine-tuning.",
}


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


def _kind(obj: dict) -> str:
    if "messages" in obj:
        return "chat"
    if "input" in obj and ("preferred_output" in obj or "non_preferred_output" in obj):
        return "preference"
    if "prompt" in obj and "completion" in obj:
        return "prompt_completion"
    return "unknown"


def _message_problem(messages) -> tuple[int | None, str] | None:
    if not isinstance(messages, list) or not messages:
        return None, "'messages' must be a non-empty list"
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict):
            return i, "is not an object"
        if "role" not in msg:
            return i, "Discriminator 'role' is missing in value"
        if msg["role"] not in ROLES:
            return i, f"has an unknown role {msg['role']!r}"
    return None


def _string_chars(value) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_string_chars(v) for v in value.values())
    if isinstance(value, list):
        return sum(_string_chars(v) for v in value)
    return 0


def _fail(result: ValidationResult, role: str, code: str, detail: str) -> ValidationResult:
    prefix = f"The job failed due to an invalid {role} file. "
    result.code = code if role == "training" or code != "invalid_training_file" else "invalid_validation_file"
    result.message = prefix + detail
    result.param = f"{role}_file"
    return result


def _scan(path: Path, method: str, model: str, role: str) -> tuple[ValidationResult, float]:
    """One streaming pass: parse every line, count examples, estimate tokens."""
    result = ValidationResult()
    chars = 0.0
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            line = raw.strip()
            if not line:
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                if lineno == 1 and line in (b"{", b"["):
                    detail = (f"Invalid file format. Example {lineno}: the file is not JSONL (one JSON object per line); "
                              "it looks like pretty-printed JSON. Write each example on a single line.")
                else:
                    detail = f"Invalid file format. Example {lineno}: line {lineno} is not valid JSON ({exc})."
                return _fail(result, role, "invalid_training_file", detail), chars
            if not isinstance(obj, dict):
                return _fail(result, role, "invalid_training_file",
                             f"Invalid file format. Example {lineno} is not a JSON object."), chars
            kind = _kind(obj)
            wanted = {"supervised": ("chat", "prompt_completion"), "dpo": ("preference",),
                      "reinforcement": ("chat",)}[method]
            if kind not in wanted:
                return _fail(result, role, "invalid_training_file", EXPECTED[method]), chars
            legacy = base_of(model).startswith(LEGACY_MODELS)
            if kind == "prompt_completion" and not legacy:
                return _fail(result, role, "invalid_training_file",
                             f"Invalid file format. Example {lineno}: prompt/completion pairs are only supported by "
                             f"{' and '.join(LEGACY_MODELS)}; {model} expects chat messages."), chars
            if kind == "chat" and legacy and method == "supervised":
                return _fail(result, role, "invalid_training_file",
                             f"Invalid file format. Example {lineno}: {base_of(model)} trains on prompt/completion "
                             "pairs, but this line has chat messages."), chars
            if kind == "chat":
                problem = _message_problem(obj["messages"])
                if problem:
                    index, text = problem
                    where = f"Example {lineno}" + ("" if index is None else f", message {index + 1}")
                    return _fail(result, role, "invalid_training_file", f"Invalid file format. {where} {text}"), chars
            result.n_examples += 1
            chars += _string_chars(obj) + 12
    result.tokens_per_epoch = int(chars / 4)
    return result, chars


def _core_findings(path: Path, method: str, model: str):
    """Error findings and billable tokens per epoch from tunescope's own checker, or None when unavailable."""
    try:
        from tunescope.checks.run.runner import check_path, options_for_model
    except Exception:  # noqa: BLE001 - checker not importable: the scan above is all we have
        return None
    # babbage-002/davinci-002 train on prompt/completion pairs: let the checker infer the format there.
    checked_method = None if base_of(model).startswith(LEGACY_MODELS) else method
    try:
        report = check_path(path, options_for_model(model, checked_method), allow_estimate=True, workers=1)
    except Exception:  # noqa: BLE001 - unknown model in the table or a checker bug: keep the scan's verdict
        return None
    errors = [f for f in report.findings if getattr(f.severity, "value", f.severity) == "error"]
    billed = (report.tokens or {}).get("billable_per_epoch") if isinstance(report.tokens, dict) else None
    return errors, (int(billed) if billed else None), not getattr(report, "exact_tokens", True)


def _located(f) -> str:
    """A checker finding as the real API words it: "Invalid file format. Example N, message M ..."."""
    if f.message.startswith("Invalid file format."):
        return f.message
    if f.example is not None and f.message.startswith(f"Example {f.example + 1} "):
        return f"Invalid file format. {f.message}"
    where = f"Example {f.example + 1}" + ("" if f.message_index is None else f", message {f.message_index + 1}")
    return f"Invalid file format. {where} {f.message}"


def validate_file(path: Path, method: str, model: str, role: str = "training") -> ValidationResult:
    """Check one file for a job; `role` is "training" or "validation"."""
    result, _ = _scan(Path(path), method, model, role)
    if not result.ok:
        return result
    if role == "training" and result.n_examples < MIN_EXAMPLES:
        result.code = "invalid_n_examples"
        result.param = "training_file"
        result.message = (f"Training file has {result.n_examples} example(s), but must have at least "
                          f"{MIN_EXAMPLES} examples")
        return result
    if role == "validation" and result.n_examples == 0:
        return _fail(result, role, "invalid_training_file", "Validation file has no examples.")
    core = _core_findings(Path(path), method, model)
    if core is None:
        return result
    errors, billed, estimated = core
    if billed:
        result.tokens_per_epoch, result.exact_tokens = billed, not estimated
    per_example = sorted((f for f in errors if f.example is not None), key=lambda f: (f.line or 0, f.message_index or 0))
    file_level = [f for f in errors if f.example is None]
    if per_example:
        return _fail(result, role, "invalid_training_file", _located(per_example[0]))
    if file_level and role == "training":
        return _fail(result, role, "invalid_training_file", _located(file_level[0]))
    return result
