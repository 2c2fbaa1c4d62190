"""Small stand-ins for vendors' fine-tuning APIs (Starlette, like `tunescope serve`), served on
127.0.0.1 in a background thread so the vendors' real SDKs talk to them over HTTP.

Each stand-in follows the vendor's published API document; its docstring says where each shape
comes from. Jobs advance one state per read of the job (not by the clock), so tests never race.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import uvicorn


class Served:
    """A Starlette app on a free loopback port; `.url` is the scheme://host:port the SDKs want."""

    def __init__(self, app):
        self.app = app
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.url = "http://127.0.0.1:%d" % self._sock.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
        self._thread = threading.Thread(target=lambda: asyncio.run(self._server.serve(sockets=[self._sock])),
                                        daemon=True)

    def __enter__(self) -> "Served":
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("stand-in server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(5)
        self._sock.close()


class BearerAuth:
    """ASGI middleware: records each request and answers `refuse()` unless the bearer key is the stand-in's
    (paths under `open_prefix`, signed URLs, need no key). After `BUDGET` requests it refuses everything, so a
    client that polls forever (a state mapping that never ends a job) fails its test instead of hanging it."""

    BUDGET = 400

    def __init__(self, app, standin, refuse, open_prefix: str | None = None):
        self.app, self.standin, self.refuse, self.open_prefix = app, standin, refuse, open_prefix

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.standin.requests.append(f"{scope['method']} {scope['path']}")
            auth = dict(scope.get("headers") or []).get(b"authorization", b"").decode()
            is_open = self.open_prefix is not None and scope["path"].startswith(self.open_prefix)
            spent = len(self.standin.requests) > self.BUDGET
            if spent or (not is_open and auth != f"Bearer {self.standin.key}"):
                return await self.refuse()(scope, receive, send)
        return await self.app(scope, receive, send)
