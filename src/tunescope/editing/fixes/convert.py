"""Fixes that convert near-miss shapes to OpenAI's formats.

Only unambiguous renames are made; anything else is listed in the report's
notes and left alone:
- content part {"type": "text", "value": ...} -> "text" (LLaMA-Factory);
- per-message `loss_weight` 0/1 -> `weight` on assistant messages; a 0 on
  other roles is dropped (those are never trained), other values stay;
- `chosen_messages`/`rejected_messages`, or `chosen`/`rejected` (message lists,
  or strings with a `prompt`) -> `input`/`preferred_output`/`non_preferred_output`
  when both sides share the prompt and end with one assistant reply;
- legacy `preferred_completion`/`non_preferred_completion` -> `*_output`;
- with drop_extra_keys: top-level keys OpenAI rejects in supervised chat and
  preference rows (e.g. `id`, `meta`); never in reinforcement rows, whose extra
  keys feed the graders.

Each plan function is followed by its declaration in the fix registry (registry.py).
"""

from __future__ import annotations

from tunescope.dataset.formats import RecordKind, detect
from tunescope.editing.fixes.plan import FixError, FixPlan, FixReport
from tunescope.editing.fixes.registry import Option, fix
from tunescope.editing.fixes.rows import iter_rows
from tunescope.editing.ops import compact_dumps

CHAT_KEYS = ("messages", "tools", "parallel_tool_calls", "functions")
PREFERENCE_KEYS = ("input", "preferred_output", "non_preferred_output")


def _rename_key(d: dict, old: str, new: str, value=...) -> dict:
    """A copy of d with key `old` renamed to `new` in the same position."""
    return {(new if k == old else k): (v if k != old or value is ... else value) for k, v in d.items()}


def _fix_message(msg, reasons: set, in_preference: bool = False):
    if not isinstance(msg, dict):
        return msg
    content = msg.get("content")
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, dict) and "value" in part and "text" not in part \
                    and part.get("type", "text") == "text":
                part = _rename_key(part, "value", "text")
                reasons.add("content part value -> text")
            parts.append(part)
        msg = {**msg, "content": parts}
    if "loss_weight" in msg and "weight" not in msg:
        lw = msg["loss_weight"]
        numeric = isinstance(lw, (int, float)) and not isinstance(lw, bool) and lw in (0, 1)
        if in_preference and numeric:
            msg = {k: v for k, v in msg.items() if k != "loss_weight"}
            reasons.add("loss_weight dropped (not used in preference data)")
        elif msg.get("role") == "assistant" and numeric:
            msg = _rename_key(msg, "loss_weight", "weight", int(lw))
            reasons.add("loss_weight -> weight")
        elif numeric and lw == 0:
            msg = {k: v for k, v in msg.items() if k != "loss_weight"}
            reasons.add(f"loss_weight 0 dropped on {msg.get('role')} message")
    return msg


def _fix_messages(msgs, reasons: set, in_preference: bool = False):
    if not isinstance(msgs, list):
        return msgs
    return [_fix_message(m, reasons, in_preference) for m in msgs]


def _as_output(value) -> list | None:
    if isinstance(value, str):
        return [{"role": "assistant", "content": value}]
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and all(isinstance(m, dict) for m in value):
        return value
    return None


