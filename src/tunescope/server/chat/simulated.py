"""The default responder of `tunescope serve`: answers without a model, and says so.

Every reply starts with `[simulated]`, so nobody mistakes it for a model's output. It exists so
that chat clients, evaluation and the app's chat pane can be tried end to end offline.
"""

from __future__ import annotations

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


class SimulatedResponder:
    """A generic labelled reply for every model."""

    def __init__(self, jobs=None, config=None) -> None:
        self.jobs, self.config = jobs, config

    def complete(self, request: ChatRequest) -> ChatResult:
        text = (f"{SIMULATION_MARK} This is tunescope serve's simulated trainer: no model answered. "
                f"Start the server with --trainer hf to chat with a real model ({request.model}).")
        if request.max_tokens is not None:
            text = " ".join(text.split()[: max(1, request.max_tokens)])
        choices = [ChatChoice(text, finish_reason="stop") for _ in range(request.n)]
        return ChatResult(choices, prompt_tokens=_words(request.messages), completion_tokens=len(text.split()) * request.n)
