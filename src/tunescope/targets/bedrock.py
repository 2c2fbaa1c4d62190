"""AWS Bedrock, Amazon Nova supervised fine-tuning: `bedrock-conversation-2024` (the Converse shape).

{"schemaVersion": "bedrock-conversation-2024", "system": [{"text"}], "messages": [{"role": "user"|"assistant",
"content": [{"text"}|{"image": ...}]}]}: the first turn is the user's, the last the assistant's, and turns
alternate. Nova 2 SFT does not support tool use ("Adding tool sections might cause your job to fail"), so
tool calls and tool results are not carried: they are left out and reported, and the turns around them are
joined so that they still alternate. Images are carried only from s3:// URIs (Nova reads them from S3).
There is no per-message weight. Source: docs.aws.amazon.com/bedrock/latest/userguide/nova-2-sft-data-prep.html
and nova/latest/nova2-userguide/nova-data-prep-sft-2 (read 2026-12-06), field-2026-12.md §1.
"""

from __future__ import annotations

from tunescope.checks.registry import Severity, check
from tunescope.dataset.formats import RecordKind
from tunescope.targets.common import modernised, image_url, not_held, split_content, weight_zero_lost
from tunescope.targets.registry import Notes, Target, target

NAME = "bedrock"
KINDS = frozenset({RecordKind.CHAT})
SCHEMA_VERSION = "bedrock-conversation-2024"
PREP = "docs.aws.amazon.com/bedrock/latest/userguide/nova-2-sft-data-prep.html"
IMAGE_FORMATS = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "gif": "gif"}

BEDROCK_TOOL_USE = check(
    "bedrock_tool_use", Severity.ERROR, "target", "Bedrock: tool use in Nova SFT",
    "Amazon Nova 2 SFT does not support tool use yet (\"Adding tool sections might cause your job to fail\"). "
    "Remove tool calls and tool results, or train elsewhere; `tunescope export --to bedrock` leaves them out "
    "and reports each one.", tags=("tools",))
BEDROCK_TURN_ORDER = check(
    "bedrock_turn_order", Severity.ERROR, "target", "Bedrock: turns out of order",
    "In bedrock-conversation-2024 the first turn is the user's, the last is the assistant's, and turns "
    "alternate.")


def to_bedrock(record: dict, kind: RecordKind, notes: Notes) -> dict | None:
    if kind not in KINDS:
        not_held(kind, notes, NAME, KINDS)
        return None
    record = modernised(record, notes, NAME)
    system: list[dict] = []
    turns: list[dict] = []
    for key in record:
        if key == "tools":
            notes.lost("tools_not_carried", f"{NAME}: Nova SFT has no tool use; the tool definitions are left out",
                       "$.tools")
        elif key != "messages":
            notes.lost("key_not_carried", f"{NAME} has no place for the top-level key {key!r}; left out", f"$.{key}")
    for i, message in enumerate(record.get("messages") or []):
        where = f"$.messages[{i}]"
        role = message.get("role") if isinstance(message, dict) else None
        if role == "tool":
            notes.lost("tool_calls_not_carried", f"{NAME}: Nova SFT has no tool use; this tool result is left out",
                       where)
            continue
        if role not in ("system", "user", "assistant"):
            notes.lost("message_not_carried", f"{NAME}: role {role!r} has no Converse equivalent", where)
            continue
        texts, images = split_content(message.get("content"), notes, f"{where}.content", NAME)
        blocks: list[dict] = [{"text": t} for t in texts if t]
        for image in images:
            url = image_url(image)
            ext = url.rsplit(".", 1)[-1].lower() if "." in url else ""
            if url.startswith("s3://") and ext in IMAGE_FORMATS:
                blocks.append({"image": {"format": IMAGE_FORMATS[ext], "source": {"s3Location": {"uri": url}}}})
            else:
                notes.lost("image_not_carried", f"{NAME}: Nova reads images from S3 (s3://... .png/.jpeg/.gif); "
                           "this image is left out", f"{where}.content")
        if role == "system":
            system.extend(blocks)
            continue
        if role == "assistant":
            weight_zero_lost(message, notes, where, NAME)
            if message.get("tool_calls"):
                notes.lost("tool_calls_not_carried", f"{NAME}: Nova SFT has no tool use; "
                           f"{len(message['tool_calls'])} tool call(s) left out", f"{where}.tool_calls")
        if not blocks:
            continue
        if turns and turns[-1]["role"] == role:
            notes.changed("turns_joined", f"{NAME}: two {role} turns in a row are joined into one", where)
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    while turns and turns[-1]["role"] != "assistant":
        turns.pop()
    if turns and turns[0]["role"] != "user" or not turns:
        notes.lost("example_not_carried", f"{NAME}: after what Nova cannot hold, no user turn followed by an "
                   "assistant turn is left; the example is not exported")
        return None
    out: dict = {"schemaVersion": SCHEMA_VERSION}
    if system:
        out["system"] = system
    out["messages"] = turns
    return out


