"""One pass over a `messages` list: message shape, roles, content, and ordering.

The walk dispatches to tools.py (calls and responses), weight.py, vision.py
and content.py, and fills a `Conversation` (roles.py) with the facts the analysis and
the dataset checks need (system prompt, final reply, counts...); the roles
summary and preview come from `tunescope.dataset.records`. Modes: "chat" (supervised), "rft" (reinforcement prompts),
"input" (the prompt side of a preference example) and "output" (a preference output: one assistant message).
"""

from __future__ import annotations

from tunescope.checks.example.content import is_padded, report_padding, scan_text
from tunescope.checks.example.quality import scan_quality
from tunescope.checks.context import Ctx, an, describe, part_text
from tunescope.checks.example.tools import ToolGraph
from tunescope.checks.example.vision import check_parts
from tunescope.checks.example.roles import CONSECUTIVE_USER_MESSAGES, Conversation
from tunescope.checks.example.weight import check_weight
from tunescope.checks.registry import E, W, check

MESSAGE_NOT_OBJECT = check("message_not_object", E, "message", "Message is not an object",
                           "An entry of messages is not a JSON object (M01).", ref="M01")
MISSING_ROLE = check("missing_role", E, "message", "Missing role",
                     "A message has no 'role' (M02).", ref="M02")
INVALID_ROLE = check("invalid_role", E, "message", "Invalid role",
                     "A role the format does not allow, or a mis-cased/foreign role name (M05).", ref="M05")
DEVELOPER_ROLE_IN_SUPERVISED = check("developer_role_in_supervised", W, "message", "developer role in supervised data",
                                     "'developer' is defined for reinforcement data only; use 'system' (M05).",
                                     ref="M05")
UNKNOWN_MESSAGE_KEY = check("unknown_message_key", E, "message", "Unknown message key",
                            "A message key outside the OpenAI schema for its role (M04).", ref="M04")
TEXT_INSTEAD_OF_CONTENT = check("text_instead_of_content", E, "message", "'text' instead of 'content'",
                                "The message text is under 'text' (M07).", ref="M07")
MISSING_CONTENT = check("missing_content", E, "message", "Missing content",
                        "No 'content' on a message that needs it (M03); assistant tool calls are exempt.", ref="M03")
CONTENT_NULL = check("content_null", E, "message", "Null content",
                     "content is null where only assistant tool/function calls allow it (M06).", ref="M06")
INVALID_CONTENT_TYPE = check("invalid_content_type", E, "message", "Invalid content type",
                             "content is neither a string nor a list of parts (M06).", ref="M06")
CONTENT_LIST_EMPTY = check("content_list_empty", E, "message", "Empty content list",
                           "content is [] (no parts); the API requires at least one content part (M06).", ref="M06")
EMPTY_CONTENT = check("empty_content", W, "message", "Empty content",
                      "content is empty or only whitespace (M06).", ref="M06")
INVALID_NAME = check("invalid_name", E, "message", "Invalid name",
                     "A message 'name' that is not a string.")
FUNCTION_MESSAGE_MISSING_NAME = check("function_message_missing_name", E, "message", "Function message without name",
                                      "A legacy 'function' message must name its function.", tags=("tools",))
from tunescope.dataset.records import MODE_ROLES as ROLES

OUTPUT_ROLES = frozenset({"assistant"})   # mode "output": a preference output, checked like an assistant reply

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


