"""Wire shapes of Model objects, as the real API sends them."""

from __future__ import annotations


def model_obj(model_id: str, created: int, owned_by: str, shutdown_date: str | None = None) -> dict:
    """`shutdown_date` (YYYY-MM-DD, or null when none is announced) as the real API sends it since 2026-08."""
    return {"id": model_id, "object": "model", "created": created, "owned_by": owned_by,
            "shutdown_date": shutdown_date}


def model_deleted_obj(model_id: str) -> dict:
    return {"id": model_id, "object": "model", "deleted": True}
