"""The model table: limits, prices (with source and date), methods and encodings per model.

Shipped as `tokens/data/models.toml`; the user's `<config dir>/models.toml` (same schema)
overrides or extends it, merged by model name key by key. Lookups resolve fine-tuned names
(`ft:<base>:...`), checkpoint names and aliases (`gpt-4.1-mini` -> `gpt-4.1-mini-2025-04-14`).
Each entry may carry the day it shuts down (`retires`, with its source and a replacement), and the
table's `[wind_down]` the last day OpenAI starts jobs; `tokens.retirement` turns those into deadlines.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from tunescope import config
from tunescope.tokens.encodings import KNOWN_ENCODINGS, base_model, encoding_for_model

BUILTIN_TABLE = Path(__file__).with_name("data") / "models.toml"
METHODS = ("supervised", "dpo", "reinforcement")
DEFAULT_MODEL = "gpt-4.1-mini-2025-04-14"


class ModelTableError(ValueError):
    """A models.toml cannot be read or has a wrong value; the message names the file."""


class UnknownModel(KeyError):
    """No entry for this model; `.close` lists similar known names."""

    def __init__(self, name: str, close: list[str]):
        self.name = name
        self.close = close
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        super().__init__(f"unknown model {name!r}{hint} (add it to {config.config_dir() / 'models.toml'})")

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.args[0]


PROMPT_COMPLETION_MODELS = ("babbage-002", "davinci-002")
"""Base models that train on legacy prompt/completion pairs; every other model trains on chat messages.
The checker's dataset rules and the server's file validation both read it (names are prefixes: their
fine-tunes start with them too)."""


@dataclass(frozen=True)
class ModelInfo:
    name: str
    encoding: str
    token_limit: int | None = None
    price_per_1m: float | None = None
    price_source: str = ""
    price_date: str = ""
    methods: tuple[str, ...] = ("supervised",)
    price_per_hour: float | None = None
    token_limit_source: str = ""
    aliases: tuple[str, ...] = ()
    vision: bool = False
    deprecated: bool = False
    retires: str | None = None     # YYYY-MM-DD: the model and its fine-tunes shut down that day
    retires_source: str = ""
    replacement: str = ""          # what to use instead once it is gone
    azure_training_retires: str | None = None      # Azure OpenAI: new fine-tuning jobs end (existing customers)
    azure_deployment_retires: str | None = None    # Azure OpenAI: fine-tuned deployments stop answering
    notes: str = ""
    requested: str = ""            # the name asked for (e.g. an ft: name), when it differs
    inference_input_per_1m: float | None = None    # USD per 1M prompt tokens sent to its fine-tuned models
    inference_output_per_1m: float | None = None   # USD per 1M tokens they answer with

    def supports(self, method: str) -> bool:
        return method in self.methods


_FIELDS = {
    "aliases": list, "encoding": str, "token_limit": int, "token_limit_source": str,
    "price_per_1m": (int, float), "price_per_hour": (int, float), "price_source": str,
    "price_date": str, "methods": list, "inference_input_per_1m": (int, float), "inference_output_per_1m": (int, float),
    "vision": bool, "deprecated": bool, "retires": str, "retires_source": str, "replacement": str, "notes": str,
    "azure_training_retires": str, "azure_deployment_retires": str,
}
_WIND_DOWN_FIELDS = ("openai_last_job_day", "openai_last_job_source", "azure_training_until", "azure_source")
_DATE_FIELDS = ("retires", "openai_last_job_day", "azure_training_until")


@dataclass(frozen=True)
class WindDown:
    """OpenAI's fine-tuning wind-down: the last day new jobs can start, and how long Azure still trains."""

    openai_last_job_day: str | None = None
    openai_last_job_source: str = ""
    azure_training_until: str | None = None
    azure_source: str = ""


def _check_date(path: Path, where: str, value: str) -> None:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ModelTableError(f"{path}: {where} must be a date like 2027-01-14, not {value!r}") from None


