"""`tunescope serve`: a local server speaking OpenAI's fine-tuning REST API.

By default the trainer behind it is a SIMULATION: jobs move through the real lifecycle
and emit the real event texts, but no model is trained and the loss curves are
generated. Use it to try the workflow without an API key, for demos, and tests.
With `--trainer hf` (the `train` extra) jobs train open models for real (tunescope.train).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path

from tunescope import config as tunescope_config
from tunescope.tokens.models import ModelTableError
from tunescope.train.settings import (ADAPTERS, DEFAULT_LEARNING_RATE, DEFAULT_MAX_COMPLETION_LENGTH, DEFAULT_MAX_LENGTH,
                                      DEVICES, INSTALL_HINT,
                                      TrainSettings, missing_packages, parse_base_model)

DESCRIPTION = """\
Serve OpenAI's fine-tuning REST API (files, uploads, fine_tuning jobs, events,
checkpoints, models) on this machine, backed by SQLite in the data directory.

SIMULATION: no model is trained. Jobs go validating_files -> queued -> running
-> succeeded with real event texts, checkpoints and a results file, but the loss
and accuracy curves are generated (deterministic per seed); a fine-tuned model
answers chat completions with its nearest training example's reply, labelled
[simulated] in system_fingerprint. Validation of uploaded training files is real (tunescope's
own checks) and fails jobs with the real error codes.

REAL TRAINING: --trainer hf trains open models with TRL (needs the extra:
pip install 'tunescope[train]'). Base models come from --base-model NAME=PATH_OR_HUB_ID;
each job runs in its own process (through --launcher, e.g. accelerate launch), and
/v1/chat/completions answers with the base and fine-tuned models.

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
    p = subparsers.add_parser("serve", help="run a local OpenAI-compatible fine-tuning API server (simulated, or real training with --trainer hf)",
                              description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; any other address needs --api-key)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.add_argument("--data-dir", type=Path, default=None,
                   help=f"where the database and uploaded files live (default: {tunescope_config.data_dir() / 'server'})")
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
    hf = p.add_argument_group("real training (--trainer hf, needs pip install 'tunescope[train]')")
    hf.add_argument("--trainer", choices=("simulated", "hf"), default="simulated",
                    help="simulated (default): generated curves, no model; hf: train with TRL/transformers for real")
    hf.add_argument("--base-model", action="append", default=[], metavar="NAME=PATH_OR_HUB_ID",
                    help="a base model jobs can train and chat can use (repeatable): a local directory or a Hugging "
                         "Face id, listed in /v1/models as NAME")
    hf.add_argument("--adapter", choices=ADAPTERS, default="lora",
                    help="lora (default, PEFT adapters saved per job) or full (every weight is trained and saved)")
    hf.add_argument("--learning-rate", type=float, default=DEFAULT_LEARNING_RATE, metavar="X",
                    help=f"base learning rate that a job's learning_rate_multiplier scales (default {DEFAULT_LEARNING_RATE:g})")
    hf.add_argument("--max-length", type=_positive_int, default=DEFAULT_MAX_LENGTH, metavar="N",
                    help=f"tokens per example; longer ones are truncated with a warning event (default {DEFAULT_MAX_LENGTH})")
    hf.add_argument("--max-completion-length", type=_positive_int, default=DEFAULT_MAX_COMPLETION_LENGTH, metavar="N",
                    help="tokens a reinforcement (GRPO) job generates per completion at most "
                         f"(default {DEFAULT_MAX_COMPLETION_LENGTH})")
    hf.add_argument("--device", choices=DEVICES, default="auto",
                    help="where training and chat run: auto (a CUDA GPU when there is one), cpu or cuda")
    hf.add_argument("--launcher", default="", metavar="COMMAND",
                    help="prefix that starts each training process, e.g. 'accelerate launch --num_processes 8' "
                         "(data-parallel, FSDP or DeepSpeed through accelerate's config); default: plain python")
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

    factories, settings = {}, None
    if args.trainer == "hf":
        missing = missing_packages()
        if missing:
            print(f"tunescope serve: --trainer hf needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} "
                  f"not installed; install the train extra: {INSTALL_HINT}", file=sys.stderr)
            return 2
        try:
            settings = TrainSettings(base_models=dict(parse_base_model(b) for b in args.base_model),
                                     adapter=args.adapter, learning_rate=args.learning_rate,
                                     max_length=args.max_length, max_completion_length=args.max_completion_length,
                                     device=args.device, launcher=args.launcher)
        except ValueError as exc:
            print(f"tunescope serve: {exc}", file=sys.stderr)
            return 2
        if not settings.base_models:
            print("tunescope serve: --trainer hf needs at least one --base-model NAME=PATH_OR_HUB_ID "
                  "(e.g. --base-model qwen=Qwen/Qwen2.5-0.5B-Instruct)", file=sys.stderr)
            return 2
    elif args.base_model:
        print("tunescope serve: --base-model needs --trainer hf (the simulated trainer uses the model table)",
              file=sys.stderr)
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
    if settings is not None:
        from tunescope.server.chat.service import ChatChoice, ChatResult
        from tunescope.train.reward import unsupported_reason
        from tunescope.train.wiring import hf_factories, result_types

        config.base_models = settings.methods_of_base_models()
        config.grader_check = unsupported_reason
        factories = hf_factories(settings, result_types(ChatChoice, ChatResult))
    try:
        state = ServerState(config, **factories)
    except (DataDirBusy, ModelTableError, OSError) as exc:
        sock.close()
        print(f"tunescope serve: {exc}", file=sys.stderr)
        return 2
    app = create_app(config, state)
    host_for_url = f"[{args.host}]" if ":" in args.host else args.host
    kind = "SIMULATED" if settings is None else f"REAL (hf, {settings.adapter}, models: {', '.join(settings.base_models)})"
    print(f"tunescope serve: {kind} fine-tuning API on http://{host_for_url}:{port}/v1 — {describe(config)}",
          file=sys.stderr, flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level=args.log_level, timeout_graceful_shutdown=3,
                                           http=timed_protocol(config.header_timeout)))
    # connections queue from here on; other tunescope processes on this data dir read the address and use it
    sock.listen(2048)
    local_host = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(args.host, host_for_url)
    state.announce(f"http://{local_host}:{port}/v1")
    try:
        server.run(sockets=[sock])
    finally:
        state.close()
        sock.close()
    return 0
