"""Chat completions: the request as the API defines it, and the seam a model plugs into.

`POST /v1/chat/completions` is what evaluation (and any chat client) calls. The route parses and
validates the body into a `ChatRequest`, checks that the model exists (`ModelsService.find`), and
asks a `ChatResponder` for the answer. The server never knows how answers are made:

- `SimulatedResponder` (simulated.py, the default) answers without a model, visibly labelled;
- the real trainer's responder (`tunescope.train`, wired in by `commands/serve.py`) runs the base
  model or base plus adapter through `transformers`.

A responder raises `LookupError` for a model it cannot serve (404 `model_not_found`) and
`ValueError` for a request it cannot honour (400); the route turns both into the real error shape.
It may also offer `stream(request)`, yielding `ChatDelta`s; without it the route streams the
complete answer in pieces.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterator, Protocol

from tunescope.server import ids


@dataclass(frozen=True)
class ChatRequest:
    """One validated request; `body` keeps everything, for responders that honour more."""

    model: str
    messages: list[dict]
    tools: list[dict] | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    seed: int | None = None
    stop: list[str] = field(default_factory=list)
    n: int = 1
    stream: bool = False
    body: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ChatChoice:
    """One answer: text and/or tool calls (`[{"id", "type": "function", "function": {name, arguments}}]`)."""

    content: str | None
    tool_calls: list[dict] | None = None
    finish_reason: str = "stop"


@dataclass(frozen=True)
class ChatResult:
    choices: list[ChatChoice]
    prompt_tokens: int
    completion_tokens: int
    system_fingerprint: str | None = None


@dataclass(frozen=True)
class ChatDelta:
    """A piece of a streamed answer; the last one of each choice carries `finish_reason`."""

    index: int
    content: str | None = None
    finish_reason: str | None = None


class ChatResponder(Protocol):
    def complete(self, request: ChatRequest) -> ChatResult:
        """Answer the request (blocking; the route runs it off the event loop)."""


def completion_obj(request: ChatRequest, result: ChatResult, model: str) -> dict:
    """The `chat.completion` object the real API answers with."""
    choices = []
    for i, choice in enumerate(result.choices):
        message: dict = {"role": "assistant", "content": choice.content, "refusal": None}
        if choice.tool_calls:
            message["tool_calls"] = choice.tool_calls
        choices.append({"index": i, "message": message, "logprobs": None, "finish_reason": choice.finish_reason})
    return {
        "id": ids.chat_completion_id(), "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": choices,
        "usage": {"prompt_tokens": result.prompt_tokens, "completion_tokens": result.completion_tokens,
                  "total_tokens": result.prompt_tokens + result.completion_tokens},
        "system_fingerprint": result.system_fingerprint,
    }


def deltas_of(result: ChatResult, piece: int = 16) -> Iterator[ChatDelta]:
    """A complete answer cut into stream deltas (for responders that cannot stream)."""
    for i, choice in enumerate(result.choices):
        text = choice.content or ""
        for start in range(0, len(text), piece):
            yield ChatDelta(i, text[start:start + piece])
        yield ChatDelta(i, None, choice.finish_reason)
