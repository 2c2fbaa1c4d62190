"""Top-level keys of a row: the format's own keys, extra keys, and format vs method."""

from __future__ import annotations

from tunescope.checks.model import RecordKind
from tunescope.checks.context import Ctx
from tunescope.dataset.formats import CHAT_KEYS, LEGACY_KEYS, PREFERENCE_KEYS

OWN_KEYS = {
    RecordKind.CHAT: CHAT_KEYS,
    RecordKind.PREFERENCE: PREFERENCE_KEYS,
    RecordKind.PROMPT_COMPLETION: LEGACY_KEYS,
}
_OTHER_FORMAT_KEYS = {
    "prompt": "legacy prompt/completion", "completion": "legacy prompt/completion",
    "input": "preference", "preferred_output": "preference", "non_preferred_output": "preference",
    "messages": "chat", "text": "plain-text",
}
_METHOD_KINDS = {
    "supervised": (RecordKind.CHAT,),
    "dpo": (RecordKind.PREFERENCE,),
    "reinforcement": (RecordKind.REINFORCEMENT,),
}
_METHOD_KEY = {"supervised": "messages", "dpo": "input", "reinforcement": "messages"}


def extra_keys(ctx: Ctx, obj: dict, kind: RecordKind) -> tuple[str, ...]:
    """Report keys a supervised/preference/legacy row may not have; return all extra keys."""
    own = OWN_KEYS[kind]
    extras = tuple(k for k in obj if k not in own)
    for key in extras:
        other = _OTHER_FORMAT_KEYS.get(key)
        if other:
            hint = f"\"{key}\" belongs to the {other} format: one row must use one format only. Remove it."
        elif key == "system" and kind is RecordKind.CHAT:
            hint = "Move the system prompt into messages as the first message: {\"role\": \"system\", ...}."
        elif key == "weight":
            hint = "weight goes on assistant messages (0 or 1), not on the example; remove it here."
        else:
            hint = f"Remove \"{key}\" (metadata can live in a separate file keyed by line number)."
        ctx.add("extra_top_level_key", f"Invalid file format. {ctx.where()} contains an extra \"{key}\".", hint,
                path=f"$.{key}")
    return extras


def messages_list(ctx: Ctx, obj: dict, key: str = "messages", path: str = "$.messages") -> list | None:
    """The messages list, or None after reporting why it is unusable."""
    messages = obj.get(key)
    if isinstance(messages, list):
        if not messages:
            ctx.add("empty_messages", f"Invalid file format. {ctx.where()}: \"{key}\" must not be empty.",
                    "Add the conversation's messages, or delete the example.", path=path)
            return None
        return messages
    if key not in obj:
        ctx.add("missing_messages", f"Invalid file format. {ctx.where()} is missing key '{key}'.",
                f"Add \"{key}\": [{{\"role\": \"user\", ...}}, ...].", path=path.rsplit(".", 1)[0] or "$")
    else:
        kind = "null" if messages is None else type(messages).__name__
        ctx.add("messages_not_list", f"Invalid file format. {ctx.where()}: \"{key}\" must be a list of messages, "
                f"found {kind}.", "Make it a JSON list of {\"role\", \"content\"} objects.", path=path)
    return None


def method_mismatch(ctx: Ctx, kind: RecordKind) -> None:
    """Rows of the wrong family for an explicit --method (S06)."""
    method = ctx.method
    wanted = _METHOD_KINDS.get(method or "")
    if not wanted or kind in wanted or kind in (RecordKind.NEAR_MISS, RecordKind.UNKNOWN):
        return
    ctx.add("format_method_mismatch",
            f"Invalid file format. {ctx.where()} is missing key '{_METHOD_KEY[method]}': it is {kind.value} data, "
            f"but the method is {method}.",
            f"Use a {method} file, or pick the method that matches this data.")


def unknown_format(ctx: Ctx, obj: dict) -> None:
    keys = ", ".join(repr(k) for k in list(obj)[:8]) or "no keys"
    ctx.add("unknown_format",
            f"{ctx.where()}: unexpected format, expected either prompt/completion pairs or chat messages "
            f"(found {keys}).",
            "Write the example as {\"messages\": [{\"role\": \"user\", ...}, {\"role\": \"assistant\", ...}]}.")
