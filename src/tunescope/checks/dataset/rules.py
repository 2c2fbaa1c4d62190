"""The dataset-level rules run by DatasetAggregator.finish(), one function per rule."""

from __future__ import annotations

from collections import Counter

from tunescope.checks.model import RecordKind
from tunescope.checks.dataset.grouping import SortedKeys, equal_runs
from tunescope.checks.dataset.aggregator import (_KIND_CODES, _UNTRACKED, CLASS_MAX_DISTINCT, FORMAT_KINDS, LEGACY_MODELS, MAX_FLAGGED_SHARE, MAX_IMAGE_EXAMPLES, MIN_EXAMPLES, PER_LINE_CAP, PROMPT_ONLY, RARE_VARIANT_SHARE, RECOMMENDED_EXAMPLES, _finding, short)


def resolve_kinds(agg, findings: list) -> Counter:
    """Count kinds, deciding ambiguous prompt-only rows by file majority."""
    raw = Counter(agg.kind_codes)
    prompt_only = raw.pop(PROMPT_ONLY, 0)
    kinds = Counter({_KIND_CODES[c]: n for c, n in raw.items()})
    if not prompt_only:
        return kinds
    chat = kinds[RecordKind.CHAT]
    if chat > prompt_only + kinds[RecordKind.REINFORCEMENT]:
        kinds[RecordKind.CHAT] += prompt_only
        emitted = 0
        for i, code in enumerate(agg.kind_codes):
            if code == PROMPT_ONLY and emitted < PER_LINE_CAP:
                emitted += 1
                findings.append(_finding(
                    "missing_assistant_message",
                    f"Invalid file format. Example {i + 1} has no assistant message. Most examples in this file "
                    f"are supervised chat ({chat} of {agg.n}), so this one is read as supervised too.",
                    "Add the assistant reply, or delete the example.", agg.lines[i], i, "$.messages"))
    else:
        kinds[RecordKind.REINFORCEMENT] += prompt_only
        first = agg.lines[agg.kind_codes.index(PROMPT_ONLY)]
        findings.append(_finding(
            "prompt_only_examples",
            f"{prompt_only} of {agg.n} examples have only prompt messages (no assistant reply, no grader keys). "
            "They are read as reinforcement fine-tuning prompts because "
            + ("that is most of the file" if prompt_only >= agg.n / 2 else "the rest of the file is reinforcement data")
            + "; as supervised data each would be rejected for lacking an assistant message.",
            "If this is supervised data, add the assistant replies (check with --method supervised to list them).",
            first))
    return kinds


def main_format(kinds: Counter) -> str:
    data = [(k, n) for k, n in kinds.most_common() if k in FORMAT_KINDS or k is RecordKind.NEAR_MISS]
    return data[0][0].value if data else "unknown"


def size(agg, kinds: Counter, findings: list, stats: dict) -> None:
    unusable = kinds[RecordKind.BLANK] + kinds[RecordKind.INVALID]
    n = agg.n - unusable          # the examples the report's header counts
    stats["examples"] = n
    if agg.n == 0:                # an empty or binary file: its own finding says so
        return
    if n < MIN_EXAMPLES:
        also = f" ({unusable:,} more line(s) are blank or not valid JSON)" if unusable else ""
        findings.append(_finding(
            "too_few_examples",
            f"Training file has {n} example(s), but must have at least {MIN_EXAMPLES} examples{also}.",
            "Add more examples: OpenAI refuses the file (invalid_n_examples); 50-100 good examples is a typical start.",
            path=""))
    elif n < RECOMMENDED_EXAMPLES:
        findings.append(_finding(
            "few_examples", f"The file has {n} examples; improvements usually appear from 50-100 well-crafted "
            "examples.", "Add examples if results are weak (OpenAI's guidance is to start with 50).", path=""))


