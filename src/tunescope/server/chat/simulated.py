"""The default responder of `tunescope serve`: answers without a model, and says so.

- A base model gets a generic reply that starts with `[simulated]`.
- A fine-tuned model made by a job of this server "has memorised" its training file: it answers
  with the reply of the training example whose prompt is nearest to the request (rapidfuzz ratio
  over the conversation's text). The reply is the example's text unchanged, so exact-match
  evaluation of a fine-tune on its own training file passes; the response's `system_fingerprint`
  carries the `[simulated]` label instead (`[simulated] nearest training example, line N`).
- A checkpoint at step s of T has memorised the first s/T of the examples; for the others it
  gives the labelled generic reply, so evaluation scores rise from checkpoint to checkpoint.

It exists so that chat clients, evaluation and the app's Compare screen can be tried offline.
"""

from __future__ import annotations

import threading

import orjson
from rapidfuzz import fuzz, process

from tunescope.dataset.records import content_text, messages_of
from tunescope.server.chat.service import ChatChoice, ChatRequest, ChatResult

SIMULATION_MARK = "[simulated]"


def _words(messages: list[dict]) -> int:
    total = 0
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            total += len(content.split())
        elif isinstance(content, list):
            total += sum(len(str(part.get("text", "")).split()) for part in content if isinstance(part, dict))
    return total


def prompt_text(messages: list) -> str:
    """A conversation as one string (role: text per message), what nearness is measured on."""
    return "\n".join(f"{m.get('role')}: {content_text(m.get('content'))}" for m in messages if isinstance(m, dict))


def _pair(obj: dict) -> tuple[str, str | None, list | None] | None:
    """(prompt text, reply text, reply tool calls) of a chat or DPO training record."""
    preferred = obj.get("preferred_output")
    messages = messages_of(obj)
    if not isinstance(messages, list):
        return None
    if isinstance(preferred, list) and preferred and isinstance(preferred[-1], dict):
        reply, prompt = preferred[-1], messages
    else:
        last = max((i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == "assistant"),
                   default=None)
        if not last:
            return None
        reply, prompt = messages[last], messages[:last]
    content = reply.get("content")
    calls = reply.get("tool_calls") if isinstance(reply.get("tool_calls"), list) else None
    return prompt_text(prompt), content_text(content) if content is not None else None, calls


class _TrainingFile:
    """The prompts and replies of one training file, read once."""

    def __init__(self, path) -> None:
        self.prompts: list[str] = []
        self.replies: list[tuple[str | None, list | None, int]] = []
        try:
            with open(path, "rb") as fh:
                for number, raw in enumerate(fh, 1):
                    try:
                        obj = orjson.loads(raw)
                    except orjson.JSONDecodeError:
                        continue
                    pair = _pair(obj) if isinstance(obj, dict) else None
                    if pair is not None:
                        self.prompts.append(pair[0])
                        self.replies.append((pair[1], pair[2], number))
        except OSError:
            pass

    def nearest(self, text: str) -> tuple[int, str | None, list | None, int] | None:
        """(index, reply, tool calls, line) of the example nearest to `text`."""
        if not self.prompts:
            return None
        _, _, index = process.extractOne(text, self.prompts, scorer=fuzz.ratio)
        reply, calls, line = self.replies[index]
        return index, reply, calls, line


class SimulatedResponder:
    """Nearest training reply for this server's fine-tunes, a generic labelled reply for everything else."""

    def __init__(self, jobs=None, config=None) -> None:
        self.jobs, self.config = jobs, config
        self._files: dict[str, _TrainingFile] = {}
        self._lock = threading.Lock()

    def _generic(self, request: ChatRequest, note: str = "") -> str:
        return (f"{SIMULATION_MARK} This is tunescope serve's simulated trainer: no model answered{note}. "
                f"Start the server with --trainer hf to chat with a real model ({request.model}).")

    def _fine_tune(self, model: str) -> tuple[str, float] | None:
        """(job id, share of the training file memorised) of a fine-tuned or checkpoint model made here."""
        if self.jobs is None:
            return None
        row = self.jobs.store.get_model(model)
        if row and row.get("job_id"):
            return row["job_id"], 1.0
        ckpt = self.jobs.store.checkpoint_by_model(model) if ":ckpt-step-" in model else None
        if ckpt is None:
            return None
        run = self.jobs.run(ckpt["job_id"])
        share = ckpt["step"] / run.total_steps if run and run.total_steps else 1.0
        return ckpt["job_id"], share

    def _training_file(self, job_id: str) -> _TrainingFile:
        doc = self.jobs.get(job_id)
        file_id = doc["training_file"]
        with self._lock:
            if file_id not in self._files:
                self._files[file_id] = _TrainingFile(self.jobs.files.path(file_id))
            return self._files[file_id]

    def complete(self, request: ChatRequest) -> ChatResult:
        found = self._fine_tune(request.model)
        fingerprint = None
        choice = None
        if found is not None:
            job_id, share = found
            training = self._training_file(job_id)
            near = training.nearest(prompt_text(request.messages))
            if near is not None and near[0] < share * len(training.prompts):
                _, reply, calls, line = near
                fingerprint = f"{SIMULATION_MARK} nearest training example, line {line} of {job_id}"
                choice = ChatChoice(reply, calls, "tool_calls" if calls else "stop")
        if choice is None:
            note = " (this checkpoint has not memorised this example yet)" if found else ""
            text = self._generic(request, note)
            if request.max_tokens is not None:
                text = " ".join(text.split()[: max(1, request.max_tokens)])
            choice = ChatChoice(text, finish_reason="stop")
        choices = [choice] * request.n
        answer_words = len((choice.content or "").split()) + len(orjson.dumps(choice.tool_calls or [])) // 8
        return ChatResult(choices, prompt_tokens=_words(request.messages), completion_tokens=answer_words * request.n,
                          system_fingerprint=fingerprint)
