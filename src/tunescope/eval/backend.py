"""Chat completions on one open backend: model names resolved, 429 and Retry-After honoured, answers cached.

`ChatBackend` wraps a `tunescope.jobs.connection.Connection` (the same one `tunescope jobs` opens
for a profile), so OpenAI, Azure, any compatible server and the local server all work. Model names
may be served names, a job id (its fine-tuned model) or `JOB:ckpt-N` (the checkpoint at step N).
"""

from __future__ import annotations

import email.utils
import threading
import time
from typing import Callable

import openai

from tunescope.eval.cache import AnswerCache, request_key
from tunescope.jobs.errors import JobsError, redact

MAX_RATE_RETRIES = 8
MAX_OTHER_RETRIES = 2
MAX_WAIT = 120.0
"""Seconds at most between tries (a longer Retry-After is cut to this)."""


class Stopped(Exception):
    """The run was stopped while waiting."""


def retry_after(exc: openai.APIStatusError, attempt: int) -> float:
    """Seconds to wait before the next try: the `Retry-After` header (seconds or an HTTP date), else backoff."""
    header = exc.response.headers.get("retry-after") if exc.response is not None else None
    if header:
        try:
            return min(MAX_WAIT, max(0.0, float(header)))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(header) if header else None
            if parsed is not None:
                return min(MAX_WAIT, max(0.0, parsed.timestamp() - time.time()))
    return min(MAX_WAIT, 0.5 * 2 ** attempt)


class ChatBackend:
    """Asks models for answers over one connection; counts requests, 429s and cache hits."""

    def __init__(self, connection, cache: AnswerCache | None = None,
                 sleep: Callable[[float], None] | None = None, stop: threading.Event | None = None) -> None:
        self.connection = connection
        self.client = connection.client
        jobs = connection.jobs
        self.identity = getattr(jobs, "server_id", None) or f"{connection.profile.kind}:{self.client.base_url}"
        self.secrets = tuple(getattr(jobs, "secrets", ()))
        self.cache = cache
        self.stop = stop or threading.Event()
        self._sleep = sleep
        self.requests = self.rate_limited = 0
        self.waits: list[float] = []
        self._lock = threading.Lock()
        self._resolved: dict[str, str] = {}

    # -- names ---------------------------------------------------------------------------
    def resolve(self, name: str) -> str:
        """The model id to send for `name` (a job id or JOB:ckpt-N resolved through the jobs API)."""
        if name in self._resolved:
            return self._resolved[name]
        job_id, _, ckpt = name.partition(":ckpt-")
        if not job_id.startswith("ftjob-"):
            return name
        job = self.connection.jobs.get(job_id)
        if ckpt:
            steps = {c.step: c.model for c in self.connection.jobs.checkpoints(job_id)}
            if not ckpt.isdigit() or int(ckpt) not in steps:
                known = ", ".join(f"{job_id}:ckpt-{s}" for s in sorted(steps)) or "none yet"
                raise JobsError(f"{name}: no checkpoint at step {ckpt}; the job has {known}", kind="not_found")
            model = steps[int(ckpt)]
        elif not job.fine_tuned_model:
            raise JobsError(f"{job_id} has no fine-tuned model yet (status {job.status}); wait until it "
                            "succeeds or name a checkpoint (JOB:ckpt-N)", kind="not_found")
        else:
            model = job.fine_tuned_model
        self._resolved[name] = model
        return model

    def with_checkpoints(self, names: list[str]) -> list[str]:
        """`names` with every job id preceded by its kept checkpoints (`JOB:ckpt-N`, lowest step first; the
        last checkpoint is the fine-tuned model itself, so it is not repeated)."""
        out: list[str] = []
        for name in names:
            if name.startswith("ftjob-") and ":ckpt-" not in name:
                job = self.connection.jobs.get(name)
                for ckpt in self.connection.jobs.checkpoints(name):
                    if ckpt.model != job.fine_tuned_model:
                        out.append(f"{name}:ckpt-{ckpt.step}")
            out.append(name)
        return list(dict.fromkeys(out))

    # -- requests ------------------------------------------------------------------------
    def _wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self._sleep is not None:
            self._sleep(seconds)
        elif self.stop.wait(seconds):
            raise Stopped()
        if self.stop.is_set():
            raise Stopped()

    def is_cached(self, model: str, request: dict) -> bool:
        return self.cache is not None and self.cache.has(request_key(self.identity, model, request))

    def answer(self, model: str, request: dict) -> tuple[dict, bool]:
        """(answer, from_cache): `{text, tool_calls, latency_ms, prompt_tokens, completion_tokens}` or `{error}`."""
        key = request_key(self.identity, model, request)
        if self.cache is not None:
            cached = self.cache.get(key)
            if cached is not None:
                return cached, True
        answer = self._ask(model, request)
        if self.cache is not None and "error" not in answer:
            self.cache.put(key, self.identity, model, answer)
        return answer, False

    def _ask(self, model: str, request: dict) -> dict:
        rate_tries = other_tries = 0
        while True:
            if self.stop.is_set():
                raise Stopped()
            started = time.perf_counter()
            with self._lock:
                self.requests += 1
            try:
                out = self.client.chat.completions.create(model=model, **request)
            except openai.RateLimitError as exc:
                with self._lock:
                    self.rate_limited += 1
                if rate_tries >= MAX_RATE_RETRIES:
                    return {"error": self._message(exc)}
                self._wait(retry_after(exc, rate_tries))
                rate_tries += 1
                continue
            except (openai.APIConnectionError, openai.InternalServerError) as exc:
                if other_tries >= MAX_OTHER_RETRIES:
                    return {"error": self._message(exc)}
                self._wait(0.5 * 2 ** other_tries)
                other_tries += 1
                continue
            except openai.OpenAIError as exc:
                return {"error": self._message(exc)}
            return _answer_of(out, (time.perf_counter() - started) * 1000)

    def _message(self, exc: Exception) -> str:
        body = getattr(exc, "body", None)
        text = body.get("message") if isinstance(body, dict) and body.get("message") else str(exc)
        return redact(" ".join(str(text).split()), self.secrets)


def _answer_of(completion, latency_ms: float) -> dict:
    choice = completion.choices[0] if completion.choices else None
    message = choice.message if choice else None
    calls = None
    if message is not None and message.tool_calls:
        calls = [{"id": c.id, "type": "function",
                  "function": {"name": c.function.name, "arguments": c.function.arguments}} for c in message.tool_calls]
    usage = completion.usage
    return {"text": message.content if message else None, "tool_calls": calls, "latency_ms": round(latency_ms, 1),
            "prompt_tokens": usage.prompt_tokens if usage else None,
            "completion_tokens": usage.completion_tokens if usage else None,
            "fingerprint": completion.system_fingerprint}
