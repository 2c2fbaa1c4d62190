"""Base models the server offers, from tunescope's model table when present.

`tunescope.tokens.models.load_models()` is the source of truth for names, token
limits and supported methods; until it is importable (or if it fails), a small
built-in list of fine-tunable snapshots keeps the server usable.
"""

from __future__ import annotations

from dataclasses import dataclass

MODEL_CREATED = 1_700_000_000  # fixed, plausible "created" stamp for base models


@dataclass(frozen=True)
class BaseModel:
    name: str
    methods: tuple[str, ...]
    token_limit: int | None = None
    aliases: tuple[str, ...] = ()


FALLBACK = (
    BaseModel("gpt-4.1-2025-04-14", ("supervised", "dpo"), 65_536),
    BaseModel("gpt-4.1-mini-2025-04-14", ("supervised", "dpo"), 65_536),
    BaseModel("gpt-4.1-nano-2025-04-14", ("supervised", "dpo"), 32_768),
    BaseModel("gpt-4o-2024-08-06", ("supervised", "dpo"), 65_536),
    BaseModel("gpt-4o-mini-2024-07-18", ("supervised", "dpo"), 65_536),
    BaseModel("gpt-3.5-turbo-0125", ("supervised",), 16_385),
    BaseModel("gpt-3.5-turbo-1106", ("supervised",), 16_385),
    BaseModel("gpt-3.5-turbo-0613", ("supervised",), 4_096),
    BaseModel("o4-mini-2025-04-16", ("reinforcement",), 65_536),
    BaseModel("babbage-002", ("supervised",), 16_384),
    BaseModel("davinci-002", ("supervised",), 16_384),
)

ALIASES = {
    "gpt-4.1": "gpt-4.1-2025-04-14",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano": "gpt-4.1-nano-2025-04-14",
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-3.5-turbo": "gpt-3.5-turbo-0125",
    "o4-mini": "o4-mini-2025-04-16",
}


def _from_core() -> list[BaseModel] | None:
    try:
        from tunescope.tokens.models import load_models  # type: ignore[import-not-found]

        table = load_models()
        infos = getattr(table, "models", None) or getattr(table, "values", None)
        infos = infos() if callable(infos) else infos
        if infos is None:
            infos = list(table)
        if isinstance(infos, dict):
            infos = list(infos.values())
        out = []
        for info in infos:
            name = getattr(info, "name", None)
            if not name or name.startswith("ft:"):
                continue
            methods = tuple(getattr(info, "methods", None) or ("supervised",))
            out.append(BaseModel(name, methods, getattr(info, "token_limit", None), tuple(getattr(info, "aliases", ()))))
        return out or None
    except Exception:  # noqa: BLE001 - any problem with the table falls back to the built-in list
        return None


class BaseModels:
    """Lookup of base models by snapshot name or alias."""

    def __init__(self, models: list[BaseModel] | None = None) -> None:
        found = models if models is not None else (_from_core() or list(FALLBACK))
        self._by_name = {m.name: m for m in found}
        self._aliases = {a: m.name for m in found for a in m.aliases}

    def __iter__(self):
        return iter(self._by_name.values())

    def resolve(self, name: str) -> BaseModel | None:
        """The snapshot a requested name trains on (aliases resolve to their dated snapshot)."""
        if name in self._by_name:
            return self._by_name[name]
        alias = self._aliases.get(name) or ALIASES.get(name)
        if alias and alias in self._by_name:
            return self._by_name[alias]
        # Undated names from a user's table: pick the newest snapshot starting with "<name>-".
        dated = sorted(n for n in self._by_name if n.startswith(name + "-") and n[len(name) + 1:][:1].isdigit())
        return self._by_name[dated[-1]] if dated else None

    def token_limit(self, model: str) -> int | None:
        found = self.resolve(base_of(model))
        return found.token_limit if found else None


def base_of(fine_tuned: str) -> str:
    """`ft:<base>:<org>:<suffix>:<id>[:ckpt-step-N]` -> `<base>`."""
    parts = fine_tuned.split(":")
    return parts[1] if fine_tuned.startswith("ft:") and len(parts) > 1 else fine_tuned
