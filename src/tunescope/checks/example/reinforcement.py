"""Reinforcement fine-tuning rows: `messages` + `tools` are reserved, every other key is grader data.

Grader templates read row fields as `{{ item.X }}`; keys that are not plain
identifiers cannot be referenced that way. Consistency of grader keys across
rows (X02) is a dataset check (dataset_checks.py) fed by `facts`.
"""

from __future__ import annotations

from tunescope.checks.context import Ctx
from tunescope.dataset.formats import RFT_RESERVED_KEYS
from tunescope.checks.registry import W, check

RFT_GRADER_KEY_NAME = check("rft_grader_key_name", W, "reinforcement", "Grader key not an identifier",
                            "Grader templates cannot reference this key as {{ item.X }}.")


def grader_keys(ctx: Ctx, obj: dict) -> tuple[str, ...]:
    keys = tuple(k for k in obj if k not in RFT_RESERVED_KEYS)
    for key in keys:
        if not key.isidentifier():
            ctx.add(RFT_GRADER_KEY_NAME,
                    f"{ctx.where()}: grader key {key!r} is not a plain identifier, so a grader template cannot "
                    f"reference it as {{{{ item.{key} }}}}.",
                    "Rename the key using letters, digits and underscores only.", path=f"$[{key!r}]")
    return keys


_TYPE_NAMES = {str: "string", int: "number", float: "number", bool: "boolean", list: "list", dict: "object",
               type(None): "null"}


def facts(obj: dict, keys: tuple[str, ...]) -> dict | None:
    """JSON type of each grader key (for type consistency across rows)."""
    if not keys:
        return None
    return {"grader_types": tuple(_TYPE_NAMES.get(type(obj[k]), "other") for k in keys)}
