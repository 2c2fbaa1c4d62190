"""A small structural check of JSON Schema documents used as tool `parameters`.

Not a full meta-schema validation (jsonschema is only a test dependency): it
catches what people actually get wrong — non-object parameters, unknown type
names, `properties` that are not objects, `required` that is not a list of
strings, `enum` that is not a list — and says where.
"""

from __future__ import annotations

JSON_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})
_MAX_DEPTH = 12


def schema_problem(schema: object, top: bool = True) -> tuple[str, str] | None:
    """(relative JSON path, description) of the first problem, or None if the schema looks valid."""
    if not isinstance(schema, dict):
        return "", f"it must be a JSON object, found {type(schema).__name__}"
    if top and "type" in schema and schema["type"] != "object":
        return ".type", f"the top-level type must be \"object\", found {schema['type']!r}"
    return _walk(schema, "", 0)


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
        if not isinstance(required, bool):      # draft-3 style per-property `required: true` is tolerated
            return f"{path}.required", "\"required\" must be a list of property names"
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
