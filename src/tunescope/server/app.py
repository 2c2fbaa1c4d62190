"""The ASGI application: each resource's routes under /v1, auth, request ids, limits, errors.

`ServerState` builds the store, the per-resource services (files, models, jobs) and the
simulated trainer once per server; `create_app(ServerConfig)` builds a Starlette app whose
lifespan starts and stops the trainer; uvicorn serves it (CLI or embedded thread).
"""

from __future__ import annotations

import collections
import contextlib
import hmac
import logging
import os
import threading
import time
from typing import Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Mount

from tunescope.server import ids
from tunescope.server.blobs import Blobs
from tunescope.server.chat import routes as chat_routes
from tunescope.server.chat.service import ChatResponder
from tunescope.server.chat.simulated import SimulatedResponder
from tunescope.server.datadir_lock import DataDirBusy, DataDirLock
from tunescope.server.errors import APIError
from tunescope.server.files import routes as files_routes
from tunescope.server.files.service import FilesService
from tunescope.server.http import error_response
from tunescope.server.jobs import routes as jobs_routes
from tunescope.server.jobs.service import JobsService, Trainer
from tunescope.server.jobs.trainer import SimulatedTrainer
from tunescope.server.models import routes as models_routes
from tunescope.server.models.service import ModelsService
from tunescope.server.settings import ServerConfig
from tunescope.server.store import Store
from tunescope.tokens.models import load_models

log = logging.getLogger("tunescope.server")

__all__ = ["DataDirBusy", "ServerState", "create_app", "describe"]


RESOURCES = (files_routes, jobs_routes, models_routes, chat_routes)
"""Route modules mounted under /v1; each has a ROUTES list (docs/recipes/endpoints.md)."""


TrainerFactory = Callable[[JobsService, ServerConfig], Trainer]
ResponderFactory = Callable[[JobsService, ServerConfig], ChatResponder]


class ServerState:
    """Everything one server instance owns: store, bytes on disk, the services routes call, the trainer.

    `make_trainer` builds what moves jobs on (the simulated trainer by default); it receives the
    jobs service it must drive, see the Trainer seam in jobs/service.py. `make_responder` builds
    what answers chat completions (the labelled simulation by default), see chat/service.py.
    """

    def __init__(self, config: ServerConfig, make_trainer: TrainerFactory = SimulatedTrainer,
                 make_responder: ResponderFactory = SimulatedResponder) -> None:
        table = load_models()  # before taking the lock: a broken models.toml is reported as it is
        config.prepare()
        self.config = config
        self.lock = DataDirLock(config.data_dir)   # raises DataDirBusy; `announce` says where this one answers
        try:
            self._open(config, table, make_trainer, make_responder)
        except BaseException:
            self.lock.release()
            raise
        self._closed = False

    def _open(self, config: ServerConfig, table, make_trainer: TrainerFactory, make_responder: ResponderFactory) -> None:
        self.store = Store(config.db_path)
        self.blobs = Blobs(config.files_dir, config.uploads_dir, config.tmp_dir)
        self.blobs.clean_tmp()
        self.org_id = self.store.meta("org_id")
        if not self.org_id:
            self.org_id = ids.org_id()
            self.store.set_meta("org_id", self.org_id)
        self.files = FilesService(self.store, self.blobs, config)
        self.files.sweep_uploads()  # Uploads that expired while the server was down
        self.models = ModelsService(self.store, table, self.org_id, config.base_models)
        self.jobs = JobsService(self.store, config, self.org_id, self.files, self.models)
        self.trainer = make_trainer(self.jobs, config)
        self.jobs.attach(self.trainer)
        self.responder = make_responder(self.jobs, config)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.trainer.stop()
        self.store.close()
        self.lock.release()

    def announce(self, base_url: str) -> None:
        """Write this server's address beside its lock, for other tunescope processes (datadir_lock.py)."""
        trainer = "simulated" if isinstance(self.trainer, SimulatedTrainer) else "real"
        self.lock.announce(base_url, needs_key=self.config.api_key is not None, trainer=trainer)


