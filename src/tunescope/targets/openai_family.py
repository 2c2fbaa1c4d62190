"""The destinations that take OpenAI's own JSONL: OpenAI, Azure OpenAI, Together and Fireworks.

Their converters copy each row, keeping only the keys the destination reads (an extra top-level key
such as `id` or `meta` is reported and left out); Together also refuses a file that mixes formats.
Figures come from ../shared/reference/field-2026-12.md section 1 (read 2026-12-02) unless a line says
otherwise.
"""

from __future__ import annotations

from tunescope.checks.registry import Severity, check
from tunescope.dataset.formats import CHAT_KEYS, LEGACY_KEYS, PREFERENCE_KEYS, RecordKind
from tunescope.targets.common import not_held
from tunescope.targets.registry import Limit, Notes, Target, target

FIELD = "../shared/reference/field-2026-12.md §1"
READ = "2026-12-02"
OPENAI_KINDS = frozenset({RecordKind.CHAT, RecordKind.PREFERENCE, RecordKind.REINFORCEMENT})
KEYS = {RecordKind.CHAT: CHAT_KEYS, RecordKind.PREFERENCE: PREFERENCE_KEYS, RecordKind.PROMPT_COMPLETION: LEGACY_KEYS}

TOGETHER_MIXED_FORMATS = check(
    "together_mixed_formats", Severity.ERROR, "target", "Together: the file mixes formats",
    "Together's file check refuses a file whose rows are in more than one format (conversational, "
    "instruction, preference, generic text). Split the file by format.")
TOGETHER_EXTRA_KEYS = check(
    "together_extra_keys", Severity.WARNING, "target", "Together: extra top-level keys",
    "A row has top-level keys beyond its format's (`messages`/`tools`, `prompt`/`completion`, the preference "
    "keys). Together's data-preparation page (2025-11) says they are ignored; field-2026-12.md reports that "
    "the file check rejects extra columns. `tunescope export --to together` leaves them out.")
TOGETHER_TURN_ORDER = check(
    "together_turn_order", Severity.ERROR, "target", "Together: turns out of order",
    "Together's client rejects a conversation that does not start with a system or user message and then "
    "alternate user and assistant turns (tool messages answer the assistant's tool calls).")


def joined_assistant_turns(messages: list, notes: Notes, name: str) -> list:
    """Two assistant messages in a row joined into one (text joined by a newline, tool calls kept in order),
    when their weights agree; Together wants user and assistant turns to alternate."""
    out: list = []
    for i, message in enumerate(messages):
        prev = out[-1] if out else None
        if (isinstance(message, dict) and isinstance(prev, dict) and message.get("role") == "assistant"
                and prev.get("role") == "assistant" and message.get("weight", 1) == prev.get("weight", 1)
                and all(isinstance(m.get("content"), (str, type(None))) for m in (prev, message))):
            texts = [m["content"] for m in (prev, message) if m.get("content")]
            merged = {**prev, "content": "\n".join(texts) if texts else None}
            calls = (prev.get("tool_calls") or []) + (message.get("tool_calls") or [])
            if calls:
                merged["tool_calls"] = calls
            out[-1] = merged
            notes.changed("turns_joined", f"{name}: assistant messages {i - 1} and {i} are joined into one turn",
                          f"$.messages[{i}]")
        else:
            out.append(message)
    return out


def keep_keys(name: str, kinds: frozenset[RecordKind], join_turns: bool = False):
    """A converter that copies a held row with only its format's keys (others reported as not carried)."""

    def convert(record: dict, kind: RecordKind, notes: Notes) -> dict | None:
        if kind not in kinds:
            not_held(kind, notes, name, kinds)
            return None
        allowed = KEYS.get(kind)
        if allowed is None:            # reinforcement rows keep their grader keys
            return dict(record)
        if join_turns and kind == RecordKind.CHAT and isinstance(record.get("messages"), list):
            record = {**record, "messages": joined_assistant_turns(record["messages"], notes, name)}
        out = {}
        for key, value in record.items():
            if key in allowed:
                out[key] = value
            else:
                notes.lost("key_not_carried", f"{name} does not read the top-level key {key!r}; left out",
                           f"$.{key}")
        return out

    return convert


def same(record: dict) -> dict:
    return record


def together_rows(record: dict, kind: RecordKind, emit) -> None:
    allowed = KEYS.get(kind)
    if allowed is not None:
        for key in record:
            if key not in allowed:
                emit(TOGETHER_EXTRA_KEYS, f"together: top-level key {key!r} is not part of the "
                     f"{kind.value} format", "remove it (`tunescope export --to together` does)", f"$.{key}")
    if kind != RecordKind.CHAT or not isinstance(record.get("messages"), list):
        return
    turns = [m.get("role") for m in record["messages"] if isinstance(m, dict)]
    if turns and turns[0] not in ("system", "user"):
        emit(TOGETHER_TURN_ORDER, f"together: the conversation starts with {turns[0]!r}",
             "start with a system or user message", "$.messages[0].role")
        return
    last = None
    for i, role in enumerate(turns):
        if role == "system" and i == 0 or role == "tool":
            continue
        if role == last and role in ("user", "assistant") and turns[i - 1] != "tool":
            emit(TOGETHER_TURN_ORDER, f"together: two {role} messages in a row (messages {i - 1} and {i})",
                 "merge them or put the other role's turn between them", f"$.messages[{i}].role")
            return
        last = role


