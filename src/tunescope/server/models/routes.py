"""/v1/models: parse the request, call `ModelsService`, answer with its wire shape."""

from __future__ import annotations

from starlette.routing import Route

from tunescope.server.http import list_obj, ok, path_id, state
from tunescope.server.models.shapes import model_deleted_obj, model_obj


async def list_models(request):
    return ok(list_obj([model_obj(*m) for m in state(request).models.list_models()]))


async def retrieve_model(request):
    return ok(model_obj(*state(request).models.find(path_id(request, "model"))))


async def delete_model(request):
    return ok(model_deleted_obj(state(request).models.delete(path_id(request, "model"))))


ROUTES = [
    Route("/models", list_models, methods=["GET"]),
    Route("/models/{model:path}", retrieve_model, methods=["GET"]),
    Route("/models/{model:path}", delete_model, methods=["DELETE"]),
]
