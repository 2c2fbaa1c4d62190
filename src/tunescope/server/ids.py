"""Identifiers in the real API's formats (see finetuning-api.md §4).

`ftjob-`/`ftevent-`/`ftckpt_`/`file-` + 24 base62 characters, fine-tuned model
names `ft:<base>:<org>:<suffix>:<8 chars>`; random but never reused.
"""

from __future__ import annotations

import re
import secrets
import string
import uuid

ALPHABET = string.ascii_letters + string.digits
ORG_SLUG = "local"
"""Organisation slug inside fine-tuned model names; says where the model came from."""

_ID_RE = re.compile(r"^[A-Za-z0-9_:.\-]{1,256}$")
FILE_ID_RE = re.compile(r"^file-[A-Za-z0-9]{1,64}$")


def base62(n: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


def job_id() -> str:
    return "ftjob-" + base62(24)


def event_id() -> str:
    return "ftevent-" + base62(24)


def checkpoint_id() -> str:
    return "ftckpt_" + base62(24)


def file_id() -> str:
    return "file-" + base62(24)


def upload_id() -> str:
    return "upload_" + base62(24)


def part_id() -> str:
    return "part_" + base62(24)


def org_id() -> str:
    return "org-" + base62(24)


def request_id() -> str:
    return "req_" + uuid.uuid4().hex


def chat_completion_id() -> str:
    return "chatcmpl-" + uuid.uuid4().hex[:29]


def model_name(base: str, suffix: str | None, short: str | None = None) -> str:
    return f"ft:{base}:{ORG_SLUG}:{suffix or ''}:{short or base62(8)}"


def checkpoint_model_name(base: str, suffix: str | None, step: int) -> str:
    return f"{model_name(base, suffix)}:ckpt-step-{step}"


def plausible_id(value: str) -> bool:
    """Cheap sanity check for ids taken from URLs before they reach the store."""
    return bool(_ID_RE.match(value))
