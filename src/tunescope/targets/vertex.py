"""Google Vertex AI (Gemini supervised tuning): `systemInstruction` + `contents` of `parts`.

OpenAI -> Gemini: system messages become `systemInstruction` parts, `assistant` becomes `model`, tool
calls become `functionCall` parts (arguments as an object) and tool results `functionResponse` parts in a
`user` turn (`response: {"content": <the tool's text>}`), tools become one `functionDeclarations` entry.
Gemini keeps no tool-call ids (they are numbered again on the way back) and no per-message weight.
Images: http(s) and gs:// URLs become `fileData`; inline (data:) images are not carried, because the
tuning format documents only text and `fileData` parts. Format and limits: cloud.google.com/vertex-ai/
generative-ai/docs/models/gemini-supervised-tuning-prepare and gemini-supervised-tuning-about (read
2026-12-02 via field-2026-12.md §1; the tuning page copy is dated 2025-09-04).
"""

from __future__ import annotations

import mimetypes

from tunescope.checks.registry import Severity, check
from tunescope.dataset.formats import RecordKind
from tunescope.targets.common import (modernised, arguments_object, arguments_string, call_id, image_url, not_held,
                                      split_content, weight_zero_lost)
from tunescope.targets.registry import Limit, Notes, Target, target

NAME = "vertex"
KINDS = frozenset({RecordKind.CHAT})
ABOUT = "cloud.google.com/vertex-ai/generative-ai/docs/models/gemini-supervised-tuning-about"
READ = "2026-12-02"
MESSAGE_KEYS = frozenset({"role", "content", "tool_calls", "tool_call_id", "weight", "name"})

VERTEX_FILE_URI = check(
    "vertex_file_uri", Severity.WARNING, "target", "Vertex: image not on gs://",
    "Gemini tuning reads `fileData` from Cloud Storage; an image given by an http(s) URL must be copied to a "
    "gs:// bucket and referenced by its gs:// URI.", tags=("images",))


def _file_data(url: str) -> dict:
    mime = mimetypes.guess_type(url.split("?", 1)[0])[0] or "image/jpeg"
    return {"fileData": {"mimeType": mime, "fileUri": url}}


def to_vertex(record: dict, kind: RecordKind, notes: Notes) -> dict | None:
    if kind not in KINDS:
        not_held(kind, notes, NAME, KINDS)
        return None
    record = modernised(record, notes, NAME)
    system: list[dict] = []
    contents: list[dict] = []
    names: dict[str, str] = {}
    seen_other = had_calls = False
    for key in record:
        if key not in ("messages", "tools"):
            notes.lost("key_not_carried", f"{NAME} has no place for the top-level key {key!r}; left out", f"$.{key}")
    for i, message in enumerate(record.get("messages") or []):
        where = f"$.messages[{i}]"
        if not isinstance(message, dict):
            notes.lost("message_not_carried", f"{NAME}: message {i} is not an object", where)
            continue
        for key in message:
            if key not in MESSAGE_KEYS:
                notes.lost("message_key_not_carried", f"{NAME} has no place for the message key {key!r}",
                           f"{where}.{key}")
        role = message.get("role")
        texts, images = split_content(message.get("content"), notes, f"{where}.content", NAME)
        if role == "system":
            if seen_other:
                notes.changed("system_moved", f"{NAME}: a system message after the conversation started moves "
                              "to systemInstruction", where)
            system.extend({"text": t} for t in texts)
            continue
        seen_other = True
        parts: list[dict] = [{"text": t} for t in texts if t or not (images or message.get("tool_calls"))]
        for j, image in enumerate(images):
            url = image_url(image)
            if url.startswith(("http://", "https://", "gs://")):
                parts.append(_file_data(url))
            else:
                notes.lost("image_not_carried", f"{NAME}: inline images are not in the tuning format; upload "
                           "the image to Cloud Storage and use its gs:// URI", f"{where}.content")
        if role == "assistant":
            weight_zero_lost(message, notes, where, NAME)
            for j, call in enumerate(message.get("tool_calls") or []):
                fn = call.get("function") if isinstance(call, dict) else None
                if not isinstance(fn, dict):
                    notes.lost("tool_calls_not_carried", f"{NAME}: tool call {j} has no function", where)
                    continue
                names[str(call.get("id"))] = fn.get("name")
                had_calls = True
                parts.append({"functionCall": {"name": fn.get("name"), "args": arguments_object(
                    fn.get("arguments"), notes, f"{where}.tool_calls[{j}].function.arguments", NAME)}})
            _append(contents, "model", parts)
        elif role == "user":
            _append(contents, "user", parts, merge=False)
        elif role == "tool":
            name = names.get(str(message.get("tool_call_id"))) or message.get("name") or "unknown"
            response = {"functionResponse": {"name": name, "response": {"content": "\n".join(texts)}}}
            if contents and contents[-1]["role"] == "user" and "functionResponse" in contents[-1]["parts"][-1]:
                contents[-1]["parts"].append(response)
            else:
                contents.append({"role": "user", "parts": [response]})
        else:
            notes.lost("message_not_carried", f"{NAME}: role {role!r} has no Gemini equivalent", f"{where}.role")
    if had_calls:
        notes.changed("tool_call_ids_renumbered", f"{NAME} keeps no tool-call ids; they are numbered again on "
                      "the way back")
    out: dict = {}
    if system:
        out["systemInstruction"] = {"role": "system", "parts": system}
    out["contents"] = contents
    tools = record.get("tools")
    if isinstance(tools, list) and tools:
        declarations = []
        for j, tool in enumerate(tools):
            fn = tool.get("function") if isinstance(tool, dict) else None
            if isinstance(fn, dict):
                declarations.append({k: v for k, v in fn.items() if k in ("name", "description", "parameters")})
                if "strict" in fn:
                    notes.changed("strict_not_carried", f"{NAME}: function declarations have no `strict`",
                                  f"$.tools[{j}].function.strict")
            else:
                notes.lost("tool_not_carried", f"{NAME}: tool {j} is not a function tool", f"$.tools[{j}]")
        out["tools"] = [{"functionDeclarations": declarations}]
    return out