def walk_messages(ctx: Ctx, messages: list, mode: str, prefix: str, declared: dict | None,
                  parallel_off: bool) -> Conversation:
    conv = Conversation()
    allowed_roles = ROLES.get(mode, OUTPUT_ROLES)
    graph = ToolGraph(ctx, declared, parallel_off, prefix)
    padded: list[int] = []
    prev_role = None
    for i, m in enumerate(messages):
        path = f"{prefix}[{i}]"
        if not isinstance(m, dict):
            ctx.add(MESSAGE_NOT_OBJECT, f"Invalid file format. {ctx.where(i)} is {describe(m)}, not an object.",
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
            # null tool_calls/function_call is absent: the SDK's own model_dump() writes "function_call": null
            has_calls = m.get("tool_calls") is not None or m.get("function_call") is not None
            trained = check_weight(ctx, m, i, role, path)
            conv.n_assistant += 1
            conv.n_trained += trained
            if has_calls:
                if m.get("tool_calls") is not None:
                    graph.assistant_calls(m["tool_calls"], i, f"{path}.tool_calls")
                if m.get("function_call") is not None:
                    graph.function(m["function_call"], i, f"{path}.function_call")
            else:
                graph.other_message(i)
            if isinstance(m.get("refusal"), str) and "<|" in m["refusal"]:
                scan_text(ctx, m["refusal"], i, f"{path}.refusal")
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
                    ctx.add(CONSECUTIVE_USER_MESSAGES,
                            f"{ctx.where(i)} follows another user message.",
                            "Merge the two user turns unless the split is intended.", path=path, message_index=i)
            elif role in ("system", "developer"):
                conv.system_positions.append(i)
                if conv.system_text is None:
                    conv.system_text = part_text(content) or ""
            elif role == "function" and not isinstance(m.get("name"), str):
                ctx.add(FUNCTION_MESSAGE_MISSING_NAME,
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
                    ctx.add(CONTENT_NULL, f"Invalid file format. {ctx.where(i)}: {an(role)} message cannot have "
                            "null content" + (" (only assistant messages with tool_calls or function_call may)"
                                              if role != "assistant" else " without tool_calls or function_call")
                            + ".", "Put the message text in content (a string).", path=cpath, message_index=i)
                elif "text" not in m:
                    ctx.add(MISSING_CONTENT, f"Invalid file format. {ctx.where(i)} is missing key 'content'.",
                            "Add the message text as \"content\".", path=path, message_index=i)
        elif isinstance(content, list):
            if not content:
                if not has_calls:
                    ctx.add(CONTENT_LIST_EMPTY,
                            f"Invalid file format. {ctx.where(i)}: the {role} message content is an empty list of "
                            "parts; the API requires at least one part.",
                            "Write the text as a string (\"content\": \"...\") or add a {\"type\": \"text\"} "
                            "part, or drop the message.", path=cpath, message_index=i)
            else:
                conv.images += check_parts(ctx, content, i, role, cpath, mode not in ("input", "output"))
        else:
            ctx.add(INVALID_CONTENT_TYPE,
                    f"Invalid file format. {ctx.where(i)}: content must be a string or a list of content parts, "
                    f"found {describe(content)}.", "Write the message text as a JSON string.", path=cpath,
                    message_index=i)
        if content and role != "tool" and isinstance(content, (str, list)):
            text = content if isinstance(content, str) else part_text(content)
            if isinstance(text, str) and text:
                scan_quality(ctx, role, text, i, cpath)
        if "name" in m and not isinstance(m["name"], str):
            ctx.add(INVALID_NAME, f"Invalid file format. {ctx.where(i)}: \"name\" must be a string, found "
                    f"{describe(m['name'])}.", "Make name a string or remove it.", path=f"{path}.name",
                    message_index=i)
        prev_role = role
        conv.last_role = role
    if padded:
        report_padding(ctx, padded)
    return conv


def _bad_role(ctx: Ctx, m: dict, role: object, i: int, path: str, mode: str) -> str | None:
    """Report a missing/unknown role; returns a role to keep checking under, or None."""
    allowed = ROLES.get(mode, OUTPUT_ROLES)
    if role is None:
        ctx.add(MISSING_ROLE, f"Invalid file format. {ctx.where(i)} Discriminator 'role' is missing in value.",
                "Add \"role\": \"system\" | \"user\" | \"assistant\" | \"tool\" to the message.",
                path=path, message_index=i)
        return None
    if role == "developer" and mode != "rft":
        ctx.add(DEVELOPER_ROLE_IN_SUPERVISED,
                f"{ctx.where(i)} uses the \"developer\" role, which the supervised and preference formats do not "
                "define (it belongs to reinforcement fine-tuning).",
                "Use \"system\" for instructions in supervised or preference data.", path=f"{path}.role",
                message_index=i)
        return "system"
    if role == "function" and mode == "rft":
        role_hint = "Use \"tool\" messages with tool_call_id in reinforcement data."
    elif isinstance(role, str) and (role.lower() in allowed or role.lower() in ROLE_GUESS):
        meant = role.lower() if role.lower() in allowed else ROLE_GUESS[role.lower()]
        role_hint = f"Did you mean \"{meant}\"? Roles are lower-case: " + ", ".join(sorted(allowed)) + "."
    else:
        role_hint = "Use one of: " + ", ".join(sorted(allowed)) + "."
    shown = repr(role) if isinstance(role, str) else describe(role)
    ctx.add(INVALID_ROLE, f"Invalid file format. {ctx.where(i)}: role {shown} is not allowed.", role_hint,
            path=f"{path}.role", message_index=i)
    return None


def _unknown_key(ctx: Ctx, m: dict, key: str, role: str, i: int, path: str) -> None:
    if key == "weight":
        return                                   # weight.py reports weight on non-assistant messages
    if key == "text" and "content" not in m:
        ctx.add(TEXT_INSTEAD_OF_CONTENT,
                f"Invalid file format. {ctx.where(i)} has \"text\" but no \"content\".",
                "Rename \"text\" to \"content\".", path=f"{path}.text", message_index=i)
        return
    hint = "Remove the key."
    if key in ("tool_calls", "function_call"):
        hint = f"Only assistant messages can carry {key}; this is {an(role)} message."
    elif key == "tool_call_id":
        hint = "Only tool messages carry tool_call_id; set role to \"tool\" or remove the key."
    elif key == "loss_weight":
        hint = "Use \"weight\": 0 or 1 on assistant messages instead of loss_weight."
    ctx.add(UNKNOWN_MESSAGE_KEY,
            f"Invalid file format. {ctx.where(i)}: {an(role)} message contains an unrecognised key {key!r}.",
            hint, path=f"{path}.{key}", message_index=i)


def _empty(ctx: Ctx, role: str, i: int, path: str) -> None:
    ctx.add(EMPTY_CONTENT,
            f"{ctx.where(i)}: the {role} message content is empty or only whitespace."
            + (" The model would learn to reply with nothing." if role == "assistant" else ""),
            "Write the missing text, or drop the message.", path=path, message_index=i)
