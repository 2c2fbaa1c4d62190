"""/v1/chat/completions: validate the body, find the model, ask the responder, answer (or stream) it."""

from __future__ import annotations

import time

import orjson
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.responses import StreamingResponse
from starlette.routing import Route

from tunescope.server import ids
from tunescope.server.chat.service import ChatRequest, deltas_of
from tunescope.server.chat.service import completion_obj
from tunescope.server.errors import APIError, bad_request, invalid_type, missing, not_found
from tunescope.server.http import ok, read_json, state

ROLES = ("system", "developer", "user", "assistant", "tool", "function")


def _number(body: dict, name: str, lo: float, hi: float) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid_type(name, "a number", value)
    if not lo <= value <= hi:
        raise bad_request(f"Invalid '{name}': expected a value between {lo:g} and {hi:g}, but got {value} instead.",
                          param=name, code="invalid_value")
    return float(value)


def _integer(body: dict, name: str, lo: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid_type(name, "an integer", value)
    if value < lo:
        raise bad_request(f"Invalid '{name}': integer below minimum value. Expected a value >= {lo}, but got {value} "
                          "instead.", param=name, code="integer_below_min_value")
    return value


def parse_request(body: dict) -> ChatRequest:
    """The body as a `ChatRequest`, or the 400 the real API gives."""
    model = body.get("model")
    if not model:
        raise missing("model")
    if not isinstance(model, str):
        raise invalid_type("model", "a string", model)
    messages = body.get("messages")
    if messages is None:
        raise missing("messages")
    if not isinstance(messages, list) or not messages:
        raise bad_request("Invalid 'messages': expected a non-empty array of messages.", param="messages",
                          code="invalid_value")
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise bad_request(f"Invalid value for 'messages[{i}].role': expected one of {', '.join(ROLES)}.",
                              param=f"messages[{i}].role", code="invalid_value")
    tools = body.get("tools")
    if tools is not None and not isinstance(tools, list):
        raise invalid_type("tools", "an array", tools)
    stop = body.get("stop")
    stops = [stop] if isinstance(stop, str) else list(stop or [])
    if not all(isinstance(s, str) for s in stops) or len(stops) > 4:
        raise bad_request("Invalid 'stop': expected a string or up to 4 strings.", param="stop", code="invalid_value")
    max_tokens = _integer(body, "max_completion_tokens", 1)
    if max_tokens is None:
        max_tokens = _integer(body, "max_tokens", 1)
    return ChatRequest(
        model=model, messages=messages, tools=tools or None,
        temperature=_number(body, "temperature", 0, 2), top_p=_number(body, "top_p", 0, 1),
        max_tokens=max_tokens, seed=_integer(body, "seed", -(2**63)), stop=stops,
        n=_integer(body, "n", 1) or 1, stream=bool(body.get("stream")), body=body,
    )


def _respond(server, request: ChatRequest):
    try:
        return server.responder.complete(request)
    except LookupError as exc:
        raise not_found(str(exc) or f"The model '{request.model}' does not exist or you do not have access to it.",
                        param="model", code="model_not_found") from None
    except ValueError as exc:
        raise bad_request(str(exc), code="invalid_value") from None


async def create_chat_completion(request):
    server = state(request)
    chat = parse_request(await read_json(request))
    model, _, _ = server.models.find(server.models.table.resolve(chat.model) or chat.model)  # aliases: the snapshot
    if not chat.stream:
        result = await run_in_threadpool(_respond, server, chat)
        return ok(completion_obj(chat, result, model))
    stream = getattr(server.responder, "stream", None)
    if stream is None:
        result = await run_in_threadpool(_respond, server, chat)
        deltas = deltas_of(result)
    else:
        deltas = stream(chat)
    return StreamingResponse(_sse(deltas, model), media_type="text/event-stream")


async def _sse(deltas, model: str):
    """Server-sent `chat.completion.chunk` events, then `data: [DONE]`."""
    completion_id, created = ids.chat_completion_id(), int(time.time())
    started: set[int] = set()
    try:
        async for delta in iterate_in_threadpool(deltas):
            piece: dict = {}
            if delta.index not in started:
                started.add(delta.index)
                piece["role"] = "assistant"
            if delta.content is not None:
                piece["content"] = delta.content
            chunk = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
                     "choices": [{"index": delta.index, "delta": piece, "logprobs": None,
                                  "finish_reason": delta.finish_reason}]}
            yield b"data: " + orjson.dumps(chunk) + b"\n\n"
    except (LookupError, ValueError, APIError) as exc:
        err = {"error": {"message": str(exc), "type": "invalid_request_error", "param": None, "code": None}}
        yield b"data: " + orjson.dumps(err) + b"\n\n"
    yield b"data: [DONE]\n\n"


ROUTES = [Route("/chat/completions", create_chat_completion, methods=["POST"])]
