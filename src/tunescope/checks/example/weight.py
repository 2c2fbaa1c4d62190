"""`weight` on messages: 0 or 1, assistant messages only (OpenAI schema enum [0, 1]).

The value is checked on every role that carries one (and in preference outputs): a warning that
weight belongs on assistant messages does not hide an error in its value.
"""

from __future__ import annotations

from tunescope.checks.context import Ctx, an, describe
from tunescope.checks.registry import E, W, check

WEIGHT_NOT_INTEGER = check("weight_not_integer", E, "weight", "Weight not an integer",
                           "weight must be the integer 0 or 1 (W01).", ref="W01")
WEIGHT_INVALID_VALUE = check("weight_invalid_value", E, "weight", "Weight not 0 or 1",
                             "weight must be 0 or 1 (W02).", ref="W02")
WEIGHT_ON_NON_ASSISTANT = check("weight_on_non_assistant", W, "weight", "Weight on non-assistant",
                                "weight is only defined on assistant messages (W03).", ref="W03")
ALL_ASSISTANT_WEIGHT_ZERO = check("all_assistant_weight_zero", W, "weight", "No trainable messages",
                                  "Every assistant message has weight 0 (W05).", ref="W05")


def check_weight(ctx: Ctx, m: dict, i: int, role: str, path: str) -> bool:
    """Validate a message's weight; returns True when the message is trained (weight absent or 1)."""
    if "weight" not in m:
        return True
    w = m["weight"]
    wpath = f"{path}.weight"
    if role != "assistant":
        ctx.add(WEIGHT_ON_NON_ASSISTANT,
                f"{ctx.where(i)}: \"weight\" is set on {an(role)} message; OpenAI only defines weight on assistant "
                "messages (only assistant messages are trained).",
                "Remove the weight key from non-assistant messages.", path=wpath, message_index=i)
        # its value is still checked below: "weight": 5 is wrong on any role
    if isinstance(w, bool) or not isinstance(w, (int, float)) or (isinstance(w, float) and not w.is_integer()):
        ctx.add(WEIGHT_NOT_INTEGER,
                f"Invalid file format. {ctx.where(i)}: weight must be an integer (0 or 1), found {describe(w)} "
                f"{w!r}.", "Use \"weight\": 0 to skip training on this message or 1 to train on it.",
                path=wpath, message_index=i)
        return True
    if w not in (0, 1):
        ctx.add(WEIGHT_INVALID_VALUE,
                f"Invalid file format. {ctx.where(i)}: weight must be either 0 or 1, found {w!r}.",
                "Weight is not a loss multiplier: use 0 (skip) or 1 (train).", path=wpath, message_index=i)
        return True
    if isinstance(w, float):
        ctx.add(WEIGHT_NOT_INTEGER,
                f"Invalid file format. {ctx.where(i)}: weight must be an integer, found {w!r}.",
                f"Write {int(w)} instead of {w!r}.", path=wpath, message_index=i)
    return w == 1 or role != "assistant"


def report_untrained(ctx: Ctx, n_assistant: int) -> None:
    ctx.add(ALL_ASSISTANT_WEIGHT_ZERO,
            f"{ctx.where()}: all {n_assistant} assistant message(s) have weight 0, so the example has no trainable "
            "tokens; it is billed but teaches nothing.",
            "Set \"weight\": 1 (or remove weight) on the assistant reply that should be learned, or delete the "
            "example.", path="$.messages")
