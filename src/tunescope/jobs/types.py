"""Typed, vendor-neutral views of fine-tuning jobs, events, metrics and checkpoints.

The SDK's pydantic objects differ a little between OpenAI, Azure OpenAI and other
compatible servers (extra fields, `paused` status, metrics only in the message
text). Screens and the CLI work with these plain dataclasses instead, built
leniently from whatever the server sent.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Generic, Iterator, TypeVar

from tunescope.checks.findings import Finding, Severity
from tunescope.checks.registry import check

# Findings a backend reports about an uploaded file (listed by `tunescope checks` beside tunescope's own).
SERVER_REJECTED = check(
    "server_rejected", Severity.ERROR, "provider", "The provider rejected the file",
    "The fine-tuning service refused the uploaded file or failed the job's validation at this line; tunescope "
    "shows the provider's own message. Fix the line and start a new job.")
VENDOR_FILE_CHECK = check(
    "vendor_file_check", Severity.ERROR, "provider", "The vendor's file check failed",
    "Together's or Fireworks' own server-side file check refused the upload; tunescope shows the vendor's "
    "message with the line it names.")

TERMINAL = ("succeeded", "failed", "cancelled")
METRIC_KEYS = ("train_loss", "valid_loss", "full_valid_loss", "train_mean_token_accuracy",
               "valid_mean_token_accuracy", "full_valid_mean_token_accuracy")
_STEP_TEXT = re.compile(r"Step (\d+)(?:/(\d+))?:\s*training loss=([-+\d.eE]+)"
                        r"(?:,\s*validation loss=([-+\d.eE]+))?(?:,\s*full validation loss=([-+\d.eE]+))?")

T = TypeVar("T")


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """Attribute or key access on SDK models, dicts and extras alike."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    value = getattr(obj, name, None)
    if value is None:
        extra = getattr(obj, "model_extra", None) or {}
        value = extra.get(name)
    return default if value is None else value


def _plain(obj: Any) -> Any:
    """An SDK model (or anything nested) as plain JSON-able Python values."""
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json", exclude_none=True)
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


def _num(value: Any) -> float | None:
    try:
        return None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None


@dataclass
class Page(Generic[T]):
    """One page of a list call; `next_after` is the cursor for the following (older) page."""

    items: list[T]
    has_more: bool = False

    @property
    def next_after(self) -> str | None:
        return getattr(self.items[-1], "id", None) if self.items and self.has_more else None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass
class Metrics:
    """One training step's numbers; `extra` keeps numeric keys we do not know (DPO/RFT vendors)."""

    step: int
    total_steps: int | None = None
    train_loss: float | None = None
    valid_loss: float | None = None
    full_valid_loss: float | None = None
    train_mean_token_accuracy: float | None = None
    valid_mean_token_accuracy: float | None = None
    full_valid_mean_token_accuracy: float | None = None
    extra: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: Any, message: str = "") -> "Metrics | None":
        """From an event's `data` payload, falling back to the "Step N/M: training loss=x" text."""
        data = _plain(data) if data is not None else {}
        if isinstance(data, dict) and _num(data.get("step")) is not None:
            known = {k: _num(data.get(k)) for k in METRIC_KEYS}
            extra = {k: float(v) for k, v in data.items()
                     if k not in METRIC_KEYS and k not in ("step", "total_steps") and _num(v) is not None}
            total = _num(data.get("total_steps"))
            return cls(step=int(_num(data["step"])), total_steps=int(total) if total is not None else None,
                       extra=extra, **known)
        m = _STEP_TEXT.search(message or "")
        if not m:
            return None
        step, total, train, valid, full = m.groups()
        return cls(step=int(step), total_steps=int(total) if total else None, train_loss=_num(train),
                   valid_loss=_num(valid), full_valid_loss=_num(full))

    def to_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if v is not None and k != "extra"}
        out.update(self.extra)
        return out


