"""Preference (DPO) rows: input.messages, exactly one preferred and one non-preferred assistant message."""

from __future__ import annotations

from tunescope.checks.model import RecordAnalysis, RecordKind
from tunescope.checks.context import Ctx, describe, part_text
from tunescope.checks.keys import bounded, digest
from tunescope.checks.example.messages import walk_messages
from tunescope.checks.example.roles import MISSING_USER_MESSAGE
from tunescope.checks.example.schema import EXTRA_TOP_LEVEL_KEY, extra_keys, messages_list
from tunescope.checks.example.tools import check_definitions
from tunescope.checks.registry import E, W, check

PREFERENCE_INPUT_INVALID = check("preference_input_invalid", E, "preference", "Invalid preference input",
                                 "'input' must be an object with messages (P01/P02).", ref="P01/P02")
PREFERENCE_OUTPUT_MISSING = check("preference_output_missing", E, "preference", "Missing preference output",
                                  "preferred_output or non_preferred_output is missing (P04).", ref="P04")
PREFERENCE_OUTPUT_INVALID = check("preference_output_invalid", E, "preference", "Invalid preference output",
                                  "Each output is a list of exactly one assistant message (P05).", ref="P05")
PREFERENCE_INPUT_ENDS_WITH_ASSISTANT = check(
    "preference_input_ends_with_assistant", E, "preference", "Input ends with assistant",
    "The input conversation must not end with an assistant message (P03).", ref="P03")
PREFERENCE_MULTI_TURN = check("preference_multi_turn", W, "preference", "Multi-turn preference input",
                              "OpenAI trains preference data on one-turn conversations (P06).", ref="P06")
PREFERENCE_OUTPUTS_IDENTICAL = check("preference_outputs_identical", W, "preference", "Identical outputs",
                                     "Preferred and non-preferred outputs are the same (P08).", ref="P08")
PREFERENCE_OUTPUTS_WHITESPACE_ONLY = check(
    "preference_outputs_whitespace_only", W, "preference", "Outputs differ only in whitespace",
    "The pair differs only in whitespace (P08).", ref="P08")

OUTPUTS = ("preferred_output", "non_preferred_output")


def analyze_preference(obj: dict, ctx: Ctx, an: RecordAnalysis) -> None:
    an.extra_keys = extra_keys(ctx, obj, RecordKind.PREFERENCE)
    inp = obj.get("input")
    texts: list[str | None] = []
    declared = check_definitions(ctx, inp, "$.input") if isinstance(inp, dict) else None
    parallel_off = isinstance(inp, dict) and inp.get("parallel_tool_calls") is False
    for key in OUTPUTS:
        texts.append(_check_output(ctx, obj, key, declared, parallel_off))
    if not isinstance(inp, dict):
        ctx.add(PREFERENCE_INPUT_INVALID,
                f"Invalid file format. {ctx.where()}: \"input\" must be an object with \"messages\", found "
                f"{describe(inp)}.", "Write \"input\": {\"messages\": [system?, user]}.", path="$.input")
        return
    for key in inp:
        if key not in ("messages", "tools", "parallel_tool_calls", "functions"):
            ctx.add(EXTRA_TOP_LEVEL_KEY, f"Invalid file format. {ctx.where()} contains an extra \"input.{key}\".",
                    f"Remove \"{key}\" from input (allowed: messages, tools, parallel_tool_calls).",
                    path=f"$.input.{key}")
    messages = messages_list(ctx, inp, "messages", "$.input.messages")
    if messages is not None:
        conv = walk_messages(ctx, messages, "input", "$.input.messages", declared,
                             inp.get("parallel_tool_calls") is False)
        an.n_messages = len(messages)
        an.system_prompt = bounded(conv.system_text)
        if conv.last_role == "assistant":
            ctx.add(PREFERENCE_INPUT_ENDS_WITH_ASSISTANT,
                    f"Invalid file format. {ctx.where()}: the last message in the input conversation must not be "
                    "from the assistant; the preferred and non-preferred outputs are the assistant's reply.",
                    "Move the final assistant message out of input (it may be one of the outputs).",
                    path=f"$.input.messages[{len(messages) - 1}]", message_index=len(messages) - 1)
        elif conv.n_assistant:
            ctx.add(PREFERENCE_MULTI_TURN,
                    f"{ctx.where()}: the input contains earlier assistant turns; OpenAI trains preference data on "
                    "one-turn conversations (only the final reply is compared).",
                    "Keep the conversation history if it is needed as context; otherwise trim to one turn.",
                    path="$.input.messages")
        if conv.n_user == 0:
            ctx.add(MISSING_USER_MESSAGE, f"{ctx.where()}: the input has no user message.",
                    "Add the user prompt the outputs answer.", path="$.input.messages")
        an.input_key = digest((messages, inp.get("tools")))
    pref, nonpref = texts
    if pref is not None and nonpref is not None:
        if pref == nonpref:
            ctx.add(PREFERENCE_OUTPUTS_IDENTICAL,
                    f"{ctx.where()}: preferred and non-preferred outputs are identical, so the pair teaches nothing.",
                    "Replace the non-preferred output with a genuinely worse answer, or drop the example.",
                    path="$.non_preferred_output[0].content")
        elif " ".join(pref.split()) == " ".join(nonpref.split()):
            ctx.add(PREFERENCE_OUTPUTS_WHITESPACE_ONLY,
                    f"{ctx.where()}: preferred and non-preferred outputs differ only in whitespace.",
                    "Make the outputs differ in substance, or drop the example.",
                    path="$.non_preferred_output[0].content")
        an.facts = {"pref_len": len(pref), "nonpref_len": len(nonpref)}
    if pref is not None:
        an.final_reply = bounded(pref, 200)
    out = obj.get("preferred_output")
    if isinstance(out, list) and out:
        an.output_key = digest(out[0])


def _check_output(ctx: Ctx, obj: dict, key: str, declared: dict | None, parallel_off: bool) -> str | None:
    """Validate one output list like an assistant message (keys, content, weight, tool calls, text scans);
    returns its text when well-formed."""
    path = f"$.{key}"
    if key not in obj:
        ctx.add(PREFERENCE_OUTPUT_MISSING,
                f"Invalid file format. {ctx.where()} is missing key '{key}'.",
                f"Add \"{key}\": [{{\"role\": \"assistant\", \"content\": \"...\"}}].", path="$")
        return None
    out = obj[key]
    problem = None
    if not isinstance(out, list):
        problem = f"must be a list with one assistant message, found {describe(out)}"
    elif len(out) != 1:
        problem = f"must contain exactly one message, found {len(out)}"
    elif not isinstance(out[0], dict):
        problem = f"must contain an assistant message object, found {describe(out[0])}"
    elif out[0].get("role") != "assistant":
        problem = f"must have the 'assistant' role, found {out[0].get('role')!r}"
    elif "content" not in out[0] and out[0].get("tool_calls") is None:
        problem = "must have a 'content' field"
    if problem:
        ctx.add(PREFERENCE_OUTPUT_INVALID, f"Invalid file format. {ctx.where()}: \"{key}\" {problem}.",
                f"Write \"{key}\": [{{\"role\": \"assistant\", \"content\": \"...\"}}].", path=path)
        return None
    msg = out[0]
    walk_messages(ctx, out, "output", path, declared, parallel_off)
    text = part_text(msg.get("content"))
    if isinstance(text, str):
        return text
    if msg.get("tool_calls") is not None:
        return str(msg.get("tool_calls"))
    return None
