"""Fixtures: an embedded local server on 127.0.0.1 driven by the real openai SDK over HTTP."""

from __future__ import annotations

import json

import openai
import pytest

from tests.factories import write_lines
from tunescope.jobs.client import JobsClient
from tunescope.server.embedded import start_embedded

FAST = {"speed": 0.002, "queue_delay": 0.05}
FAKE_KEY = "sk-test-SECRETKEY-0123456789abcdefWXYZ"


@pytest.fixture
def server(tmp_path):
    srv = start_embedded(tmp_path / "server", **FAST)
    yield srv
    srv.stop()


@pytest.fixture
def sdk(server):
    client = openai.OpenAI(base_url=server.base_url, api_key=FAKE_KEY, max_retries=0, timeout=30)
    yield client
    client.close()


@pytest.fixture
def jobs(sdk):
    return JobsClient(sdk)


def chat_line(i: int, messages=None) -> str:
    messages = messages or [{"role": "system", "content": "You answer briefly."},
                            {"role": "user", "content": f"What is {i} plus {i}?"},
                            {"role": "assistant", "content": f"{i} plus {i} is {2 * i}."}]
    return json.dumps({"messages": messages})


def write_chat(path, n: int = 12, overrides: dict | None = None):
    """A clean chat JSONL of n examples; `overrides` maps a 1-based line to its messages list."""
    overrides = overrides or {}
    return write_lines(path, [chat_line(i, overrides.get(i)) for i in range(1, n + 1)])