@dataclass
class Event:
    id: str
    created_at: int
    level: str
    message: str
    type: str = "message"
    data: Any = None
    metrics: Metrics | None = None

    @classmethod
    def from_sdk(cls, ev: Any) -> "Event":
        message = _get(ev, "message", "") or ""
        data = _plain(_get(ev, "data"))
        kind = _get(ev, "type") or ("metrics" if isinstance(data, dict) and "step" in data else "message")
        metrics = Metrics.from_data(data, message) if kind == "metrics" or _STEP_TEXT.search(message) else None
        return cls(id=_get(ev, "id", ""), created_at=int(_get(ev, "created_at", 0) or 0),
                   level=_get(ev, "level", "info") or "info", message=message, type=kind, data=data,
                   metrics=metrics)

    def to_dict(self) -> dict:
        out = {"id": self.id, "created_at": self.created_at, "level": self.level, "type": self.type,
               "message": self.message, "data": self.data}
        if self.metrics is not None:
            out["metrics"] = self.metrics.to_dict()
        return out


_EXAMPLE_MESSAGE = re.compile(r"Example (\d+), message (\d+)")
_EXAMPLE_EXTRA = re.compile(r"Example (\d+) contains an extra \"([^\"]+)\"")
_EXAMPLE_MISSING = re.compile(r"Example (\d+) is missing key '([^']+)'")
_EXAMPLE_ANY = re.compile(r"Example (\d+)")
_LINE_ANY = re.compile(r"\(line (\d+)\)")
_N_EXAMPLES = re.compile(r"(?:Training|Validation) file has (\d+) example\(s\)")


@dataclass
class JobFailure:
    """A failed job's error, mapped back to the dataset where the message allows it.

    `line` is the 1-based line ("Example N" in server messages is the line number);
    `message_index` is 0-based within `messages`, like `Finding.message_index`
    ("message M" in the text is 1-based). `file` is "training" or "validation".
    """

    code: str | None
    message: str
    param: str | None = None
    file: str = "training"
    line: int | None = None
    message_index: int | None = None
    key: str | None = None
    n_examples: int | None = None

    @classmethod
    def parse(cls, code: str | None, message: str, param: str | None = None) -> "JobFailure":
        text = message or ""
        role = "validation" if (param == "validation_file" or "invalid validation file" in text
                                or "in the validation file" in text or code == "invalid_validation_file") else "training"
        out = cls(code=code, message=text, param=param, file=role)
        if m := _EXAMPLE_MESSAGE.search(text):
            out.line, out.message_index = int(m.group(1)), int(m.group(2)) - 1
        elif m := _EXAMPLE_EXTRA.search(text) or _EXAMPLE_MISSING.search(text):
            out.line, out.key = int(m.group(1)), m.group(2)
        elif m := _EXAMPLE_ANY.search(text) or _LINE_ANY.search(text):
            out.line = int(m.group(1))
        if m := _N_EXAMPLES.search(text):
            out.n_examples = int(m.group(1))
        return out

    @property
    def where(self) -> str:
        """ "line 7, message 2" (1-based for people), or "" when the message names no place."""
        if self.line is None:
            return ""
        parts = [f"line {self.line}"]
        if self.message_index is not None:
            parts.append(f"message {self.message_index + 1}")
        if self.key:
            parts.append(f"key {self.key!r}")
        return ", ".join(parts)

    def finding(self) -> Finding:
        """As a core Finding, so the dataset screens can list it and jump to it."""
        if self.message_index is not None:
            path = f"$.messages[{self.message_index}]"
        elif self.key:
            path = f"$.{self.key}"
        else:
            path = "$" if self.line is not None else ""
        return Finding(check=SERVER_REJECTED.id, severity=Severity.ERROR, message=self.message,
                       hint="The provider rejected the file here; fix this line and start a new job.",
                       line=self.line, example=self.line - 1 if self.line is not None else None,
                       message_index=self.message_index, path=path)

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _hyperparameters(job: Any) -> dict:
    method = _get(job, "method")
    kind = _get(method, "type")
    if kind:
        hp = _get(_get(method, kind), "hyperparameters")
        if hp is not None:
            return _plain(hp) or {}
    return _plain(_get(job, "hyperparameters")) or {}