def mixed_formats(agg, kinds: Counter, findings: list) -> None:
    present = [(k, n) for k, n in kinds.most_common() if k in FORMAT_KINDS]
    if len(present) < 2:
        return
    main = present[0][0]
    main_codes = {_KIND_CODES.index(main)}
    if main is RecordKind.REINFORCEMENT or main is RecordKind.CHAT:
        main_codes.add(PROMPT_ONLY)
    desc = ", ".join(f"{n} {k.value}" for k, n in present)
    emitted = 0
    first_other = None
    for i, code in enumerate(agg.kind_codes):
        if code in main_codes or code >= len(_KIND_CODES) or _KIND_CODES[code] not in FORMAT_KINDS:
            continue
        first_other = first_other or agg.lines[i]
        if emitted < PER_LINE_CAP:
            emitted += 1
            findings.append(_finding(
                "mixed_formats",
                f"All samples in the dataset must have the same dataset format. Got {main.value} for most lines "
                f"and {_KIND_CODES[code].value} for line {agg.lines[i]}.",
                f"Move the {_KIND_CODES[code].value} examples to their own file, or convert them to {main.value}.",
                agg.lines[i], i))
    findings.append(_finding("mixed_formats", f"The file mixes formats: {desc}.",
                             "One file must hold one format; split it by format.", first_other))


def duplicates(agg, findings: list) -> dict:
    groups = []
    rows = 0
    for run in equal_runs(agg.dedupe):
        idx = [agg.dedupe_idx[r] for r in run]
        lines = [agg.lines[i] for i in idx]
        rows += len(idx) - 1
        if len(groups) < 1000:
            groups.append(lines[:50])
        for i in idx[1:]:
            if rows <= PER_LINE_CAP:
                findings.append(_finding(
                    "duplicate_example", f"Line {agg.lines[i]} is an exact duplicate of line {lines[0]}.",
                    "Delete the duplicate (the first occurrence is kept); duplicates over-weight one example.",
                    agg.lines[i], i))
    return {"rows": rows, "groups": groups}


def conflicts(agg, findings: list) -> dict:
    groups = []
    for run in equal_runs(agg.io_in):
        outs = {agg.io_out[r] for r in run}
        if len(outs) < 2:
            continue
        idx = [agg.io_idx[r] for r in run]
        lines = [agg.lines[i] for i in idx]
        if len(groups) < 1000:
            groups.append(lines[:50])
        shown = ", ".join(map(str, lines[:6])) + (" ..." if len(lines) > 6 else "")
        for i in idx[1:]:
            findings.append(_finding(
                "conflicting_outputs",
                f"Line {agg.lines[i]} has the same input as line {lines[0]} but a different final output "
                f"({len(outs)} different outputs among lines {shown}).",
                "Decide which answer is right and make them agree (or delete the wrong ones): conflicting labels "
                "teach the model to guess.", agg.lines[i], i))
    return {"groups": groups}


def system_prompts(agg, findings: list) -> dict:
    rows = agg.sys_rows
    counts = agg.sys_counts
    distinct = len(counts) - 1
    untracked = sum(1 for s in agg.sys_ids if s == _UNTRACKED) if distinct >= 1000 else 0
    with_prompt = sum(counts) + untracked
    missing = rows - with_prompt
    listing = sorted(((c, sid) for sid, c in enumerate(counts) if sid), reverse=True)
    texts = {sid: text for text, sid in agg.sys_texts.items()}
    out = {"distinct": distinct, "untracked_rows": untracked, "missing": missing, "rows": rows,
           "prompts": [{"text": short(texts[sid]), "count": c, "first_line": agg.sys_first[sid]}
                       for c, sid in listing[:20]]}
    if not rows or (distinct <= 1 and not missing) or not distinct:
        return out
    top = ", ".join(f"{c}× \"{short(texts[sid], 60)}\"" for c, sid in listing[:4])
    findings.append(_finding(
        "system_prompts",
        f"{distinct}{'+' if untracked else ''} distinct system prompts in {rows} examples ({top}"
        f"{', ...' if distinct > 4 else ''}); {missing} example(s) have none.",
        "Use the same system prompt in training as at inference, in every example."))
    major_count, major = listing[0]
    if major_count * 2 < rows:
        return out
    rare_limit = max(1, int(major_count * RARE_VARIANT_SHARE))
    rare = {sid for c, sid in listing[1:] if c <= rare_limit}
    flagged_rows = (missing if missing else 0) + sum(counts[s] for s in rare)
    if flagged_rows > rows * MAX_FLAGGED_SHARE:
        return out
    major_text = short(texts[major], 80)
    for i, sid in enumerate(agg.sys_ids):
        kind = _KIND_CODES[agg.kind_codes[i]] if agg.kind_codes[i] < len(_KIND_CODES) else RecordKind.REINFORCEMENT
        if kind not in (RecordKind.CHAT, RecordKind.REINFORCEMENT, RecordKind.PREFERENCE):
            continue
        if sid == 0:
            findings.append(_finding(
                "system_prompt_missing",
                f"Example {i + 1} has no system prompt, while {major_count} of {rows} examples use "
                f"\"{major_text}\".",
                "Add the usual system prompt: dropping instructions in some examples teaches the model to ignore "
                "them.", agg.lines[i], i, "$.messages"))
        elif sid in rare:
            findings.append(_finding(
                "system_prompt_variant",
                f"Example {i + 1} uses a rare system prompt variant (used by {counts[sid]} example(s)) instead of "
                f"the one {major_count} examples use: \"{short(texts[sid], 80)}\".",
                "Use the same system prompt as the other examples (and at inference), unless the variation is "
                "deliberate.", agg.lines[i], i, "$.messages[0].content"))
    return out