def _preference(obj: dict, chosen_key: str, rejected_key: str, reasons: set, notes: list) -> dict | None:
    chosen, rejected = obj.get(chosen_key), obj.get(rejected_key)
    prompt = obj.get("prompt")
    if isinstance(chosen, list) and isinstance(rejected, list) and prompt is None:
        chosen = _fix_messages(chosen, reasons, True)
        rejected = _fix_messages(rejected, reasons, True)
        if not (chosen and rejected and isinstance(chosen[-1], dict) and isinstance(rejected[-1], dict)
                and chosen[-1].get("role") == "assistant" and rejected[-1].get("role") == "assistant"):
            notes.append(f"{chosen_key}/{rejected_key} do not both end with an assistant reply")
            return None
        if chosen[:-1] != rejected[:-1]:
            notes.append(f"{chosen_key}/{rejected_key} differ before the final reply (no shared prompt)")
            return None
        prompt_msgs, out_c, out_r = chosen[:-1], [chosen[-1]], [rejected[-1]]
    elif isinstance(prompt, (str, list)) and _as_output(chosen) and _as_output(rejected):
        prompt_msgs = [{"role": "user", "content": prompt}] if isinstance(prompt, str) \
            else _fix_messages(prompt, reasons, True)
        out_c = _fix_messages(_as_output(chosen), reasons, True)
        out_r = _fix_messages(_as_output(rejected), reasons, True)
    else:
        notes.append(f"{chosen_key}/{rejected_key} without a prompt: cannot tell the prompt from the reply")
        return None
    inp = {"messages": prompt_msgs}
    out: dict = {}
    for k, v in obj.items():
        if k in ("tools", "parallel_tool_calls", "functions"):
            inp[k] = v
        elif k not in (chosen_key, rejected_key, "prompt"):
            out[k] = v
    reasons.add(f"{chosen_key}/{rejected_key} -> input/preferred_output/non_preferred_output")
    return {"input": inp, "preferred_output": out_c, "non_preferred_output": out_r, **out}


def convert_near_miss(obj: dict, reasons: set, notes: list) -> dict:
    """The object with every unambiguous near-miss rename applied (reasons say which)."""
    if "chosen_messages" in obj and "rejected_messages" in obj:
        obj = _preference(obj, "chosen_messages", "rejected_messages", reasons, notes) or obj
    elif "chosen" in obj and "rejected" in obj and "input" not in obj:
        obj = _preference(obj, "chosen", "rejected", reasons, notes) or obj
    for old, new in (("preferred_completion", "preferred_output"),
                     ("non_preferred_completion", "non_preferred_output")):
        if old in obj and new not in obj:
            out = _as_output(obj[old])
            if out is None:
                notes.append(f"{old} is neither text nor messages")
                continue
            obj = _rename_key(obj, old, new, out)
            reasons.add(f"{old} -> {new}")
    if isinstance(obj.get("messages"), list):
        obj = {**obj, "messages": _fix_messages(obj["messages"], reasons)}
    inp = obj.get("input")
    if isinstance(inp, dict) and isinstance(inp.get("messages"), list):
        obj = {**obj, "input": {**inp, "messages": _fix_messages(inp["messages"], reasons, True)}}
    for side in ("preferred_output", "non_preferred_output"):
        if isinstance(obj.get(side), list):
            obj = {**obj, side: _fix_messages(obj[side], reasons, True)}
    return obj


def _drop_extra(obj: dict, reasons: set) -> dict:
    kind, _ = detect(obj)
    allowed = CHAT_KEYS if kind == RecordKind.CHAT else PREFERENCE_KEYS if kind == RecordKind.PREFERENCE else None
    if allowed is None:
        return obj
    extra = [k for k in obj if k not in allowed]
    if not extra:
        return obj
    reasons.add("dropped extra top-level keys " + ", ".join(extra))
    return {k: v for k, v in obj.items() if k in allowed}


def fix_rename_near_miss(session, drop_extra_keys: bool = False, rename: bool = True) -> FixPlan:
    what = "rename near-miss keys" if rename else "drop extra top-level keys"
    if rename and drop_extra_keys:
        what += " and drop extra top-level keys"
    plan = FixPlan(FixReport("rename_near_miss" if rename else "drop_extra_keys", what))
    for r in iter_rows(session):
        if not isinstance(r.obj, dict):
            continue
        reasons: set = set()
        notes: list = []
        obj = convert_near_miss(r.obj, reasons, notes) if rename else r.obj
        if drop_extra_keys:
            obj = _drop_extra(obj, reasons)
        for note in notes:
            plan.report.notes.append(f"row {r.row + 1}: left alone: {note}")
        if reasons:
            plan.change(session, r.row, compact_dumps(obj), "; ".join(sorted(reasons)))
    return plan


RENAME_NEAR_MISS = fix(
    "rename_near_miss", fix_rename_near_miss, order=20, menu=50,
    label="Fix near-miss formats",
    description="Rename look-alike keys (LLaMA-Factory, ShareGPT, ...) to OpenAI's chat format.",
    cli_flag="--rename-near-miss",
    cli_help="value->text parts, loss_weight->weight, chosen/rejected and *_completion -> OpenAI preference keys",
    resolves=("near_miss_format",))