@dataclass
class Job:
    id: str
    status: str
    model: str
    created_at: int = 0
    finished_at: int | None = None
    fine_tuned_model: str | None = None
    training_file: str | None = None
    validation_file: str | None = None
    trained_tokens: int | None = None
    method: str = "supervised"
    hyperparameters: dict = field(default_factory=dict)
    suffix: str | None = None
    seed: int | None = None
    estimated_finish: int | None = None
    result_files: list[str] = field(default_factory=list)
    metadata: dict | None = None
    failure: JobFailure | None = None

    @classmethod
    def from_sdk(cls, job: Any) -> "Job":
        err = _get(job, "error")
        failure = None
        if err is not None and _get(err, "message"):
            failure = JobFailure.parse(_get(err, "code"), _get(err, "message"), _get(err, "param"))
        return cls(id=_get(job, "id", ""), status=_get(job, "status", "unknown"), model=_get(job, "model", ""),
                   created_at=int(_get(job, "created_at", 0) or 0), finished_at=_get(job, "finished_at"),
                   fine_tuned_model=_get(job, "fine_tuned_model"), training_file=_get(job, "training_file"),
                   validation_file=_get(job, "validation_file"), trained_tokens=_get(job, "trained_tokens"),
                   method=_get(_get(job, "method"), "type", "supervised"), hyperparameters=_hyperparameters(job),
                   suffix=_get(job, "user_provided_suffix") or _get(job, "suffix"), seed=_get(job, "seed"),
                   estimated_finish=_get(job, "estimated_finish"), result_files=list(_get(job, "result_files", []) or []),
                   metadata=_plain(_get(job, "metadata")), failure=failure)

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    def to_dict(self) -> dict:
        out = asdict(self)
        out["failure"] = self.failure.to_dict() if self.failure else None
        return out


@dataclass
class Checkpoint:
    id: str
    step: int
    model: str
    created_at: int = 0
    metrics: Metrics | None = None

    @classmethod
    def from_sdk(cls, ck: Any) -> "Checkpoint":
        step = int(_num(_get(ck, "step_number", 0)) or 0)
        metrics_data = _plain(_get(ck, "metrics")) or {}
        metrics = Metrics.from_data({"step": step, **metrics_data}) if isinstance(metrics_data, dict) else None
        return cls(id=_get(ck, "id", ""), step=step, model=_get(ck, "fine_tuned_model_checkpoint", ""),
                   created_at=int(_get(ck, "created_at", 0) or 0), metrics=metrics)

    def to_dict(self) -> dict:
        return {"id": self.id, "step": self.step, "model": self.model, "created_at": self.created_at,
                "metrics": self.metrics.to_dict() if self.metrics else None}


@dataclass
class UploadedFile:
    """A file on the server; `reused` when an identical earlier upload was found instead."""

    id: str
    filename: str
    bytes: int
    purpose: str
    created_at: int = 0
    reused: bool = False
    via: str = "files"
    """"files" (one request), "uploads" (the multipart Uploads API) or "existing"."""
    status: str | None = None
    status_details: str | None = None

    @classmethod
    def from_sdk(cls, f: Any, reused: bool = False, via: str = "files") -> "UploadedFile":
        return cls(id=_get(f, "id", ""), filename=_get(f, "filename", ""), bytes=int(_get(f, "bytes", 0) or 0),
                   purpose=_get(f, "purpose", ""), created_at=int(_get(f, "created_at", 0) or 0),
                   reused=reused, via=via, status=_get(f, "status"), status_details=_get(f, "status_details"))

    def to_dict(self) -> dict:
        return asdict(self)
