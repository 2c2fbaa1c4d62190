"""/v1/models: parse the request, call `ModelsService`, answer with its wire shape."""

from __future__ import annotations

from starlette.routing import Route

from tunescope.server.http import list_obj, ok, path_id, state
from tunescope.server.models.shapes import model_deleted_obj, model_obj


async def list_models(request):
    models = state(request).models
    return ok(list_obj([model_obj(*m, models.shutdown_date(m[0])) for m in models.list_models()]))


async def retrieve_model(request):
    models = state(request).models
    found = models.find(path_id(request, "model"))
    return ok(model_obj(*found, models.shutdown_date(found[0])))


async def delete_model(request):
    return ok(model_deleted_obj(state(request).models.delete(path_id(request, "model"))))


ROUTES = [
    Route("/models", list_models, methods=["GET"]),
    Route("/models/{model}", retrieve_model, methods=["GET"]),
    Route("/models/{model}", delete_model, methods=["DELETE"]),
]
