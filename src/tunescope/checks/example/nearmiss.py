"""Near-miss rows: one specific finding naming the shape and what the user probably meant."""

from __future__ import annotations

from tunescope.checks.model import RecordAnalysis
from tunescope.checks.context import Ctx
from tunescope.checks.keys import digest
from tunescope.dataset.formats import near_miss_text
from tunescope.checks.registry import E, check

NEAR_MISS_FORMAT = check(
    "near_miss_format", E, "schema", "Near-miss format",
    "Data from another tool's format (LLaMA-Factory, ShareGPT, Alpaca, TRL...) that OpenAI rejects; "
    "names what was meant.")


def analyze_near_miss(obj: dict, ctx: Ctx, an: RecordAnalysis) -> None:
    name = an.near_miss or ""
    what, meant = near_miss_text(name)
    path, detail = _locate(obj, name)
    ctx.add(NEAR_MISS_FORMAT,
            f"{ctx.where()} looks like {what}, which OpenAI does not accept{detail}.",
            f"Convert to {meant}.", path=path)
    messages = obj.get("messages") if name in ("llamafactory", "sharegpt") else None
    if isinstance(messages, list):
        an.n_messages = len(messages)
        if len(messages) > 1:
            an.input_key = digest(messages[:-1])
            an.output_key = digest(messages[-1])


def _locate(obj: dict, name: str) -> tuple[str, str]:
    """JSON path of the first offending spot, and a short detail for the message."""
    if name == "llamafactory":
        found = []
        first = "$.messages"
        for i, m in enumerate(obj.get("messages") or ()):
            if not isinstance(m, dict):
                continue
            if "loss_weight" in m and "loss_weight" not in [f[0] for f in found]:
                found.append(("loss_weight", f"$.messages[{i}].loss_weight"))
            content = m.get("content")
            if isinstance(content, list) and "value" not in [f[0] for f in found]:
                for j, part in enumerate(content):
                    if isinstance(part, dict) and "value" in part and "text" not in part:
                        found.append(("value", f"$.messages[{i}].content[{j}].value"))
                        break
            if len(found) == 2:
                break
        names = {"value": "content parts use \"value\" instead of \"text\"",
                 "loss_weight": "messages carry \"loss_weight\" instead of \"weight\""}
        if found:
            return found[0][1], ": " + "; ".join(names[k] for k, _ in found)
        return first, ""
    if name == "sharegpt":
        key = "conversations" if "conversations" in obj else "conversation" if "conversation" in obj else "messages"
        turns = obj.get(key)
        first = turns[0] if isinstance(turns, list) and turns else None
        if key != "messages" and isinstance(first, dict) and "role" in first:
            return f"$.{key}", f" (the turns are under \"{key}\"; OpenAI expects them under \"messages\")"
        return f"$.{key}", " (\"from\"/\"value\" instead of \"role\"/\"content\")"
    if name == "messages_json_string":
        return "$.messages", " (the list is encoded as a string)"
    if name == "legacy_preference_names":
        key = "preferred_completion" if "preferred_completion" in obj else "non_preferred_completion"
        return f"$.{key}", ""
    if name == "chosen_rejected_messages":
        return "$.chosen_messages", ""
    return "$", ""

