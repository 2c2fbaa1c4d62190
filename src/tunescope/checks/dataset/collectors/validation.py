"""A validation file compared with its training file (D03): rows in both, and inputs in both.

Not a collector: it reads the Duplicates and Conflicts collectors (and row tables) of the two
files' aggregators once both are finished streaming.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tunescope.checks.dataset.collector import dataset_finding
from tunescope.checks.dataset.collectors.conflicts import Conflicts
from tunescope.checks.dataset.collectors.duplicates import Duplicates
from tunescope.checks.dataset.collectors.near_duplicates import NearDuplicates
from tunescope.checks.dataset.limits import PER_LINE_CAP
from tunescope.checks.findings import Finding
from tunescope.checks.registry import I, W, check
from tunescope.quality.near_groups import cross_matches

if TYPE_CHECKING:
    from tunescope.checks.dataset.aggregator import DatasetAggregator

LINES_SHOWN = 8

VALIDATION_OVERLAP = check(
    "validation_overlap", W, "dataset", "Validation overlaps training",
    "Validation examples identical to training examples (D03).", ref="D03", tags=("duplicates",))
VALIDATION_INPUT_OVERLAP = check(
    "validation_input_overlap", I, "dataset", "Validation prompts in training",
    "Validation examples whose input also appears in training (D03).", ref="D03")
VALIDATION_NEAR_OVERLAP = check(
    "validation_near_overlap", W, "dataset", "Validation near-copies training",
    "Validation examples whose prompt is nearly the same as a training example's (MinHash similarity at or above "
    "the near-duplicate threshold): leakage that flatters validation loss.", tags=("duplicates", "similar"))
CHECKS = (VALIDATION_OVERLAP, VALIDATION_INPUT_OVERLAP, VALIDATION_NEAR_OVERLAP)


def compare_validation(train: DatasetAggregator, valid: DatasetAggregator) -> list[Finding]:
    """Findings on the validation file (its lines) for rows identical to, or sharing their input with,
    a training row."""
    out: list[Finding] = []
    t_dups, v_dups = train.collector(Duplicates), valid.collector(Duplicates)
    if not len(t_dups.keys) or not len(v_dups.keys):
        return out
    t_lines, v_lines = train.rows.lines, valid.rows.lines
    v_rec = v_dups.keys.records()
    v_rows = v_rec["pos"].tolist()
    hits = t_dups.keys.first_positions(v_rec["key"]).tolist()    # first training row with the key, or -1
    identical = {i for i, hit in zip(v_rows, hits) if hit >= 0}
    overlap = 0
    for i, hit in zip(v_rows, hits):
        if hit < 0:
            continue
        overlap += 1
        if overlap <= PER_LINE_CAP:
            out.append(dataset_finding(
                VALIDATION_OVERLAP,
                f"Validation line {v_lines[i]} is identical to training line {t_lines[hit]}; the same "
                "data should not be in both files.",
                "Remove it from the validation file (or from training) so validation loss measures generalisation.",
                v_lines[i], i))
    out.extend(_near_overlap(train, valid, identical))
    t_io, v_io = train.collector(Conflicts), valid.collector(Conflicts)
    if len(t_io.inputs) and len(v_io.inputs):
        v_in = v_io.inputs.records()
        shared = t_io.inputs.first_positions(v_in["key"]) >= 0
        lines = [v_lines[i] for i, hit in zip(v_in["pos"].tolist(), shared.tolist()) if hit and i not in identical]
        if lines:
            out.append(dataset_finding(
                VALIDATION_INPUT_OVERLAP,
                f"{len(lines)} validation example(s) have the same input as a training example, with a different "
                f"output (lines {', '.join(map(str, lines[:LINES_SHOWN]))}"
                f"{' ...' if len(lines) > LINES_SHOWN else ''}).",
                "Keep validation inputs out of training to measure generalisation.", lines[0]))
    return out


def _near_overlap(train: DatasetAggregator, valid: DatasetAggregator, identical: set[int]) -> list[Finding]:
    """Validation rows whose prompt is near a training prompt, identical rows left to validation_overlap."""
    threshold = valid.options.near_duplicate_threshold
    t_near, v_near = train.collector(NearDuplicates), valid.collector(NearDuplicates)
    if not threshold:
        return []
    t_lines, v_lines = train.rows.lines, valid.rows.lines
    out: list[Finding] = []
    for v, t, score in cross_matches(t_near.signatures, v_near.signatures, threshold):
        i = v_near.positions([v])[0][0]
        if i in identical:
            continue
        if len(out) >= PER_LINE_CAP:
            break
        out.append(dataset_finding(
            VALIDATION_NEAR_OVERLAP,
            f"Validation line {v_lines[i]}'s prompt is nearly the same as training line "
            f"{t_lines[t_near.positions([t])[0][0]]}'s (similarity {score:.2f}).",
            "Keep near-copies of training prompts out of validation so its loss measures generalisation.",
            v_lines[i], i))
    return out
