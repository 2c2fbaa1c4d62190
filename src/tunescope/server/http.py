"""Request and response helpers shared by every resource's routes: JSON bodies (size-limited,
see limits.py), query integers, the error envelope and the `{"object": "list"}` envelope around any page of objects."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response

from tunescope.server.errors import APIError, bad_request
from tunescope.server.limits import read_limited


class JSON(Response):
    media_type = "application/json"

    def render(self, content) -> bytes:
        return orjson.dumps(content)


def state(request: Request):
    return request.app.state.server


def ok(obj, status: int = 200, headers: dict | None = None) -> JSON:
    return JSON(obj, status_code=status, headers=headers)


def error_response(err: APIError) -> JSON:
    return JSON(err.body(), status_code=err.status, headers=err.headers or None)


async def read_json(request: Request, allow_empty: bool = False) -> dict:
    """The body as a JSON object; 413 past the server's `max_json_bytes`, 408 when the client stalls."""
    body = await read_limited(request, state(request).config.max_json_bytes)
    if not body.strip():
        if allow_empty:
            return {}
        raise bad_request("You must provide a JSON body for this request.")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise bad_request(
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP "
            "library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
        ) from None
    if not isinstance(data, dict):
        raise bad_request("The request body must be a JSON object.")
    return data


def query_int(request: Request, name: str, default: int, lo: int = 1, hi: int = 10_000) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"Invalid '{name}': expected an integer, but got {raw!r} instead.", param=name,
                          code="invalid_type") from None
    if value < lo:
        raise bad_request(f"Invalid '{name}': integer below minimum value. Expected a value >= {lo}, but got {value} "
                          "instead.", param=name, code="integer_below_min_value")
    if value > hi:
        raise bad_request(f"Invalid '{name}': integer above maximum value. Expected a value <= {hi}, but got {value} "
                          "instead.", param=name, code="integer_above_max_value")
    return value


def path_id(request: Request, name: str) -> str:
    return request.path_params[name]


def list_obj(data: list[dict], has_more: bool | None = None, first_last: bool = False) -> dict:
    """The list envelope every list endpoint answers with (`first_id`/`last_id` where the API sends them)."""
    out: dict = {"object": "list", "data": data}
    if first_last:
        out["first_id"] = data[0]["id"] if data else None
        out["last_id"] = data[-1]["id"] if data else None
    if has_more is not None:
        out["has_more"] = has_more
    return out
