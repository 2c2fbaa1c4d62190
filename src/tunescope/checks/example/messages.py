"""One pass over a `messages` list: message shape, roles, content, and ordering.

The walk dispatches to tools.py (calls and responses), weight.py, vision.py
and content.py, and returns a `Conversation` with the facts the analysis and
the dataset checks need (system prompt, final reply, counts...); the roles
summary and preview come from `tunescope.dataset.records`. Modes: "chat" (supervised), "rft" (reinforcement prompts) and
"input" (the prompt side of a preference example).
"""

from __future__ import annotations

from tunescope.checks.example.content import is_padded, report_padding, scan_text
from tunescope.checks.context import Ctx, describe, part_text
from tunescope.checks.example.tools import ToolGraph
from tunescope.checks.example.vision import check_parts
from tunescope.checks.example.weight import check_weight
from tunescope.dataset.records import MODE_ROLES as ROLES

KEYS = {
    "system": frozenset({"role", "content", "name"}),
    "developer": frozenset({"role", "content", "name"}),
    "user": frozenset({"role", "content", "name"}),
    "assistant": frozenset({"role", "content", "name", "tool_calls", "function_call", "weight", "refusal", "audio"}),
    "tool": frozenset({"role", "content", "tool_call_id"}),
    "function": frozenset({"role", "content", "name"}),
}
ROLE_GUESS = {
    "human": "user", "gpt": "assistant", "bot": "assistant", "model": "assistant", "ai": "assistant",
    "chatbot": "assistant", "observation": "tool", "function_response": "tool", "prompter": "user",
}


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


def walk_messages(ctx: Ctx, messages: list, mode: str, prefix: str, declared: dict | None,
                  parallel_off: bool) -> Conversation:
    conv = Conversation()
    allowed_roles = ROLES[mode]
    graph = ToolGraph(ctx, declared, parallel_off, prefix)
    padded: list[int] = []
    prev_role = None
    for i, m in enumerate(messages):
        path = f"{prefix}[{i}]"
        if not isinstance(m, dict):
            ctx.add("message_not_object", f"Invalid file format. {ctx.where(i)} is {describe(m)}, not an object.",
                    "Each message must be an object such as {\"role\": \"user\", \"content\": \"...\"}.",
                    path=path, message_index=i)
            continue
        role = m.get("role")
        if not isinstance(role, str) or role not in allowed_roles:
            role = _bad_role(ctx, m, role, i, path, mode)
            if role is None:
                continue
        for key in m:
            if key not in KEYS[role]:
                _unknown_key(ctx, m, key, role, i, path)
        content = m.get("content")
        if role == "assistant":
            has_calls = "tool_calls" in m or "function_call" in m
            trained = check_weight(ctx, m, i, role, path)
            conv.n_assistant += 1
            conv.n_trained += trained
            if has_calls:
                if "tool_calls" in m:
                    graph.assistant_calls(m["tool_calls"], i, f"{path}.tool_calls")
                if "function_call" in m:
                    graph.function(m["function_call"], i, f"{path}.function_call")
            else:
                graph.other_message(i)
            conv.final_reply = part_text(content) if content is not None else None
        else:
            has_calls = False
            if "weight" in m:
                check_weight(ctx, m, i, role, path)
            if role == "tool":
                graph.tool_response(m, i, path)
            elif role != "function":
                graph.other_message(i)
            if role == "user":
                conv.n_user += 1
                if prev_role == "user":
                    ctx.add("consecutive_user_messages",
                            f"{ctx.where(i)} follows another user message.",
                            "Merge the two user turns unless the split is intended.", path=path, message_index=i)
            elif role in ("system", "developer"):
                conv.system_positions.append(i)
                if conv.system_text is None:
                    conv.system_text = part_text(content) or ""
            elif role == "function" and not isinstance(m.get("name"), str):
                ctx.add("function_message_missing_name",
                        f"Invalid file format. {ctx.where(i)}: function message needs the \"name\" of the function "
                        "whose result it carries.", "Add \"name\": \"<function name>\".", path=path, message_index=i)
        # content
        cpath = f"{path}.content"
        if isinstance(content, str):
            if not content.strip():
                if not has_calls:
                    _empty(ctx, role, i, cpath)
            else:
                scan_text(ctx, content, i, cpath)
                if role != "tool" and is_padded(content):
                    padded.append(i)
        elif content is None:
            if not has_calls and role != "function":
                if "content" in m:
                    ctx.add("content_null", f"Invalid file format. {ctx.where(i)}: a {role} message cannot have "
                            "null content" + (" (only assistant messages with tool_calls or function_call may)"
                                              if role != "assistant" else " without tool_calls or function_call")
                            + ".", "Put the message text in content (a string).", path=cpath, message_index=i)
                elif "text" not in m:
                    ctx.add("missing_content", f"Invalid file format. {ctx.where(i)} is missing key 'content'.",
                            "Add the message text as \"content\".", path=path, message_index=i)
        elif isinstance(content, list):
            if not content:
                _empty(ctx, role, i, cpath)
            else:
                conv.images += check_parts(ctx, content, i, role, cpath, mode != "input")
        else:
            ctx.add("invalid_content_type",
                    f"Invalid file format. {ctx.where(i)}: content must be a string or a list of content parts, "
                    f"found {describe(content)}.", "Write the message text as a JSON string.", path=cpath,
                    message_index=i)
        if "name" in m and not isinstance(m["name"], str):
            ctx.add("invalid_name", f"Invalid file format. {ctx.where(i)}: \"name\" must be a string, found "
                    f"{describe(m['name'])}.", "Make name a string or remove it.", path=f"{path}.name",
                    message_index=i)
        prev_role = role
        conv.last_role = role
    if padded:
        report_padding(ctx, padded)
    return conv


