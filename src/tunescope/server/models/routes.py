"""/v1/models: base models from the model table plus the fine-tuned models this server made."""

from __future__ import annotations

from starlette.routing import Route

from tunescope.server.errors import APIError, not_found
from tunescope.server.http import ok, path_id, state
from tunescope.server.models.service import MODEL_CREATED
from tunescope.server.shapes import list_obj, model_obj


def _find(srv, name: str) -> dict:
    row = srv.store.get_model(name)
    if row:
        return model_obj(row["id"], row["created"], row["owned_by"])
    ckpt = srv.store.checkpoint_by_model(name) if ":ckpt-step-" in name else None
    if ckpt:
        return model_obj(ckpt["model"], ckpt["created_at"], srv.org_id)
    base = next((m for m in srv.base_models if m.name == name), None)
    if base:
        return model_obj(base.name, MODEL_CREATED, "system")
    raise not_found(f"The model '{name}' does not exist or you do not have access to it.", param="model",
                    code="model_not_found")


async def list_models(request):
    srv = state(request)
    data = [model_obj(m.name, MODEL_CREATED, "system") for m in srv.base_models]
    data += [model_obj(r["id"], r["created"], r["owned_by"]) for r in srv.store.list_models()]
    return ok(list_obj(data))


async def retrieve_model(request):
    return ok(_find(state(request), path_id(request, "model")))


async def delete_model(request):
    srv = state(request)
    name = path_id(request, "model")
    found = _find(srv, name)
    if srv.store.get_model(name) is None:
        raise APIError(403, f"You cannot delete model '{found['id']}': only fine-tuned models created by this server "
                            "can be deleted.", param="model", code="model_not_deletable")
    srv.store.delete_model(name)
    return ok({"id": name, "object": "model", "deleted": True})


ROUTES = [
    Route("/models", list_models, methods=["GET"]),
    Route("/models/{model}", retrieve_model, methods=["GET"]),
    Route("/models/{model}", delete_model, methods=["DELETE"]),
]
