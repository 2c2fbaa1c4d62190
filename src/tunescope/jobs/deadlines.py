"""Whether a job can still start: OpenAI's job cutoff, model shutdowns, and what `/v1/models` reports.

OpenAI starts no new fine-tuning jobs after 2027-01-06, and shuts models down on set days. The
provider that knows it talks to OpenAI gives its `JobsClient` a `StartGate` with the cutoff; any
backend may report a model's `shutdown_date` on `/v1/models` (the real API has since 2026-08), and
what it reports overrides the model table. A refusal is a `JobsError` with a plain explanation,
raised before anything is uploaded, never an SDK traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from tunescope.jobs.errors import JobsError
from tunescope.tokens.models import ModelTable, load_models
from tunescope.tokens.retirement import JobCutoff, job_cutoff, retirement, today


@dataclass(frozen=True)
class RemoteModel:
    """One entry of a backend's `/v1/models`: `shutdown_date` is YYYY-MM-DD or None (none announced)."""

    id: str
    owned_by: str = ""
    shutdown_date: str | None = None

    @classmethod
    def from_sdk(cls, obj: Any) -> RemoteModel:
        get = obj.get if isinstance(obj, dict) else lambda k, d=None: getattr(obj, k, d)
        return cls(str(get("id", "")), str(get("owned_by", "") or ""), _day(get("shutdown_date")))


def _day(value: Any) -> str | None:
    """A shutdown date as sent (ISO date or datetime string, or a Unix time) as YYYY-MM-DD; None if unreadable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc).date().isoformat()
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None


@dataclass
class StartGate:
    """What a backend refuses to start: anything after its job cutoff (OpenAI), and models shut down
    by then, whether the model table or the backend's own `/v1/models` says so."""

    backend: str
    cutoff_day: str | None = None
    reported: dict[str, str] = field(default_factory=dict)
    """model id -> shutdown date the backend reported (filled by `JobsClient.models()`)."""

    def refusal(self, model: str, on: date | None = None, table: ModelTable | None = None) -> str | None:
        """Why a job on `model` cannot start on `on` (today), in plain words; None when it can."""
        on = on or today()
        try:
            table = table or load_models()
        except Exception:  # noqa: BLE001  (a broken user table: only the backend's word is left)
            table = None
        if self.cutoff_day is not None:
            cutoff = JobCutoff(date.fromisoformat(self.cutoff_day), on,
                               azure_until=table.wind_down.azure_training_until if table else None)
            if cutoff.closed:
                return (f"{self.backend}: {cutoff.sentence()} A job on {model} cannot start there; nothing was "
                        "uploaded. Start it on Azure OpenAI (`tunescope jobs backends save NAME --kind azure`) or "
                        "another compatible backend, or try it on the local simulated server (`--backend local`).")
        shutdown = self.reported.get(model)
        info = table.get_or_guess(model) if table is not None else None
        if shutdown is None and info is not None:
            shutdown = self.reported.get(info.name)
        if shutdown is not None:
            day = date.fromisoformat(shutdown)
            if day <= on:
                return (f"{self.backend} reports that {model} shut down on {day}: no job can start on it; nothing "
                        "was uploaded. Pick another model.")
            return None
        if self.cutoff_day is not None and info is not None:     # OpenAI: the table's dates apply
            gone = retirement(info, on)
            if gone is not None and gone.retired:
                instead = f" Use instead: {gone.replacement}." if gone.replacement else ""
                return (f"{self.backend}: {gone.model} was shut down {gone.when()}; no job can start on it and "
                        f"nothing was uploaded.{instead}")
        return None

    def check(self, model: str) -> None:
        """Raise JobsError (kind "unsupported") when a job on `model` cannot start."""
        why = self.refusal(model)
        if why is not None:
            raise JobsError(why, kind="unsupported")


def openai_gate(backend: str) -> StartGate:
    """The gate of OpenAI's own API: the model table's `[wind_down]` cutoff and shutdown days."""
    try:
        cutoff = job_cutoff(load_models().wind_down)
    except Exception:  # noqa: BLE001  (a broken user table: the provider's own errors still apply)
        cutoff = None
    return StartGate(backend, cutoff.last_day.isoformat() if cutoff else None)