def from_bedrock(record: dict) -> dict:
    messages = [{"role": "system", "content": b["text"]} for b in record.get("system") or [] if "text" in b]
    for turn in record.get("messages") or []:
        texts = [b["text"] for b in turn.get("content") or [] if "text" in b]
        images = [{"type": "image_url", "image_url": {"url": b["image"]["source"]["s3Location"]["uri"]}}
                  for b in turn.get("content") or [] if "image" in b]
        if images:
            content = [{"type": "text", "text": t} for t in texts] + images
        else:
            content = texts[0] if len(texts) == 1 else [{"type": "text", "text": t} for t in texts]
        messages.append({"role": turn.get("role"), "content": content})
    return {"messages": messages}


def looks_bedrock(record: dict) -> bool:
    return "schemaVersion" in record or (isinstance(record.get("system"), list) and "messages" in record)


def bedrock_rows(record: dict, kind: RecordKind, emit) -> None:
    if record.get("tools"):
        emit(BEDROCK_TOOL_USE, "bedrock: the example defines tools; Nova SFT has no tool use",
             "remove the tools (export leaves them out)", "$.tools")
    roles = []
    for i, message in enumerate(record.get("messages") or []):
        if not isinstance(message, dict):
            continue
        if message.get("tool_calls") or message.get("role") == "tool":
            emit(BEDROCK_TOOL_USE, f"bedrock: message {i} is a tool call or tool result; Nova SFT has no tool use",
                 "remove tool calls and results (export leaves them out and joins the turns)", f"$.messages[{i}]")
            return
        if message.get("role") != "system":
            roles.append((i, message.get("role")))
    for (i, a), (j, b) in zip(roles, roles[1:]):
        if a == b:
            emit(BEDROCK_TURN_ORDER, f"bedrock: two {a} turns in a row (messages {i} and {j})",
                 "join them (export does)", f"$.messages[{j}].role")
            return
    if roles and (roles[0][1] != "user" or roles[-1][1] != "assistant"):
        emit(BEDROCK_TURN_ORDER, "bedrock: the conversation must start with a user turn and end with an "
             "assistant turn", "", "$.messages")


BEDROCK = target(Target(
    name=NAME, title="AWS Bedrock (Amazon Nova SFT)",
    format='JSONL: {"schemaVersion": "bedrock-conversation-2024", "system": [{text}], "messages": '
           '[{role: user|assistant, content: [{text}|{image}]}]}',
    holds=KINDS, to_target=to_bedrock, to_openai=from_bedrock, native=True, looks_native=looks_bedrock,
    schema="bedrock.schema.json", weights=False,
    jobs_api="own: CreateModelCustomizationJob / GetModelCustomizationJob (boto3)",
    rules=(BEDROCK_TOOL_USE, BEDROCK_TURN_ORDER), record_rules=bedrock_rows,
    sources=(PREP, "docs.aws.amazon.com/nova/latest/nova2-userguide/nova-data-prep-sft-2.html",
             "docs.aws.amazon.com/bedrock/latest/userguide/preparing-text-data.html")))
