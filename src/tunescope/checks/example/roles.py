"""Conversation shape: required roles and their order (after the message walk).

Deliberately NOT flagged: two assistant messages in a row (OpenAI allows it),
tool messages, a conversation that starts without a system message.
"""

from __future__ import annotations

from tunescope.checks.context import Ctx
from tunescope.checks.example.messages import Conversation


def check_supervised_order(ctx: Ctx, conv: Conversation, n: int, prefix: str = "$.messages") -> None:
    if conv.n_assistant == 0:
        ctx.add("missing_assistant_message",
                f"Invalid file format. {ctx.where()} has no assistant message; supervised fine-tuning learns "
                "from assistant messages, so this example teaches nothing.",
                "Add the assistant reply, or delete the example. (If this is reinforcement fine-tuning data, "
                "check it with --method reinforcement.)", path=prefix)
    elif conv.last_role != "assistant" and conv.last_role is not None:
        ctx.add("last_message_not_assistant",
                f"{ctx.where()} ends with a {conv.last_role} message: its tokens are billed but nothing after the "
                "last assistant reply is learned.",
                "Drop the trailing message(s), or add the assistant reply they ask for.",
                path=f"{prefix}[{n - 1}]", message_index=n - 1)
    if conv.n_user == 0 and n:
        ctx.add("missing_user_message",
                f"{ctx.where()} has no user message; at inference the model will always see one.",
                "Add the user turn that the assistant reply answers.", path=prefix)
    _system_position(ctx, conv, prefix)


def check_rft_order(ctx: Ctx, conv: Conversation, n: int, prefix: str = "$.messages") -> None:
    if conv.last_role not in ("user", "developer", None):
        ctx.add("rft_last_message_not_user",
                f"{ctx.where()}: a reinforcement prompt should end with a user (or developer) message, "
                f"this one ends with {conv.last_role}.",
                "End the prompt with the user turn the model must answer; the answer belongs in grader keys.",
                path=f"{prefix}[{n - 1}]", message_index=n - 1)
    if conv.n_user == 0 and n:
        ctx.add("missing_user_message",
                f"{ctx.where()} has no user message; the model is sampled as if answering a user.",
                "Add the user turn.", path=prefix)
    _system_position(ctx, conv, prefix)


def _system_position(ctx: Ctx, conv: Conversation, prefix: str) -> None:
    pos = conv.system_positions
    if not pos:
        return
    if pos[0] != 0:
        ctx.add("system_not_first",
                f"{ctx.where(pos[0])}: the system message is not the first message.",
                "Move the system message to the start of the conversation.",
                path=f"{prefix}[{pos[0]}]", message_index=pos[0])
    if len(pos) > 1:
        ctx.add("multiple_system_messages",
                f"{ctx.where()} has {len(pos)} system/developer messages (messages "
                f"{', '.join(str(p + 1) for p in pos[:6])}).",
                "Merge the instructions into one system message at the start.",
                path=f"{prefix}[{pos[1]}]", message_index=pos[1])
