"""Each native target's JSON Schema (targets/schemas/, written from the destination's documentation),
compiled once, and its errors as (JSON path, message) pairs."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def validator(schema_file: str):
    from jsonschema import Draft202012Validator   # loaded on first use: keeps `tunescope --help` quick

    text = resources.files("tunescope.targets").joinpath("schemas", schema_file).read_text(encoding="utf-8")
    return Draft202012Validator(json.loads(text))


def schema_errors(schema_file: str, record: dict, limit: int = 3) -> list[tuple[str, str]]:
    """Up to `limit` (path, message) pairs, the most specific error first for each failing branch."""
    out = []
    for error in sorted(validator(schema_file).iter_errors(record), key=lambda e: e.json_path)[:limit]:
        best = error
        if error.context:     # oneOf: report the branch that got furthest
            best = max(error.context, key=lambda e: len(e.absolute_path))
        message = best.message if len(best.message) < 200 else best.message[:197] + "..."
        out.append((best.json_path, message))
    return out
