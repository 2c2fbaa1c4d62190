"""One clear, actionable message per SDK failure, with secrets scrubbed.

The openai SDK raises a different exception class per HTTP status; a user wants
to know what went wrong and what to do, never a traceback. `JobsError.kind`
lets callers pick an exit code or an icon without parsing text.
"""

from __future__ import annotations

import contextlib
import re
from typing import Iterator

_KEYLIKE = re.compile(r"\b(sk-[A-Za-z0-9_\-]{6,}|[A-Fa-f0-9]{32,})\b")


def mask_key(key: str | None) -> str:
    """At most "sk-...abcd": enough to tell keys apart, never enough to use one."""
    if not key:
        return "(none)"
    tail = key[-4:] if len(key) >= 12 else ""
    head = "sk-" if key.startswith("sk-") else ""
    return f"{head}...{tail}" if tail else "***"


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Remove known secrets and anything that looks like an API key from a message."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, mask_key(secret))
    return _KEYLIKE.sub(lambda m: mask_key(m.group(0)), text)


class JobsError(Exception):
    """A job-side failure with a message meant for people.

    kind: auth, permission, not_found, bad_request, conflict, rate_limit, connection,
    timeout, server, config, preflight, unsupported.
    """

    def __init__(self, message: str, kind: str = "error", status: int | None = None,
                 request_id: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.status = status
        self.request_id = request_id
        self.code = code

    def __str__(self) -> str:
        return self.message


class BackendError(JobsError):
    """A backend profile or provider that cannot be used as given (kind "config")."""

    def __init__(self, message: str):
        super().__init__(message, kind="config")


def _server_text(exc) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
    return str(getattr(exc, "message", "") or exc)


def from_sdk(exc: BaseException, action: str, host: str = "the server", secrets: tuple[str, ...] = ()) -> JobsError:
    """Translate an openai SDK exception raised while doing `action` (e.g. "cancel ftjob-…")."""
    import openai

    status = getattr(exc, "status_code", None)
    rid = getattr(exc, "request_id", None)
    code = getattr(exc, "code", None)
    said = redact(_server_text(exc), secrets).strip().rstrip(".")
    where = host
    if isinstance(exc, openai.APITimeoutError):
        msg, kind = (f"{action}: {where} did not answer in time. Check the network or try again later.", "timeout")
    elif isinstance(exc, openai.APIConnectionError):
        msg, kind = (f"{action}: cannot connect to {where}. Check the address (--base-url/--azure-endpoint), "
                     "your network or proxy, and that the server is running.", "connection")
    elif isinstance(exc, openai.AuthenticationError):
        msg, kind = (f"{action}: {where} rejected the API key (401: {said}). Set a valid key in the environment "
                     "variable of this backend (OPENAI_API_KEY, AZURE_OPENAI_API_KEY or --api-key-env VAR).", "auth")
    elif isinstance(exc, openai.PermissionDeniedError):
        msg, kind = (f"{action}: permission denied by {where} (403: {said}). This key or project may not have "
                     "fine-tuning access: OpenAI restricts fine-tuning access and stops accepting new jobs on "
                     "2027-01-06. Ask your admin, or use another backend (--backend azure, compatible or local).",
                     "permission")
    elif isinstance(exc, openai.NotFoundError) or status == 405:
        if status == 405 or said.startswith("Invalid URL"):
            msg, kind = (f"{action}: {where} does not offer this operation ({said}). "
                         "Not every OpenAI-compatible backend supports it.", "unsupported")
        elif "model" in said.lower():
            msg, kind = (f"{action}: {said} on {where}. Check the model name: it must be a base model this "
                         "account can fine-tune, a fine-tuned model, or (Azure) a model available in the region.",
                         "not_found")
        else:
            extra = "" if "No such" in said else " (some compatible backends also answer 404 for operations they lack)"
            msg, kind = (f"{action}: not found on {where} ({said}). Check the id with `tunescope jobs list`{extra}.",
                         "not_found")
    elif isinstance(exc, openai.RateLimitError):
        hint = ("Your quota is used up: check billing." if code in ("insufficient_quota", "exceeded_quota")
                else "Wait a little and try again, or finish or cancel running jobs first.")
        msg, kind = (f"{action}: rate limit or quota reached on {where} (429: {said}). {hint}", "rate_limit")
    elif isinstance(exc, openai.ConflictError):
        msg, kind = (f"{action}: conflict on {where} (409: {said}).", "conflict")
    elif isinstance(exc, openai.BadRequestError):
        msg, kind = (f"{action}: {where} refused the request (400: {said}).", "bad_request")
    elif isinstance(exc, openai.UnprocessableEntityError):
        msg, kind = (f"{action}: {where} could not process the request (422: {said}).", "bad_request")
    elif isinstance(exc, openai.InternalServerError):
        msg, kind = (f"{action}: {where} had an internal error ({status}: {said}). Try again later.", "server")
    elif isinstance(exc, openai.APIStatusError):
        msg, kind = (f"{action}: {where} answered {status}: {said}.", "server")
    elif isinstance(exc, openai.APIResponseValidationError):
        msg, kind = (f"{action}: {where} sent a response the openai SDK could not read ({said}).", "server")
    else:
        msg, kind = (f"{action}: {redact(str(exc), secrets)}", "error")
    return JobsError(msg, kind=kind, status=status, request_id=rid, code=code)


@contextlib.contextmanager
def sdk_errors(action: str, host: str = "the server", secrets: tuple[str, ...] = ()) -> Iterator[None]:
    """`with sdk_errors("list jobs", host):` turns SDK exceptions into JobsError."""
    import openai

    try:
        yield
    except JobsError:
        raise
    except openai.OpenAIError as exc:
        raise from_sdk(exc, action, host, secrets) from None
