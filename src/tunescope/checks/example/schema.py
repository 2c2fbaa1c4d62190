"""Top-level keys of a row: the format's own keys, extra keys, and format vs method."""

from __future__ import annotations

from tunescope.checks.model import RecordKind
from tunescope.checks.context import Ctx
from tunescope.dataset.formats import CHAT_KEYS, LEGACY_KEYS, PREFERENCE_KEYS
from tunescope.checks.registry import E, check

UNKNOWN_FORMAT = check("unknown_format", E, "schema", "Unknown format",
                       "An object with none of the keys of a known training format (S06).", ref="S06")
MISSING_MESSAGES = check("missing_messages", E, "schema", "Missing messages",
                         "The row has no 'messages' key (S01).", ref="S01")
MESSAGES_NOT_LIST = check("messages_not_list", E, "schema", "messages is not a list",
                          "'messages' must be a list of message objects (S02).", ref="S02")
EMPTY_MESSAGES = check("empty_messages", E, "schema", "Empty messages",
                       "'messages' is an empty list (S01).", ref="S01")
EXTRA_TOP_LEVEL_KEY = check("extra_top_level_key", E, "schema", "Extra top-level key",
                            "A key the format does not define; OpenAI rejects it (S03/S04).", ref="S03/S04")
FORMAT_METHOD_MISMATCH = check("format_method_mismatch", E, "schema", "Wrong format for method",
                               "The row's format does not match the chosen fine-tuning method (S06).", ref="S06")

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
        ctx.add(EXTRA_TOP_LEVEL_KEY, f"Invalid file format. {ctx.where()} contains an extra \"{key}\".", hint,
                path=f"$.{key}")
    return extras


def messages_list(ctx: Ctx, obj: dict, key: str = "messages", path: str = "$.messages") -> list | None:
    """The messages list, or None after reporting why it is unusable."""
    messages = obj.get(key)
    if isinstance(messages, list):
        if not messages:
            ctx.add(EMPTY_MESSAGES, f"Invalid file format. {ctx.where()}: \"{key}\" must not be empty.",
                    "Add the conversation's messages, or delete the example.", path=path)
            return None
        return messages
    if key not in obj:
        ctx.add(MISSING_MESSAGES, f"Invalid file format. {ctx.where()} is missing key '{key}'.",
                f"Add \"{key}\": [{{\"role\": \"user\", ...}}, ...].", path=path.rsplit(".", 1)[0] or "$")
    else:
        kind = "null" if messages is None else type(messages).__name__
        ctx.add(MESSAGES_NOT_LIST, f"Invalid file format. {ctx.where()}: \"{key}\" must be a list of messages, "
                f"found {kind}.", "Make it a JSON list of {\"role\", \"content\"} objects.", path=path)
    return None


def method_mismatch(ctx: Ctx, kind: RecordKind) -> None:
    """Rows of the wrong family for an explicit --method (S06)."""
    method = ctx.method
    wanted = _METHOD_KINDS.get(method or "")
    if not wanted or kind in wanted or kind in (RecordKind.NEAR_MISS, RecordKind.UNKNOWN):
        return
    ctx.add(FORMAT_METHOD_MISMATCH,
            f"Invalid file format. {ctx.where()} is missing key '{_METHOD_KEY[method]}': it is {kind.value} data, "
            f"but the method is {method}.",
            f"Use a {method} file, or pick the method that matches this data.")


def unknown_format(ctx: Ctx, obj: dict) -> None:
    keys = ", ".join(repr(k) for k in list(obj)[:8]) or "no keys"
    ctx.add(UNKNOWN_FORMAT,
            f"{ctx.where()}: unexpected format, expected either prompt/completion pairs or chat messages "
            f"(found {keys}).",
            "Write the example as {\"messages\": [{\"role\": \"user\", ...}, {\"role\": \"assistant\", ...}]}.")