def balance(agg, kinds: Counter, findings: list) -> dict | None:
    replies = agg.replies
    n = agg.reply_rows
    if replies is None or n < MIN_EXAMPLES:
        return None
    k = len(replies)
    if k > CLASS_MAX_DISTINCT or k * 3 >= n or k < 2:
        return None
    dist = [{"reply": short(r, 80), "count": c} for r, c in replies.most_common(20)]
    shown = ", ".join(f"\"{d['reply']}\" {d['count']}" for d in dist[:6])
    if kinds[RecordKind.CHAT] >= kinds[RecordKind.PROMPT_COMPLETION]:
        findings.append(_finding(
            "reply_distribution", f"Classification-like data: {k} distinct final replies in {n} examples ({shown}"
            f"{', ...' if k > 6 else ''}).", "Check the distribution matches what the model will see in use."))
    top_reply, top = replies.most_common(1)[0]
    share = top / n
    if share >= max(0.5, 1.5 / k):
        findings.append(_finding(
            "reply_imbalance",
            f"One reply dominates: \"{short(top_reply, 80)}\" is the final reply of {top} of {n} examples "
            f"({share:.0%}); the model will over-produce it.",
            "Rebalance: add examples of the other replies or down-sample this one to match real-world rates."))
    return {"distinct": k, "rows": n, "distribution": dist}


def distribution(hist: Counter) -> dict | None:
    total = sum(hist.values())
    if not total:
        return None
    values = sorted(hist)

    def pct(p: float) -> int:
        target = int(total * p)
        seen = 0
        for v in values:
            seen += hist[v]
            if seen > target:
                return v
        return values[-1]
    mean = sum(v * c for v, c in hist.items()) / total
    return {"min": values[0], "p5": pct(0.05), "p50": pct(0.5), "p95": pct(0.95), "max": values[-1],
            "mean": round(mean, 2)}


def grader_keys(agg, findings: list) -> dict | None:
    rft_rows = sum(c for c in agg.keyset_counts[1:])
    if not rft_rows or not agg.keysets:
        return None
    present = Counter()
    for keys, kid in agg.keysets.items():
        for key in keys:
            present[key] += agg.keyset_counts[kid]
    out = {key: {"rows": n, "types": dict(agg.grader_types.get(key, {}))} for key, n in present.items()}
    usual = {key for key, n in present.items() if n * 2 >= rft_rows and n < rft_rows}
    if usual:
        lacking_by_id = {kid: sorted(usual - set(keys)) for keys, kid in agg.keysets.items()
                         if not usual.issubset(keys)}
        emitted = 0
        for i, kid in enumerate(agg.keyset_ids):
            if kid in lacking_by_id and emitted < PER_LINE_CAP:
                lacking = lacking_by_id[kid]
                emitted += 1
                findings.append(_finding(
                    "rft_grader_key_missing",
                    f"Example {i + 1} lacks grader key(s) {', '.join(lacking)} that {present[lacking[0]]} of "
                    f"{rft_rows} rows have; a grader referencing {{{{ item.{lacking[0]} }}}} fails on it.",
                    "Add the key to this row, or drop it from the grader.", agg.lines[i], i))
    for key, types in agg.grader_types.items():
        if len(types) > 1:
            rare_type = types.most_common()[-1][0]
            findings.append(_finding(
                "rft_grader_key_type",
                f"Grader key {key!r} has different types across rows: "
                + ", ".join(f"{t} in {n}" for t, n in types.most_common()) + ".",
                "Use one type per grader key so graders compare like with like.",
                agg.grader_type_line.get((key, rare_type))))
    return out


