"""The real error envelope `{"error": {"message", "type", "param", "code"}}`.

Status codes follow the real API: 400 invalid request, 401 auth, 403 not
allowed, 404 unknown id or URL, 429 a configured limit. Never 409: the SDK
retries 409, so state conflicts are 400s.
"""

from __future__ import annotations


class APIError(Exception):
    """Raised anywhere in a request; the app turns it into the JSON envelope."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def bad_request(message: str, param: str | None = None, code: str | None = None) -> APIError:
    return APIError(400, message, param=param, code=code)


def not_found(message: str, param: str | None = "id", code: str | None = None) -> APIError:
    return APIError(404, message, param=param, code=code)


def missing(param: str) -> APIError:
    return bad_request(f"Missing required parameter: '{param}'.", param=param)


def unknown_argument(name: str) -> APIError:
    return bad_request(f"Unrecognized request argument supplied: {name}", param=name)


def json_type(value: object) -> str:
    """The JSON type of a decoded value, as the real API names it ("a string", "an integer", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "an unsupported value"


def invalid_type(param: str, expected: str, value: object) -> APIError:
    return bad_request(f"Invalid type for '{param}': expected {expected}, but got {json_type(value)} instead.",
                       param=param, code="invalid_type")


def _number(value) -> str:
    return "decimal" if isinstance(value, float) else "integer"


def below_min(param: str, lo, value) -> APIError:
    kind = _number(value)
    return bad_request(f"Invalid '{param}': {kind} below minimum value. Expected a value >= {lo}, but got {value} "
                       "instead.", param=param, code=f"{kind}_below_min_value")


def above_max(param: str, hi, value) -> APIError:
    kind = _number(value)
    return bad_request(f"Invalid '{param}': {kind} above maximum value. Expected a value <= {hi}, but got {value} "
                       "instead.", param=param, code=f"{kind}_above_max_value")


def out_of_range(param: str, bound: str, value: object) -> APIError:
    return bad_request(
        f"Invalid '{param}': value {value!r} is out of range; expected {bound}.", param=param, code="invalid_value"
    )
