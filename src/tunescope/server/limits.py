"""Limits on what one connection may cost: request-body size, slow bodies and slow headers.

A JSON body larger than `max_json_bytes` answers 413 before it is read (from its
Content-Length) or as soon as the bytes read pass the limit (chunked bodies); a body that
stalls for `body_timeout` seconds answers 408. Both use the real error envelope. Headers
that are not complete `header_timeout` seconds after a connection opens (or after the
first byte of a later request on a kept-alive connection) get a 408 and the connection is
closed: uvicorn has no such timeout of its own, so `TimedH11Protocol` adds it to its
h11 protocol (pass it as `uvicorn.Config(http=...)`).
"""

from __future__ import annotations

from typing import AsyncIterator

import anyio
import orjson
from uvicorn.protocols.http.h11_impl import H11Protocol

from tunescope.server.errors import APIError

DEFAULT_BODY_TIMEOUT = 30.0
DEFAULT_HEADER_TIMEOUT = 30.0


def too_large(limit: int, declared: int | None = None) -> APIError:
    said = f"; this one declares {declared} bytes" if declared is not None else ""
    return APIError(413, f"Request body too large: JSON bodies may be at most {limit} bytes{said}. Send training "
                         "data as a file (POST /v1/files, or the Uploads API for files over 512 MB).",
                    code="request_too_large", headers={"connection": "close"})  # the rest is never read


def body_timeout(seconds: float) -> APIError:
    return APIError(408, f"Request timeout: no part of the request body arrived for {seconds:g} seconds.",
                    code="request_timeout", headers={"connection": "close"})


def _config(request):
    server = getattr(request.app.state, "server", None)
    return server.config if server is not None else None


def declared_length(request) -> int | None:
    raw = request.headers.get("content-length")
    return int(raw) if raw and raw.isdigit() else None


async def chunks(request) -> AsyncIterator[bytes]:
    """The request body's chunks; 408 when the client stalls between two of them."""
    config = _config(request)
    idle = getattr(config, "body_timeout", DEFAULT_BODY_TIMEOUT)
    stream = request.stream().__aiter__()
    while True:
        try:
            with anyio.fail_after(idle):
                chunk = await stream.__anext__()
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise body_timeout(idle) from None
        yield chunk


async def read_limited(request, limit: int) -> bytes:
    """The whole body, at most `limit` bytes (413 otherwise, before reading when Content-Length says so)."""
    declared = declared_length(request)
    if declared is not None and declared > limit:
        raise too_large(limit, declared)
    body = bytearray()
    async for chunk in chunks(request):
        body += chunk
        if len(body) > limit:
            raise too_large(limit)
    return bytes(body)


def _timeout_response(seconds: float) -> bytes:
    body = orjson.dumps({"error": {"message": f"Request timeout: the request headers were not complete after "
                                              f"{seconds:g} seconds.", "type": "invalid_request_error",
                                   "param": None, "code": "request_timeout"}})
    return (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


class TimedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers (see the module docstring)."""

    header_timeout = DEFAULT_HEADER_TIMEOUT

    def _idle(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        if getattr(self, "_header_timer", None) is None:
            self._header_timer = self.loop.call_later(
                self.header_timeout, self._headers_due, self.scope)

    def _disarm(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
        self._header_timer = None

    def _headers_due(self, scope_when_armed) -> None:
        self._header_timer = None
        if self.scope is scope_when_armed and self._idle() and not self.transport.is_closing():
            self.transport.write(_timeout_response(self.header_timeout))
            self.transport.close()

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._header_timer = None
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._idle():
            self._arm()
        super().data_received(data)
        if not self._idle():
            self._disarm()

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)


def protocol(header_timeout: float) -> type[TimedH11Protocol]:
    """`TimedH11Protocol` with this server's header deadline."""
    return type("TimedH11Protocol", (TimedH11Protocol,), {"header_timeout": header_timeout})
