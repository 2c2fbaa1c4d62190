"""`tunescope serve`: a local server speaking OpenAI's fine-tuning REST API.

The trainer behind it is a SIMULATION: jobs move through the real lifecycle and
emit the real event texts, but no model is trained and the loss curves are
generated. Use it to try the workflow without an API key, for demos, and tests.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path

from tunescope.tokens.models import ModelTableError

DESCRIPTION = """\
Serve OpenAI's fine-tuning REST API (files, uploads, fine_tuning jobs, events,
checkpoints, models) on this machine, backed by SQLite in the data directory.

SIMULATION: no model is trained. Jobs go validating_files -> queued -> running
-> succeeded with real event texts, checkpoints and a results file, but the loss
and accuracy curves are generated (deterministic per seed); a fine-tuned model
answers chat completions with its nearest training example's reply, labelled
[simulated] in system_fingerprint. Validation of uploaded training files is real (tunescope's
own checks) and fails jobs with the real error codes.

Point any OpenAI SDK at it:  OPENAI_BASE_URL=http://127.0.0.1:8765/v1
"""


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def register(subparsers) -> None:
    p = subparsers.add_parser("serve", help="run a local OpenAI-compatible fine-tuning API server (simulated training)",
                              description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; any other address needs --api-key)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="where the database and uploaded files live (default: tunescope's data directory /server)")
    p.add_argument("--speed", type=_positive_float, default=0.5, metavar="SECONDS",
                   help="seconds per simulated training step (default 0.5; 0.01 makes a job finish in seconds)")
    p.add_argument("--queue-delay", type=_positive_float, default=None, metavar="SECONDS",
                   help="seconds spent validating and again queued (default 4 x --speed)")
    p.add_argument("--api-key", default=None, metavar="KEY",
                   help="require 'Authorization: Bearer KEY' (or set TUNESCOPE_SERVE_API_KEY); never printed")
    p.add_argument("--strict-spec", action="store_true",
                   help="emit only what the OpenAPI spec allows (no real-world extras such as error: {} or status paused)")
    p.add_argument("--max-active-jobs", type=_positive_int, default=None, metavar="N",
                   help="answer 429 when creating a job while N jobs are unfinished")
    p.add_argument("--rpm", type=_positive_int, default=None, metavar="N", help="answer 429 beyond N requests per minute")
    p.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    p.set_defaults(func=run)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args) -> int:
    api_key = args.api_key or os.environ.get("TUNESCOPE_SERVE_API_KEY") or None
    if not _is_loopback(args.host) and not api_key:
        print(f"tunescope serve: binding {args.host} exposes the server beyond this machine; pass --api-key KEY "
              "(or set TUNESCOPE_SERVE_API_KEY) so that clients must authenticate, or use --host 127.0.0.1.",
              file=sys.stderr)
        return 2
    if not 0 <= args.port <= 65535:
        print(f"tunescope serve: --port {args.port} is not a valid port (0-65535)", file=sys.stderr)
        return 2

    import socket

    # uvicorn and starlette (the server's imports) stay off the start-up of every other command
    import uvicorn

    from tunescope.server.limits import protocol as timed_protocol
    from tunescope.server.app import DataDirBusy, ServerState, create_app, describe
    from tunescope.server.embedded import default_data_dir
    from tunescope.server.settings import ServerConfig

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        sock.close()
        print(f"tunescope serve: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    config = ServerConfig(data_dir=args.data_dir or default_data_dir(), speed=args.speed, queue_delay=args.queue_delay,
                          api_key=api_key, strict_spec=args.strict_spec, max_active_jobs=args.max_active_jobs,
                          requests_per_minute=args.rpm)
    try:
        state = ServerState(config)
    except (DataDirBusy, ModelTableError, OSError) as exc:
        sock.close()
        print(f"tunescope serve: {exc}", file=sys.stderr)
        return 2
    app = create_app(config, state)
    host_for_url = f"[{args.host}]" if ":" in args.host else args.host
    print(f"tunescope serve: SIMULATED fine-tuning API on http://{host_for_url}:{port}/v1 — {describe(config)}",
          file=sys.stderr, flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level=args.log_level, timeout_graceful_shutdown=3,
                                           http=timed_protocol(config.header_timeout)))
    try:
        server.run(sockets=[sock])
    finally:
        state.close()
        sock.close()
    return 0