def images_and_preference(agg, findings: list) -> None:
    if agg.image_rows > MAX_IMAGE_EXAMPLES:
        findings.append(_finding(
            "too_many_image_examples", f"{agg.image_rows:,} examples contain images; at most "
            f"{MAX_IMAGE_EXAMPLES:,} are allowed.", "Drop or split off image examples."))
    if agg.pref_rows >= MIN_EXAMPLES and agg.pref_longer >= 0.8 * agg.pref_rows:
        findings.append(_finding(
            "preference_length_bias",
            f"The preferred output is longer in {agg.pref_longer} of {agg.pref_rows} pairs (mean "
            f"{agg.pref_len // agg.pref_rows} vs {agg.nonpref_len // agg.pref_rows} characters); DPO may learn that "
            "longer is better.", "Include pairs where the shorter answer is preferred."))


def legacy(agg, kinds: Counter, findings: list) -> None:
    rows = kinds[RecordKind.PROMPT_COMPLETION]
    if not rows:
        return
    completions = len(agg.legacy_completions) if agg.legacy_completions is not None else None
    prompts = len(agg.legacy_prompts) if agg.legacy_prompts is not None else None
    findings.extend(agg.legacy.finish(completions, prompts, completions))
    model = agg.options.model or ""
    base = model[3:].split(":")[0] if model.startswith("ft:") else model
    if rows * 2 > agg.n and not base.startswith(LEGACY_MODELS):
        findings.append(_finding(
            "legacy_format_for_chat_model",
            f"{rows} examples use the legacy prompt/completion format, which only babbage-002 and davinci-002 "
            f"train on; {model} needs chat messages.",
            "Convert each row to {\"messages\": [{\"role\": \"user\", \"content\": prompt}, "
            "{\"role\": \"assistant\", \"content\": completion}]} (drop separators and stop endings).",
            agg.legacy.first_line))


METHOD_OF_FORMAT = {"chat": "supervised", "preference": "dpo", "reinforcement": "reinforcement"}


def model_method(agg, kinds: Counter, findings: list) -> None:
    """The chosen model must support the data's method (X03: reinforcement only on o4-mini)."""
    method = agg.options.method or METHOD_OF_FORMAT.get(main_format(kinds))
    if method is None or not agg.n:
        return
    from tunescope.tokens.models import load_models
    try:
        table = load_models()
        info = table.get(agg.options.model)
    except Exception:       # an unknown model or a broken table: nothing to compare with
        return
    if info.supports(method):
        return
    able = [m.name for m in table.models.values() if m.supports(method) and not m.deprecated]
    label = {"supervised": "supervised", "dpo": "preference (DPO)", "reinforcement": "reinforcement"}[method]
    findings.append(_finding(
        "model_method_unsupported",
        f"{info.name} cannot be fine-tuned with {label} data, which this file holds"
        + (f"; models that can: {', '.join(able[:3])}." if able else "."),
        (f"Check with --model {able[0]} for its token limit and price; " if able else "Pick another model; ")
        + f"the limits and cost above are {info.name}'s.", path=""))


def compare_validation(train, valid) -> list:
    """Validation rows identical to (or sharing their input with) a training row."""
    out = []
    if not len(train.dedupe) or not len(valid.dedupe):
        return out
    seen = SortedKeys(train.dedupe)
    overlap = 0
    for r, key in enumerate(valid.dedupe):
        hit = seen.find(key)
        if hit is None:
            continue
        overlap += 1
        i = valid.dedupe_idx[r]
        if overlap <= PER_LINE_CAP:
            out.append(_finding(
                "validation_overlap",
                f"Validation line {valid.lines[i]} is identical to training line "
                f"{train.lines[train.dedupe_idx[hit]]}; the same data should not be in both files.",
                "Remove it from the validation file (or from training) so validation loss measures generalisation.",
                valid.lines[i], i))
    if len(train.io_in) and len(valid.io_in):
        inputs = SortedKeys(train.io_in)
        dup_rows = {valid.dedupe_idx[r] for r, k in enumerate(valid.dedupe) if seen.find(k) is not None}
        lines = [valid.lines[valid.io_idx[r]] for r, k in enumerate(valid.io_in)
                 if inputs.find(k) is not None and valid.io_idx[r] not in dup_rows]
        if lines:
            out.append(_finding(
                "validation_input_overlap",
                f"{len(lines)} validation example(s) have the same input as a training example, with a different "
                f"output (lines {', '.join(map(str, lines[:8]))}{' ...' if len(lines) > 8 else ''}).",
                "Keep validation inputs out of training to measure generalisation.", lines[0]))
    return out

