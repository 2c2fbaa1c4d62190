"""Wire shapes of Model objects, as the real API sends them."""

from __future__ import annotations


def model_obj(model_id: str, created: int, owned_by: str) -> dict:
    return {"id": model_id, "object": "model", "created": created, "owned_by": owned_by}


def model_deleted_obj(model_id: str) -> dict:
    return {"id": model_id, "object": "model", "deleted": True}