def _bad_role(ctx: Ctx, m: dict, role: object, i: int, path: str, mode: str) -> str | None:
    """Report a missing/unknown role; returns a role to keep checking under, or None."""
    if role is None:
        ctx.add("missing_role", f"Invalid file format. {ctx.where(i)} Discriminator 'role' is missing in value.",
                "Add \"role\": \"system\" | \"user\" | \"assistant\" | \"tool\" to the message.",
                path=path, message_index=i)
        return None
    if role == "developer" and mode != "rft":
        ctx.add("developer_role_in_supervised",
                f"{ctx.where(i)} uses the \"developer\" role, which the supervised and preference formats do not "
                "define (it belongs to reinforcement fine-tuning).",
                "Use \"system\" for instructions in supervised or preference data.", path=f"{path}.role",
                message_index=i)
        return "system"
    if role == "function" and mode == "rft":
        role_hint = "Use \"tool\" messages with tool_call_id in reinforcement data."
    elif isinstance(role, str) and (role.lower() in ROLES[mode] or role.lower() in ROLE_GUESS):
        meant = role.lower() if role.lower() in ROLES[mode] else ROLE_GUESS[role.lower()]
        role_hint = f"Did you mean \"{meant}\"? Roles are lower-case: " + ", ".join(sorted(ROLES[mode])) + "."
    else:
        role_hint = "Use one of: " + ", ".join(sorted(ROLES[mode])) + "."
    shown = repr(role) if isinstance(role, str) else describe(role)
    ctx.add("invalid_role", f"Invalid file format. {ctx.where(i)}: role {shown} is not allowed.", role_hint,
            path=f"{path}.role", message_index=i)
    return None


def _unknown_key(ctx: Ctx, m: dict, key: str, role: str, i: int, path: str) -> None:
    if key == "weight":
        return                                   # weight.py reports weight on non-assistant messages
    if key == "text" and "content" not in m:
        ctx.add("text_instead_of_content",
                f"Invalid file format. {ctx.where(i)} has \"text\" but no \"content\".",
                "Rename \"text\" to \"content\".", path=f"{path}.text", message_index=i)
        return
    hint = "Remove the key."
    if key in ("tool_calls", "function_call"):
        hint = f"Only assistant messages can carry {key}; this is a {role} message."
    elif key == "tool_call_id":
        hint = "Only tool messages carry tool_call_id; set role to \"tool\" or remove the key."
    elif key == "loss_weight":
        hint = "Use \"weight\": 0 or 1 on assistant messages instead of loss_weight."
    ctx.add("unknown_message_key",
            f"Invalid file format. {ctx.where(i)}: a {role} message contains an unrecognised key {key!r}.",
            hint, path=f"{path}.{key}", message_index=i)


def _empty(ctx: Ctx, role: str, i: int, path: str) -> None:
    ctx.add("empty_content",
            f"{ctx.where(i)}: the {role} message content is empty or only whitespace."
            + (" The model would learn to reply with nothing." if role == "assistant" else ""),
            "Write the missing text, or drop the message.", path=path, message_index=i)