def _append(contents: list, role: str, parts: list, merge: bool = True) -> None:
    """One Content per OpenAI message: two assistant messages in a row stay two `model` turns."""
    contents.append({"role": role, "parts": parts or [{"text": ""}]})


def from_vertex(record: dict) -> dict:
    messages: list[dict] = []
    system = record.get("systemInstruction")
    if isinstance(system, dict):
        for part in system.get("parts") or []:
            if isinstance(part, dict) and "text" in part:
                messages.append({"role": "system", "content": part["text"]})
    pending: list[tuple[str, str]] = []
    for content in record.get("contents") or []:
        role = content.get("role", "user")
        texts, images, calls = [], [], []
        for part in content.get("parts") or []:
            if "text" in part:
                texts.append(part["text"])
            elif "fileData" in part:
                images.append({"type": "image_url", "image_url": {"url": part["fileData"].get("fileUri", "")}})
            elif "functionCall" in part:
                fc = part["functionCall"]
                cid = call_id(len(messages), len(calls))
                calls.append({"id": cid, "type": "function", "function": {
                    "name": fc.get("name"), "arguments": arguments_string(fc.get("args", {}))}})
                pending.append((fc.get("name"), cid))
            elif "functionResponse" in part:
                fr = part["functionResponse"]
                cid = next((c for n, c in pending if n == fr.get("name")), call_id(len(messages), 0))
                pending = [(n, c) for n, c in pending if c != cid]
                response = fr.get("response")
                text = response.get("content") if isinstance(response, dict) and set(response) == {"content"} \
                    else arguments_string(response)
                messages.append({"role": "tool", "tool_call_id": cid, "content": text})
        if not (texts or images or calls):
            continue
        message: dict = {"role": "assistant" if role == "model" else "user"}
        if images:
            message["content"] = [{"type": "text", "text": t} for t in texts] + images
        elif len(texts) == 1:
            message["content"] = texts[0]
        elif texts:
            message["content"] = [{"type": "text", "text": t} for t in texts]
        else:
            message["content"] = None
        if calls:
            message["tool_calls"] = calls
        messages.append(message)
    out: dict = {"messages": messages}
    for tool in record.get("tools") or []:
        for decl in tool.get("functionDeclarations") or []:
            out.setdefault("tools", []).append({"type": "function", "function": decl})
    return out


def looks_vertex(record: dict) -> bool:
    return isinstance(record.get("contents"), list) and "messages" not in record


def vertex_rows(record: dict, kind: RecordKind, emit) -> None:
    for i, message in enumerate(record.get("messages") or []):
        content = message.get("content") if isinstance(message, dict) else None
        for j, part in enumerate(content if isinstance(content, list) else []):
            url = image_url(part) if isinstance(part, dict) and part.get("type") == "image_url" else ""
            if url.startswith(("http://", "https://")):
                emit(VERTEX_FILE_URI, f"vertex: image {url[:80]!r} is not in Cloud Storage",
                     "copy it to a gs:// bucket and use that URI", f"$.messages[{i}].content[{j}]")


VERTEX = target(Target(
    name=NAME, title="Google Vertex AI (Gemini supervised tuning)",
    format="JSONL in GCS: {systemInstruction, contents: [{role: user|model, parts: [text|fileData|functionCall|"
           "functionResponse]}], tools: [{functionDeclarations}]}",
    holds=KINDS, to_target=to_vertex, to_openai=from_vertex, native=True, looks_native=looks_vertex,
    schema="vertex.schema.json", weights=False,
    jobs_api="own: tuningJobs.create/get/list/cancel (REST or google-genai SDK)",
    limits=(Limit("tokens_per_example", 131_072, ABOUT + " (Gemini 2.5 Flash)", READ),
            Limit("max_file_bytes", 1024 ** 3, ABOUT + " (training JSONL)", READ),
            Limit("max_examples", 1_000_000, ABOUT + " (text examples; 300K multimodal)", READ),
            Limit("max_validation_examples", 5_000, ABOUT, READ)),
    rules=(VERTEX_FILE_URI,), record_rules=vertex_rows,
    sources=(ABOUT, "cloud.google.com/vertex-ai/generative-ai/docs/models/gemini-supervised-tuning-prepare",
             "docs.cloud.google.com/gemini-enterprise-agent-platform/reference/models/tuning.md.txt")))
