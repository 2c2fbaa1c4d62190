"""Models: the base models of tunescope's model table plus the fine-tuned models this server made.

`tunescope.tokens.models` (the shipped `models.toml`, merged with the user's) is the only list of
base models: their names, aliases (`gpt-4o-mini` -> `gpt-4o-mini-2024-07-18`) and fine-tuning
methods. Fine-tuned models and checkpoint models come from the store.
"""

from __future__ import annotations

from tunescope.server.errors import APIError, bad_request, not_found
from tunescope.server.store import Store
from tunescope.tokens.models import ModelInfo, ModelTable

MODEL_CREATED = 1_700_000_000  # fixed, plausible "created" stamp for base models
SYSTEM_OWNER = "system"


class ModelsService:
    """Lookups over base models (the model table) and the fine-tuned models in the store."""

    def __init__(self, store: Store, table: ModelTable, org_id: str,
                 extra: dict[str, tuple[str, ...]] | None = None) -> None:
        self.store, self.table, self.org_id = store, table, org_id
        self.extra = {name: ModelInfo(name=name, encoding="o200k_base", methods=tuple(methods))
                      for name, methods in (extra or {}).items()}
        """Base models a real trainer brings (`ServerConfig.base_models`), served before the table's."""

    def base_models(self) -> list[ModelInfo]:
        """The extra base models, then every one the table lists (its entries for `ft:` names only carry limits)."""
        table = [info for name, info in self.table.models.items() if not name.startswith("ft:") and name not in self.extra]
        return [*self.extra.values(), *table]

    def list_models(self) -> list[tuple[str, int, str]]:
        """(id, created, owned_by) of every model: base models first, each followed by its aliases
        (`gpt-4o-mini` beside `gpt-4o-mini-2024-07-18`, as the real API lists them), then fine-tuned
        ones oldest first."""
        out = [(name, MODEL_CREATED, SYSTEM_OWNER) for info in self.base_models() for name in (info.name, *info.aliases)]
        return out + [(r["id"], r["created"], r["owned_by"]) for r in self.store.list_models()]

    def find(self, name: str) -> tuple[str, int, str]:
        """(id, created, owned_by) of a fine-tuned, checkpoint or base model by its exact id; 404 otherwise."""
        row = self.store.get_model(name)
        if row:
            return row["id"], row["created"], row["owned_by"]
        ckpt = self.store.checkpoint_by_model(name) if ":ckpt-step-" in name else None
        if ckpt:
            return ckpt["model"], ckpt["created_at"], self.org_id
        if name in self.extra or (not name.startswith("ft:") and (name in self.table.models or any(
                name in info.aliases for info in self.base_models()))):
            return name, MODEL_CREATED, SYSTEM_OWNER
        raise not_found(f"The model '{name}' does not exist or you do not have access to it.", param="model",
                        code="model_not_found")

    def shutdown_date(self, model_id: str) -> str | None:
        """The model table's `retires` for a base model, or for the base of a fine-tuned or checkpoint model
        (fine-tunes shut down with their base); None when the table announces none."""
        canonical = self.table.resolve(model_id)
        return self.table.models[canonical].retires if canonical is not None else None

    def delete(self, name: str) -> str:
        """Delete a fine-tuned model made here; base and checkpoint models answer 403."""
        found, _, _ = self.find(name)
        if self.store.get_model(name) is None:
            raise APIError(403, f"You cannot delete model '{found}': only fine-tuned models created by this server "
                                "can be deleted.", param="model", code="model_not_deletable")
        self.store.delete_model(name)
        return name

    def trainable(self, requested: str, method_type: str) -> str:
        """The model a job trains on: a base snapshot (aliases resolved) or a fine-tuned model made here; 400 otherwise."""
        unavailable = APIError(400, f"Model {requested} is not available for fine-tuning or does not exist.",
                               param="model", code="model_not_available")
        if requested.startswith("ft:"):
            if self.store.get_model(requested) is None:
                raise unavailable
            return requested
        base = self.extra.get(requested)
        if base is None:
            canonical = self.table.resolve(requested)
            if canonical is None or canonical.startswith("ft:"):
                raise unavailable
            base = self.table.models[canonical]
        if not base.supports(method_type):
            raise bad_request(f"Model {base.name} does not support the '{method_type}' fine-tuning method "
                              f"(supported: {', '.join(base.methods)}).", param="method.type", code="invalid_value")
        return base.name

    def add_fine_tuned(self, name: str, created: int, owner: str, job_id: str) -> None:
        self.store.add_model({"id": name, "created": created, "owned_by": owner, "job_id": job_id})
