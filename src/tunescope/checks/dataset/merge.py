"""Merging DatasetAggregators built over consecutive runs of lines (one per worker chunk).

Workers aggregate their own chunks, so the main process merges a handful of
arrays and small dicts per chunk instead of touching every example.
Merging A (lines 1..k) with B (lines k+1..n) equals adding all n rows to one aggregator.
"""

from __future__ import annotations

from array import array

from tunescope.checks.dataset.legacy import LegacyStats, _common_prefix, _common_suffix


def merge_aggregators(a, b) -> None:
    """Append aggregator b (the rows after a's) into a, in place."""
    offset = a.n
    a.lines.extend(b.lines)
    a.kind_codes.extend(b.kind_codes)
    a.dedupe.extend(b.dedupe)
    a.dedupe_idx.extend(array("I", (i + offset for i in b.dedupe_idx)))
    a.io_in.extend(b.io_in)
    a.io_out.extend(b.io_out)
    a.io_idx.extend(array("I", (i + offset for i in b.io_idx)))
    _merge_system_prompts(a, b)
    if a.replies is not None and b.replies is not None:
        a.replies.update(b.replies)
        if len(a.replies) > _max_replies():
            a.replies = None
    else:
        a.replies = None
    a.reply_rows += b.reply_rows
    a.msg_hist.update(b.msg_hist)
    _merge_keysets(a, b)
    for key, counter in b.grader_types.items():
        a.grader_types.setdefault(key, type(counter)()).update(counter)
    for key, line in b.grader_type_line.items():
        a.grader_type_line.setdefault(key, line)
    a.image_rows += b.image_rows
    a.pref_rows += b.pref_rows
    a.pref_longer += b.pref_longer
    a.pref_len += b.pref_len
    a.nonpref_len += b.nonpref_len
    _merge_legacy(a.legacy, b.legacy)
    for name in ("legacy_prompts", "legacy_completions"):
        mine, theirs = getattr(a, name), getattr(b, name)
        if mine is None or theirs is None:
            setattr(a, name, None)
        else:
            mine |= theirs
            if len(mine) > 100_000:
                setattr(a, name, None)
    a.n += b.n


def _max_replies() -> int:
    from tunescope.checks.dataset.aggregator import MAX_REPLIES
    return MAX_REPLIES


def _merge_system_prompts(a, b) -> None:
    from tunescope.checks.dataset.aggregator import _NO_PROMPT, _UNTRACKED, MAX_TRACKED_TEXTS

    remap = {_NO_PROMPT: _NO_PROMPT, _UNTRACKED: _UNTRACKED}
    for text, bid in b.sys_texts.items():
        aid = a.sys_texts.get(text)
        if aid is None:
            if len(a.sys_texts) >= MAX_TRACKED_TEXTS:
                remap[bid] = _UNTRACKED
                continue
            aid = len(a.sys_counts)
            a.sys_texts[text] = aid
            a.sys_counts.append(0)
            a.sys_first.append(b.sys_first[bid])
        a.sys_counts[aid] += b.sys_counts[bid]
        remap[bid] = aid
    a.sys_ids.extend(array("I", (remap.get(i, _UNTRACKED) for i in b.sys_ids)))
    a.sys_rows += b.sys_rows


def _merge_keysets(a, b) -> None:
    from tunescope.checks.dataset.aggregator import MAX_TRACKED_TEXTS

    remap = {0: 0, 0xFFFF: 0xFFFF}
    for keys, bid in b.keysets.items():
        aid = a.keysets.get(keys)
        if aid is None:
            if len(a.keysets) >= MAX_TRACKED_TEXTS:
                remap[bid] = 0xFFFF
                continue
            aid = len(a.keyset_counts)
            a.keysets[keys] = aid
            a.keyset_counts.append(0)
        a.keyset_counts[aid] += b.keyset_counts[bid]
        remap[bid] = aid
    a.keyset_ids.extend(array("H", (remap.get(i, 0xFFFF) for i in b.keyset_ids)))


def _merge_legacy(a: LegacyStats, b: LegacyStats) -> None:
    if b.rows == 0:
        return
    if a.rows == 0:
        a.__dict__.update({k: (list(v) if isinstance(v, list) else v) for k, v in b.__dict__.items()})
        return
    a.p_head = _common_prefix(a.p_head, b.p_head)
    a.p_tail = _common_suffix(a.p_tail, b.p_tail)
    a.c_head = _common_prefix(a.c_head, b.c_head)
    a.c_tail = _common_suffix(a.c_tail, b.c_tail)
    a.rows += b.rows
    a.p_total += b.p_total
    a.p_newline |= b.p_newline
    a.sep_mask |= b.sep_mask
    a.end_mask |= b.end_mask
    a.no_space += b.no_space
    a.no_space_lines.extend(b.no_space_lines[:max(0, 20 - len(a.no_space_lines))])
    a.upper = [x + y for x, y in zip(a.upper, b.upper)]
