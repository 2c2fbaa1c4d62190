"""Tool `parameters` checked as JSON Schema: our own plain words first, then the metaschema.

The structural walk catches what people actually get wrong — non-object parameters, unknown
type names, `properties` that are not objects, `required` that is not a list of strings, `enum`
that is not a list — and says it plainly. Everything else is validated against the JSON Schema
metaschema (draft 2020-12 unless the schema names its `$schema`) with the `jsonschema` library,
so `"minLength": "3"` or `"required": true` cannot pass.
"""

from __future__ import annotations

import json


JSON_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})
_MAX_DEPTH = 12


def schema_problem(schema: object, top: bool = True) -> tuple[str, str] | None:
    """(relative JSON path, description) of the first problem, or None if the schema is valid."""
    if not isinstance(schema, dict):
        return "", f"it must be a JSON object, found {type(schema).__name__}"
    if top and "type" in schema and schema["type"] != "object":
        return ".type", f"the top-level type must be \"object\", found {schema['type']!r}"
    return _walk(schema, "", 0) or _metaschema_problem(schema)


def _metaschema_problem(schema: dict) -> tuple[str, str] | None:
    """The most relevant metaschema violation, as (relative JSON path, plain description)."""
    try:
        from jsonschema import Draft202012Validator, validators   # ~120 ms of import: only rows with tools pay it
        from jsonschema.exceptions import best_match

        cls = validators.validator_for(schema, default=Draft202012Validator)
        error = best_match(cls(cls.META_SCHEMA).iter_errors(schema))
    except Exception:  # noqa: BLE001  an unusable $schema or a pathological document: say so plainly
        return "", "it cannot be read as a JSON Schema"
    if error is None:
        return None
    keys = list(error.absolute_path)
    path = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys)
    where = f"\"{keys[-1]}\"" if keys else "the schema"
    found = json.dumps(error.instance, ensure_ascii=False, default=str)[:60]
    rule = error.validator_value if error.validator == "type" else None
    if isinstance(rule, list):
        rule = " or ".join(map(str, rule))
    wanted = f"must be of type {rule}" if isinstance(rule, str) else "is not valid JSON Schema"
    return path, f"{where} {wanted}, found {found} (JSON Schema metaschema, {error.validator} rule)"


def _walk(node: dict, path: str, depth: int) -> tuple[str, str] | None:
    if depth > _MAX_DEPTH:
        return None
    t = node.get("type")
    if t is not None:
        types = t if isinstance(t, list) else [t]
        for one in types:
            if one not in JSON_TYPES:
                return f"{path}.type", f"{one!r} is not a JSON Schema type (use one of {', '.join(sorted(JSON_TYPES))})"
    props = node.get("properties")
    if props is not None:
        if not isinstance(props, dict):
            return f"{path}.properties", "\"properties\" must be an object mapping names to schemas"
        for key, sub in props.items():
            if not isinstance(sub, dict):
                return f"{path}.properties.{key}", f"property {key!r} must be a schema object"
            found = _walk(sub, f"{path}.properties.{key}", depth + 1)
            if found:
                return found
    required = node.get("required")
    if required is not None and (not isinstance(required, list) or not all(isinstance(r, str) for r in required)):
        return f"{path}.required", "\"required\" must be a list of property names (a per-property " \
            "`required: true` is draft-3 style, not the JSON Schema the API reads)"
    enum = node.get("enum")
    if enum is not None and not isinstance(enum, list):
        return f"{path}.enum", "\"enum\" must be a list"
    items = node.get("items")
    if isinstance(items, dict):
        found = _walk(items, f"{path}.items", depth + 1)
        if found:
            return found
    elif items is not None and not isinstance(items, (list, bool)):
        return f"{path}.items", "\"items\" must be a schema object"
    for combo in ("anyOf", "oneOf", "allOf"):
        subs = node.get(combo)
        if subs is not None:
            if not isinstance(subs, list):
                return f"{path}.{combo}", f"\"{combo}\" must be a list of schemas"
            for k, sub in enumerate(subs):
                if isinstance(sub, dict):
                    found = _walk(sub, f"{path}.{combo}[{k}]", depth + 1)
                    if found:
                        return found
    return None
