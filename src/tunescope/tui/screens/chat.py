"""A small chat with a fine-tuned model, on the backend that trained it (key t on the jobs screen).

After a job succeeds the first question is "does it answer the way I trained it?", so the jobs
screen opens this pane on the job's `fine_tuned_model`: each message goes to the backend's
`chat.completions` (the same `openai` client the jobs use) in a thread worker, with the whole
conversation so far; errors come back through `sdk_errors` (keys never shown) and the turn can be
retried. The evaluation screen does the side-by-side comparison; this is the quick look.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tunescope.jobs.errors import JobsError, sdk_errors
from tunescope.tui import keymap

MAX_TOKENS = 512


class ChatScreen(ModalScreen[None]):
    """Chat with `model` through `backend` (a JobsBackend); the conversation lives until the pane closes."""

    BINDINGS = keymap.CHAT_BINDINGS
    DEFAULT_CSS = """
    ChatScreen { align: center middle; background: $background 60%; }
    ChatScreen > Vertical { width: 90%; height: 80%; background: $surface; border: thick $primary;
                            border-title-style: bold; padding: 0 1; }
    ChatScreen #chat-log { height: 1fr; }
    ChatScreen .chat-user { color: $text-accent; margin-top: 1; }
    ChatScreen .chat-assistant { color: $text; }
    ChatScreen .chat-error { color: $text-error; }
    ChatScreen #chat-status { height: auto; color: $text-muted; }
    ChatScreen ToastHolder { display: none; }
    """

    def __init__(self, backend, model: str) -> None:
        super().__init__()
        self.backend, self.model = backend, model
        self.messages: list[dict] = []
        self.waiting = False

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = f"Chat · {self.model}"
            yield VerticalScroll(id="chat-log")
            yield Static(f"{self.backend.describe()} · enter sends · esc closes", id="chat-status", markup=False)
            yield Input(placeholder="Message the fine-tuned model", id="chat-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def say(self, role: str, text: str) -> None:
        log = self.query_one("#chat-log", VerticalScroll)
        prefix = {"user": "you", "assistant": self.model, "error": "error"}[role]
        log.mount(Static(f"{prefix}: {text}", classes=f"chat-{role}", markup=False))
        log.scroll_end(animate=False)

    @on(Input.Submitted, "#chat-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text or self.waiting:
            return
        event.input.value = ""
        self.messages.append({"role": "user", "content": text})
        self.say("user", text)
        self.waiting = True
        self.query_one("#chat-status", Static).update("waiting for the model …")
        self.ask(list(self.messages))

    @work(thread=True, exclusive=True, group="chat", exit_on_error=False)
    def ask(self, messages: list[dict]) -> None:
        try:
            jobs = self.backend.jobs()
            with sdk_errors("chat with the model", jobs.host, jobs.secrets):
                reply = self.backend.connection().client.chat.completions.create(
                    model=self.model, messages=messages, max_tokens=MAX_TOKENS)
            answer, failure = reply.choices[0].message.content or "", None
        except JobsError as exc:
            answer, failure = None, str(exc)
        except Exception as exc:  # noqa: BLE001 - a broken connection: said in the pane, never a traceback
            answer, failure = None, f"{type(exc).__name__}: the backend could not be reached"
        self.app.call_from_thread(self.answered, answer, failure)

    def answered(self, answer: str | None, failure: str | None) -> None:
        if not self.is_attached:
            return
        self.waiting = False
        if failure is not None:
            self.messages.pop()           # the turn did not happen: type it again to retry
            self.say("error", failure)
        else:
            self.messages.append({"role": "assistant", "content": answer})
            self.say("assistant", answer)
        self.query_one("#chat-status", Static).update(f"{self.backend.describe()} · enter sends · esc closes")

    def action_close(self) -> None:
        self.dismiss(None)
