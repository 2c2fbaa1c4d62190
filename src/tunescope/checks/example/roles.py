"""Conversation shape: the facts the message walk gathers, and the required roles and their order.

The walk (messages.py) fills a `Conversation`; the order checks here read it.
Deliberately NOT flagged: two assistant messages in a row (OpenAI allows it),
tool messages, a conversation that starts without a system message.
CONSECUTIVE_USER_MESSAGES is declared here with the other role checks; the walk
emits it as it meets the second user turn.
"""

from __future__ import annotations

from tunescope.checks.context import Ctx, an
from tunescope.checks.registry import E, W, I, check

MISSING_ASSISTANT_MESSAGE = check("missing_assistant_message", E, "roles", "No assistant message",
                                  "Supervised examples need at least one assistant message (R01).", ref="R01")
MISSING_USER_MESSAGE = check("missing_user_message", W, "roles", "No user message",
                             "The example has no user message (R03).", ref="R03")
LAST_MESSAGE_NOT_ASSISTANT = check("last_message_not_assistant", W, "roles", "Trailing non-assistant message",
                                   "Tokens after the last assistant reply are billed but not learned (R05).", ref="R05")
SYSTEM_NOT_FIRST = check("system_not_first", W, "roles", "System message not first",
                         "The system message is not at the start (R06).", ref="R06")
MULTIPLE_SYSTEM_MESSAGES = check("multiple_system_messages", W, "roles", "Several system messages",
                                 "More than one system/developer message (R06).", ref="R06")
CONSECUTIVE_USER_MESSAGES = check("consecutive_user_messages", I, "roles", "Consecutive user messages",
                                  "Two user turns in a row (R04); allowed by OpenAI.", ref="R04")
RFT_LAST_MESSAGE_NOT_USER = check("rft_last_message_not_user", W, "reinforcement", "RFT prompt does not end with user",
                                  "Reinforcement prompts should end with a user/developer turn (X04).", ref="X04")


class Conversation:
    """Facts gathered by the walk (no texts beyond the few the analysis keeps)."""

    __slots__ = ("system_text", "final_reply", "n_assistant", "n_user", "n_trained", "images", "last_role",
                 "system_positions")

    def __init__(self) -> None:
        self.system_text: str | None = None
        self.final_reply: str | None = None
        self.n_assistant = 0
        self.n_user = 0
        self.n_trained = 0
        self.images = 0
        self.last_role: str | None = None
        self.system_positions: list[int] = []


def check_supervised_order(ctx: Ctx, conv: Conversation, n: int, prefix: str = "$.messages") -> None:
    if conv.n_assistant == 0:
        ctx.add(MISSING_ASSISTANT_MESSAGE,
                f"Invalid file format. {ctx.where()} has no assistant message; supervised fine-tuning learns "
                "from assistant messages, so this example teaches nothing.",
                "Add the assistant reply, or delete the example. (If this is reinforcement fine-tuning data, "
                "check it with --method reinforcement.)", path=prefix)
    elif conv.last_role != "assistant" and conv.last_role is not None:
        ctx.add(LAST_MESSAGE_NOT_ASSISTANT,
                f"{ctx.where()} ends with {an(conv.last_role)} message: its tokens are billed but nothing after the "
                "last assistant reply is learned.",
                "Drop the trailing message(s), or add the assistant reply they ask for.",
                path=f"{prefix}[{n - 1}]", message_index=n - 1)
    if conv.n_user == 0 and n:
        ctx.add(MISSING_USER_MESSAGE,
                f"{ctx.where()} has no user message; at inference the model will always see one.",
                "Add the user turn that the assistant reply answers.", path=prefix)
    _system_position(ctx, conv, prefix)


def check_rft_order(ctx: Ctx, conv: Conversation, n: int, prefix: str = "$.messages") -> None:
    if conv.last_role not in ("user", "developer", None):
        ctx.add(RFT_LAST_MESSAGE_NOT_USER,
                f"{ctx.where()}: a reinforcement prompt should end with a user (or developer) message, "
                f"this one ends with {conv.last_role}.",
                "End the prompt with the user turn the model must answer; the answer belongs in grader keys.",
                path=f"{prefix}[{n - 1}]", message_index=n - 1)
    if conv.n_user == 0 and n:
        ctx.add(MISSING_USER_MESSAGE,
                f"{ctx.where()} has no user message; the model is sampled as if answering a user.",
                "Add the user turn.", path=prefix)
    _system_position(ctx, conv, prefix)


def _system_position(ctx: Ctx, conv: Conversation, prefix: str) -> None:
    pos = conv.system_positions
    if not pos:
        return
    if pos[0] != 0:
        ctx.add(SYSTEM_NOT_FIRST,
                f"{ctx.where(pos[0])}: the system message is not the first message.",
                "Move the system message to the start of the conversation.",
                path=f"{prefix}[{pos[0]}]", message_index=pos[0])
    if len(pos) > 1:
        ctx.add(MULTIPLE_SYSTEM_MESSAGES,
                f"{ctx.where()} has {len(pos)} system/developer messages (messages "
                f"{', '.join(str(p + 1) for p in pos[:6])}).",
                "Merge the instructions into one system message at the start.",
                path=f"{prefix}[{pos[1]}]", message_index=pos[1])