def _auth_error(missing: bool) -> APIError:
    if missing:
        return APIError(401, "You didn't provide an API key. You need to provide your API key in an Authorization "
                             "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). This tunescope server "
                             "was started with --api-key.", code=None)
    return APIError(401, "Incorrect API key provided. Use the key this tunescope server was started with (--api-key).",
                    code="invalid_api_key")


class Gate:
    """ASGI middleware: x-request-id on every response, bearer auth, requests-per-minute limit, and the
    last word on errors: an unhandled exception is logged once (with the request id) and answered as a
    500 in the real envelope, with its x-request-id; a client that disconnects is logged as such, with
    no traceback. (Starlette's own catch-all sits outside this middleware: it would answer without the
    id and re-raise, so uvicorn logged the traceback a second time.)"""

    def __init__(self, app, state: ServerState) -> None:
        self.app, self.state = app, state
        self._hits: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def _rate_limited(self) -> APIError | None:
        rpm = self.state.config.requests_per_minute
        if not rpm:
            return None
        now = time.monotonic()
        with self._lock:
            while self._hits and now - self._hits[0] >= 60:
                self._hits.popleft()
            if len(self._hits) >= rpm:
                wait = max(1, int(60 - (now - self._hits[0])) + 1)
                return APIError(429, f"Rate limit reached: {rpm} requests per minute (set with --rpm). "
                                     f"Please try again in {wait}s.", type="requests", code="rate_limit_exceeded",
                                headers={"retry-after": str(wait)})
            self._hits.append(now)
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        rid = ids.request_id().encode()
        trainer = trainer_kind(self.state.config).encode()

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", rid),
                                                  (TRAINER_HEADER, trainer)]}
            await send(message)

        err = None
        key = self.state.config.api_key
        if key:
            header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
            if not header.lower().startswith("bearer ") or not header[7:].strip():
                err = _auth_error(missing=True)
            elif not hmac.compare_digest(header[7:].strip().encode(), key.encode()):
                err = _auth_error(missing=False)
        err = err or self._rate_limited()
        if err is not None:
            return await error_response(err)(scope, receive, send_with_id)
        started = False

        async def send_tracked(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_id(message)

        try:
            await self.app(scope, receive, send_tracked)
        except ClientDisconnect:  # the client went away while we read its body: nothing to answer, not an error
            log.info("client disconnected during %s %s (%s)", scope["method"], scope["path"], rid.decode())
        except Exception:  # noqa: BLE001 - logged once here, answered in the real envelope with its id
            log.exception("unhandled error on %s %s (%s)", scope["method"], scope["path"], rid.decode())
            if not started:
                await _crash(rid.decode())(scope, receive, send_with_id)


async def _api_error(request, exc: APIError):
    return error_response(exc)


async def _http_error(request, exc: HTTPException):
    if exc.status_code in (404, 405):
        return error_response(APIError(404, f"Invalid URL ({request.method} {request.url.path})"))
    return error_response(APIError(exc.status_code, str(exc.detail)))


def _crash(request_id: str):
    return error_response(APIError(500, "The server had an error while processing your request. Sorry about that! "
                                        f"The tunescope serve log has the details (request ID {request_id}).",
                                   type="server_error"))


def create_app(config: ServerConfig, state: ServerState | None = None) -> Starlette:
    state = state or ServerState(config)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        state.trainer.start()
        try:
            yield
        finally:
            state.close()

    app = Starlette(
        routes=[Mount("/v1", routes=[route for module in RESOURCES for route in module.ROUTES])],
        exception_handlers={APIError: _api_error, HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.state.server = state
    app.add_middleware(Gate, state=state)
    return app


TRAINER_HEADER = b"x-tunescope-trainer"
"""On every response: `simulated` (made-up curves, nothing trained) or `hf` (`serve --trainer hf`)."""


def trainer_kind(config: ServerConfig) -> str:
    return "hf" if config.base_models else "simulated"   # base models come only with a real trainer


def describe(config: ServerConfig) -> str:
    """One line for logs; never includes the API key itself."""
    pace = "" if config.base_models else f"{config.speed:g} s per simulated step, "  # base_models: a real trainer
    return (f"data dir {config.data_dir} (pid {os.getpid()}), {pace}"
            f"auth {'required' if config.api_key else 'off'}, {'strict spec' if config.strict_spec else 'real-world shapes'}")
