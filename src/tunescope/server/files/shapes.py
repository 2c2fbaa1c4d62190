"""Wire shapes of File, Upload and Upload Part objects, as the real API sends them.

Rows come from the store; with `strict=True` a file drops what the OpenAPI extract
does not allow (`status_details`, a null `expires_at`).
"""

from __future__ import annotations


def file_obj(row: dict, strict: bool = False) -> dict:
    out = {
        "object": "file",
        "id": row["id"],
        "purpose": row["purpose"],
        "filename": row["filename"],
        "bytes": row["bytes"],
        "created_at": row["created_at"],
        "expires_at": row.get("expires_at"),
        "status": row.get("status") or "processed",
        "status_details": None,
    }
    if strict:
        if out["expires_at"] is None:
            del out["expires_at"]
        del out["status_details"]
    return out


def file_deleted_obj(file_id: str) -> dict:
    return {"id": file_id, "object": "file", "deleted": True}


def upload_obj(row: dict, file_row: dict | None, strict: bool = False) -> dict:
    return {
        "object": "upload",
        "id": row["id"],
        "purpose": row["purpose"],
        "filename": row["filename"],
        "bytes": row["bytes"],
        "created_at": row["created_at"],
        "expires_at": row["expires_at"],
        "status": row["status"],
        "file": file_obj(file_row, strict) if file_row else None,
    }


def part_obj(row: dict) -> dict:
    return {"object": "upload.part", "id": row["id"], "created_at": row["created_at"], "upload_id": row["upload_id"]}