def _read(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelTableError(f"{path}: cannot read model table: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ModelTableError(f"{path}: invalid TOML: {exc}") from exc
    models = data.get("models", {})
    if not isinstance(models, dict):
        raise ModelTableError(f"{path}: [models] must be a table of [models.\"<name>\"] entries")
    for name, entry in models.items():
        if not isinstance(entry, dict):
            raise ModelTableError(f"{path}: models.{name} must be a table")
        for key, value in entry.items():
            kind = _FIELDS.get(key)
            if kind is None:
                raise ModelTableError(f"{path}: models.{name}: unknown key {key!r}; known: {', '.join(_FIELDS)}")
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise ModelTableError(f"{path}: models.{name}.{key} has the wrong type ({type(value).__name__})")
        if "encoding" in entry and entry["encoding"] not in KNOWN_ENCODINGS:
            raise ModelTableError(f"{path}: models.{name}.encoding must be one of {', '.join(KNOWN_ENCODINGS)}")
        if "retires" in entry:
            _check_date(path, f"models.{name}.retires", entry["retires"])
        bad = [m for m in entry.get("methods", []) if m not in METHODS]
        if bad:
            raise ModelTableError(f"{path}: models.{name}.methods: unknown {bad}; known: {', '.join(METHODS)}")
    wind_down = data.get("wind_down", {})
    if not isinstance(wind_down, dict):
        raise ModelTableError(f"{path}: [wind_down] must be a table")
    for key, value in wind_down.items():
        if key not in _WIND_DOWN_FIELDS:
            raise ModelTableError(f"{path}: wind_down: unknown key {key!r}; known: {', '.join(_WIND_DOWN_FIELDS)}")
        if not isinstance(value, str):
            raise ModelTableError(f"{path}: wind_down.{key} must be a string")
        if key in _DATE_FIELDS:
            _check_date(path, f"wind_down.{key}", value)
    default = data.get("default_model")
    if default is not None and not isinstance(default, str):
        raise ModelTableError(f"{path}: default_model must be a string")
    return data


def _info(name: str, entry: dict) -> ModelInfo:
    return ModelInfo(
        name=name,
        encoding=entry.get("encoding") or encoding_for_model(name) or "o200k_base",
        token_limit=entry.get("token_limit"),
        price_per_1m=float(entry["price_per_1m"]) if entry.get("price_per_1m") is not None else None,
        price_per_hour=float(entry["price_per_hour"]) if entry.get("price_per_hour") is not None else None,
        price_source=entry.get("price_source", ""),
        price_date=entry.get("price_date", ""),
        methods=tuple(entry.get("methods", ["supervised"])),
        token_limit_source=entry.get("token_limit_source", ""),
        aliases=tuple(entry.get("aliases", [])),
        vision=entry.get("vision", False),
        deprecated=entry.get("deprecated", False),
        retires=entry.get("retires"),
        retires_source=entry.get("retires_source", ""),
        replacement=entry.get("replacement", ""),
        azure_training_retires=entry.get("azure_training_retires"),
        azure_deployment_retires=entry.get("azure_deployment_retires"),
        notes=entry.get("notes", ""),
        inference_input_per_1m=_price(entry.get("inference_input_per_1m")),
        inference_output_per_1m=_price(entry.get("inference_output_per_1m")),
    )


def _price(value) -> float | None:
    return float(value) if value is not None else None


@dataclass
class ModelTable:
    models: dict[str, ModelInfo]
    default_model: str = DEFAULT_MODEL
    sources: list[Path] = field(default_factory=list)
    wind_down: WindDown = field(default_factory=WindDown)

    def names(self) -> list[str]:
        return sorted(self.models)

    def _aliases(self) -> dict[str, str]:
        out = {}
        for info in self.models.values():
            for alias in info.aliases:
                out.setdefault(alias.lower(), info.name)
        return out

    def resolve(self, name: str) -> str | None:
        """Canonical table name for a model, ft: name, checkpoint or alias; None if unknown."""
        lowered = {n.lower(): n for n in self.models}
        for candidate in (name.strip(), base_model(name)):
            key = candidate.lower()
            if key in lowered:
                return lowered[key]
            alias = self._aliases().get(key)
            if alias:
                return alias
        return None

    def get(self, name: str | None = None) -> ModelInfo:
        """ModelInfo for `name` (default model when None); raises UnknownModel."""
        name = name or self.default_model
        canonical = self.resolve(name)
        if canonical is None:
            pool = list(self.models) + list(self._aliases())
            close = difflib.get_close_matches(base_model(name).lower(), pool, n=4, cutoff=0.5)
            raise UnknownModel(name, close)
        info = self.models[canonical]
        if name != canonical:
            from dataclasses import replace
            info = replace(info, requested=name)
        return info

    def get_or_guess(self, name: str | None = None) -> ModelInfo:
        """Like get, but a model missing from the table (another provider's, a new snapshot) gets
        an entry guessed from its name: encoding by prefix, no token limit, no price."""
        try:
            return self.get(name)
        except UnknownModel:
            assert name is not None
            return ModelInfo(name=name, encoding=encoding_for_model(name) or "o200k_base",
                             price_source="not in the model table (add it to your models.toml)",
                             methods=METHODS, requested=name)

    def __contains__(self, name: str) -> bool:
        return self.resolve(name) is not None


def load_models(user_file: Path | None = None) -> ModelTable:
    """Built-in table merged with `<config dir>/models.toml` (or `user_file`) when present."""
    builtin = _read(BUILTIN_TABLE)
    entries: dict[str, dict] = {k: dict(v) for k, v in builtin.get("models", {}).items()}
    default = builtin.get("default_model", DEFAULT_MODEL)
    wind_down = dict(builtin.get("wind_down", {}))
    sources = [BUILTIN_TABLE]
    path = user_file if user_file is not None else config.config_dir() / "models.toml"
    if path.exists():
        user = _read(path)
        for name, entry in user.get("models", {}).items():
            entries.setdefault(name, {}).update(entry)
        default = user.get("default_model", default)
        wind_down.update(user.get("wind_down", {}))
        sources.append(path)
    table = ModelTable({name: _info(name, entry) for name, entry in entries.items()}, default, sources,
                       WindDown(**wind_down))
    if table.resolve(default) is None:
        raise ModelTableError(f"{sources[-1]}: default_model {default!r} is not in the model table")
    return table
