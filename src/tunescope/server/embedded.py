"""Run the server inside the current process (a background thread on a free
loopback port), for the TUI's "local" backend and for tests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from pathlib import Path

import uvicorn

from tunescope import config as tunescope_config
from tunescope.server import limits
from tunescope.server.app import ServerState, create_app
from tunescope.server.settings import ServerConfig


def default_data_dir() -> Path:
    """Where `tunescope serve` and the embedded server keep their data unless told otherwise."""
    return tunescope_config.data_dir() / "server"


class EmbeddedServer:
    """A started server; `.base_url` is what `openai.OpenAI(base_url=...)` wants."""

    def __init__(self, config: ServerConfig, port: int = 0, host: str = "127.0.0.1", **factories) -> None:
        self.config = config
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._sock.bind((host, port))
            self.state = ServerState(config, **factories)  # takes the data dir's lock: only after the port is ours
        except BaseException:
            self._sock.close()
            raise
        self.host, self.port = self._sock.getsockname()[:2]
        self.app = create_app(config, self.state)
        self._server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", access_log=False,
                                                     lifespan="on", timeout_graceful_shutdown=2,
                                                     http=limits.protocol(config.header_timeout)))
        self._thread = threading.Thread(target=self._serve, name=f"tunescope-serve-{self.port}", daemon=True)
        self._error: BaseException | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    @property
    def data_dir(self) -> Path:
        return self.config.data_dir

    def _serve(self) -> None:
        try:
            asyncio.run(self._server.serve(sockets=[self._sock]))
        except BaseException as exc:  # noqa: BLE001 - reported by start()
            self._error = exc

    def start(self, timeout: float = 10.0) -> "EmbeddedServer":
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                self.state.close()
                raise RuntimeError(f"embedded tunescope server failed to start: {self._error!r}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("embedded tunescope server did not start in time")
            time.sleep(0.01)
        self.state.announce(self.base_url)     # another tunescope process on this data dir talks to this one
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and the trainer; every job keeps its persisted state."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.state.close()
        try:
            self._sock.close()
        except OSError:
            pass

    def __enter__(self) -> "EmbeddedServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_embedded(data_dir: Path | str | None = None, speed: float = 0.5, port: int = 0, **options) -> EmbeddedServer:
    """Start a server on 127.0.0.1 (port 0 = any free port) and return once it accepts requests.

    `options` are further `ServerConfig` fields (queue_delay, api_key, strict_spec, limits), or the
    `make_trainer` / `make_responder` factories of `ServerState`.
    """
    factories = {k: options.pop(k) for k in ("make_trainer", "make_responder") if k in options}
    config = ServerConfig(data_dir=Path(data_dir) if data_dir else default_data_dir(), speed=speed, **options)
    return EmbeddedServer(config, port=port, **factories).start()
