"""Supervised chat rows and reinforcement prompts: the `messages`-based formats."""

from __future__ import annotations

from tunescope.checks.model import RecordAnalysis, RecordKind
from tunescope.checks.example import reinforcement
from tunescope.checks.context import Ctx
from tunescope.checks.keys import bounded, digest
from tunescope.checks.example.messages import walk_messages
from tunescope.checks.example.roles import check_rft_order, check_supervised_order
from tunescope.checks.example.schema import extra_keys, messages_list
from tunescope.checks.example.tools import check_definitions
from tunescope.checks.example.vision import report_image_count
from tunescope.checks.example.weight import report_untrained


def analyze_messages_row(obj: dict, ctx: Ctx, an: RecordAnalysis) -> None:
    rft = an.kind is RecordKind.REINFORCEMENT
    if rft:
        an.extra_keys = reinforcement.grader_keys(ctx, obj)
    else:
        an.extra_keys = extra_keys(ctx, obj, RecordKind.CHAT)
    declared = check_definitions(ctx, obj)
    messages = messages_list(ctx, obj)
    if messages is None:
        return
    conv = walk_messages(ctx, messages, "rft" if rft else "chat", "$.messages", declared,
                         obj.get("parallel_tool_calls") is False)
    n = len(messages)
    if rft:
        check_rft_order(ctx, conv, n)
    else:
        check_supervised_order(ctx, conv, n)
        if conv.n_assistant and not conv.n_trained:
            report_untrained(ctx, conv.n_assistant)
    if conv.images:
        an.has_images = True
        report_image_count(ctx, conv.images)
    an.n_messages = n
    an.system_prompt = bounded(conv.system_text)
    tools = obj.get("tools"), obj.get("functions")
    if rft:
        an.input_key = digest((messages, tools))
        if an.extra_keys:
            an.output_key = digest({k: obj[k] for k in an.extra_keys})
        an.facts = reinforcement.facts(obj, an.extra_keys)
        return
    last = _last_assistant(messages)
    if last >= 0:
        an.final_reply = bounded(conv.final_reply, 200) if conv.final_reply is not None else None
        an.input_key = digest((messages[:last], tools))
        an.output_key = digest(messages[last])


def _last_assistant(messages: list) -> int:
    for i in range(len(messages) - 1, -1, -1):
        m = messages[i]
        if isinstance(m, dict) and m.get("role") == "assistant":
            return i
    return -1