def together_file(kinds: dict, emit) -> None:
    used = sorted(k.value for k, n in kinds.items() if n)
    if len(used) > 1:
        emit(TOGETHER_MIXED_FORMATS, f"together: the file mixes formats ({', '.join(used)})",
             "write one file per format (`tunescope export --to together` keeps only the ones Together holds)",
             "")


OPENAI = target(Target(
    name="openai", title="OpenAI fine-tuning",
    format="OpenAI JSONL: chat `messages` (+ tools, weight 0/1, images), DPO, RFT",
    holds=OPENAI_KINDS, to_target=keep_keys("openai", OPENAI_KINDS), to_openai=same, weights=True,
    jobs_api="/v1/fine_tuning/jobs (openai SDK); new jobs end 2027-01-06",
    trained_by=("openai", "compatible", "local"),     # OpenAI-compatible clouds (Nebius) and the local server
    limits=(Limit("min_examples", 10, "developers.openai.com fine-tuning guide; " + FIELD, READ),
            Limit("max_file_bytes", 512 * 1024 ** 2, "developers.openai.com files API; " + FIELD, READ)),
    sources=("../shared/reference/finetuning-api.md", FIELD)))

AZURE = target(Target(
    name="azure", title="Azure OpenAI / Foundry",
    format="OpenAI JSONL (same shapes; Azure DPO rows may carry tools)",
    holds=OPENAI_KINDS, to_target=keep_keys("azure", OPENAI_KINDS), to_openai=same, weights=True,
    jobs_api="openai SDK at https://RESOURCE.openai.azure.com/openai/v1/ (+ extra_body trainingType)",
    trained_by=("azure",),
    limits=(Limit("min_examples", 10, "MicrosoftDocs/azure-ai-docs fine-tuning includes; " + FIELD, READ),
            Limit("max_file_bytes", 512 * 1024 ** 2, "MicrosoftDocs/azure-ai-docs fine-tuning includes; " + FIELD,
                  READ),
            Limit("tokens_per_example", 65_536, "MicrosoftDocs/azure-ai-docs fine-tune-models.md (4o, 4o-mini, 4.1, "
                  "4.1-mini, o4-mini; 32,768 for nano); " + FIELD, READ)),
    sources=("MicrosoftDocs/azure-ai-docs:articles/ai-foundry/openai/includes/fine-tuning-oai-sdk.md", FIELD)))

TOGETHER_KINDS = frozenset({RecordKind.CHAT, RecordKind.PREFERENCE, RecordKind.PROMPT_COMPLETION})
TOGETHER = target(Target(
    name="together", title="Together AI",
    format="JSONL, one format per file: conversational `messages` (+tools, weight), prompt/completion, "
           "preference (OpenAI DPO shape)",
    holds=TOGETHER_KINDS, to_target=keep_keys("together", TOGETHER_KINDS, join_turns=True), to_openai=same, weights=True,
    jobs_api="own: /v1/fine-tunes (+ /events, /checkpoints), together SDK/CLI", trained_by=("together",),
    limits=(Limit("max_file_bytes", 100 * 1024 ** 3, "docs.together.ai/docs/fine-tuning/data-preparation", READ,
                  note="the together SDK constant is 50.1 GB"),),
    rules=(TOGETHER_MIXED_FORMATS, TOGETHER_EXTRA_KEYS, TOGETHER_TURN_ORDER),
    record_rules=together_rows, file_rules=together_file,
    replaces=frozenset({"too_few_examples", "legacy_format_for_chat_model"}),
    sources=("docs.together.ai/docs/fine-tuning/data-preparation (copy dated 2025-11-08)",
             "togethercomputer/together-python:src/together/utils/files.py (check_file)", FIELD)))

FIREWORKS_KINDS = frozenset({RecordKind.CHAT, RecordKind.PREFERENCE})
FIREWORKS = target(Target(
    name="fireworks", title="Fireworks AI",
    format="OpenAI-compatible chat JSONL (`messages`, weight); DPO `input` + preferred/non_preferred_output",
    holds=FIREWORKS_KINDS, to_target=keep_keys("fireworks", FIREWORKS_KINDS), to_openai=same, weights=True,
    jobs_api="own: /v1/accounts/{id}/datasets, supervisedFineTuningJobs, dpoJobs (firectl)",
    trained_by=("fireworks",),
    replaces=frozenset({"too_few_examples"}),
    limits=(Limit("min_examples", 3, "docs.fireworks.ai/fine-tuning/fine-tuning-models", READ),
            Limit("max_examples", 3_000_000, "docs.fireworks.ai/fine-tuning/fine-tuning-models", READ)),
    sources=("docs.fireworks.ai/fine-tuning/fine-tuning-models", "docs.fireworks.ai/fine-tuning/dpo-fine-tuning",
             FIELD)))