def fix_drop_extra_keys(session) -> FixPlan:
    return fix_rename_near_miss(session, drop_extra_keys=True, rename=False)


DROP_EXTRA_KEYS = fix(
    "drop_extra_keys", fix_drop_extra_keys, order=30, menu=40,
    label="Drop extra top-level keys", description="Remove keys the format does not define (OpenAI rejects them).",
    cli_flag="--drop-extra-keys",
    cli_help="drop top-level keys OpenAI rejects in supervised/preference rows (e.g. id, meta)",
    resolves=("extra_top_level_key", "together_extra_keys"))


# -- legacy prompt/completion -> chat --------------------------------------------------
PROMPT_SEPARATORS = ("\n\n###\n\n", "\n###\n", " ->", "->", "###", "\n\n")
COMPLETION_STOPS = ("\n\n###\n\n", " END", "###", "\n")


def _common_suffix(texts: list[str], candidates: tuple[str, ...]) -> str | None:
    for cand in candidates:  # longest/most specific first
        if texts and all(t.endswith(cand) for t in texts):
            return cand
    return None


def fix_to_chat(session, system: str | None = None, separator: str | None = "auto",
                stop: str | None = "auto") -> FixPlan:
    """Legacy {"prompt", "completion"} rows -> {"messages": [system?, user, assistant]}.

    The legacy recipe ended every prompt with a fixed separator (e.g. " ->") and
    every completion with a stop sequence (e.g. "\\n"), and began completions
    with a space. With "auto", a separator/stop shared by ALL legacy rows is
    removed; None keeps the text; any other string is removed where present.
    Both sides are then stripped of surrounding whitespace.
    """
    rows = [r for r in iter_rows(session) if r.kind == RecordKind.PROMPT_COMPLETION
            and isinstance(r.obj, dict)]
    usable = [r for r in rows if isinstance(r.obj.get("prompt"), str) and isinstance(r.obj.get("completion"), str)]
    sep = _common_suffix([r.obj["prompt"] for r in usable], PROMPT_SEPARATORS) if separator == "auto" else separator
    end = _common_suffix([r.obj["completion"] for r in usable], COMPLETION_STOPS) if stop == "auto" else stop
    what = "convert prompt/completion rows to chat messages"
    plan = FixPlan(FixReport("to_chat", what))
    if sep:
        plan.report.notes.append(f"removed the prompt separator {sep!r}")
    if end and end.strip():
        plan.report.notes.append(f"removed the completion stop sequence {end!r}")
    if system is not None and not system.strip():
        raise FixError("the system prompt is empty; omit it or give some text")
    usable_rows = {r.row for r in usable}
    for r in rows:
        if r.row not in usable_rows:
            plan.report.notes.append(f"row {r.row + 1}: left alone: prompt/completion are not both text")
            continue
        prompt, completion = r.obj["prompt"], r.obj["completion"]
        if sep and prompt.endswith(sep):
            prompt = prompt[: -len(sep)]
        if end and completion.endswith(end):
            completion = completion[: -len(end)]
        messages = [{"role": "system", "content": system}] if system else []
        messages += [{"role": "user", "content": prompt.strip()},
                     {"role": "assistant", "content": completion.strip()}]
        rest = {k: v for k, v in r.obj.items() if k not in ("prompt", "completion")}
        reason = "prompt/completion -> messages" + (" with system prompt" if system else "")
        plan.change(session, r.row, compact_dumps({"messages": messages, **rest}), reason)
    return plan


TO_CHAT = fix(
    "to_chat", fix_to_chat, order=40, menu=60,
    label="Convert prompt/completion to chat", description="Turn legacy prompt/completion rows into chat messages.",
    cli_flag="--to-chat", cli_help="legacy prompt/completion rows -> chat messages",
    options=(Option("--system", "system", "system prompt for --to-chat", metavar="TEXT"),),
    resolves=("legacy_format_for_chat_model",))
