"""Which bulk fixes fit the file: a pretty-printed file or JSON array is converted to JSONL first.

In such a file a physical line is a piece of an object, not a row: "Drop
invalid lines" offered to delete all 400 lines of a 25-object file. Until the
rows are JSONL (the live report of the edited rows says so), the menu lists
Convert to JSONL first and the line-based fixes explain why they wait.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from tunescope.dataset.filefacts import ARRAY, PRETTY
from tunescope.editing.fixes.jsonl import TO_JSONL
from tunescope.editing.fixes.registry import menu_entries, ranked_fixes
from tunescope.editing.fixes.split import choose_validation, split_dataset, split_paths

SPLIT = "split"              # not a fix (the dataset is not changed): it writes two new files
SPLIT_RATIO, SPLIT_SEED = 0.9, 0


@dataclass(frozen=True)
class SplitRequest:
    """Write the session's rows to a training and a validation file (in a worker)."""

    session: object
    train_path: str
    valid_path: str
    ratio: float = SPLIT_RATIO
    seed: int = SPLIT_SEED

    def run(self) -> str:
        """Write both files; what was written, for a notice (FixError says why not)."""
        done = split_dataset(self.session, self.ratio, self.seed, self.train_path, self.valid_path)
        return (f"{done.n_train:,} examples to {os.path.basename(done.train_path)}, {done.n_valid:,} to "
                f"{os.path.basename(done.valid_path)} (seed {done.seed}); tunescope fix --split sets another ratio")


def split_request(session) -> SplitRequest:
    return SplitRequest(session, *split_paths(session.path))


def split_preview(state) -> str:
    """What the split entry of the menu would write."""
    train, valid = split_paths(state.session.path)
    n = state.row_count()
    n_valid = len(choose_validation(n, SPLIT_RATIO, SPLIT_SEED)) if n > 1 else 0
    return (f"would write about {n - n_valid:,} examples to {os.path.basename(train)} and {n_valid:,} to "
            f"{os.path.basename(valid)}; the dataset stays as it is")


def document_layout(state) -> str | None:
    """PRETTY or ARRAY while the rows of `state` (a DatasetState) are one JSON document, else None."""
    report = state.shown_report if state is not None else None
    layout = getattr(getattr(report, "facts", None), "layout", None)
    return layout if layout in (PRETTY, ARRAY) else None


def fix_entries(state) -> list[tuple[str, str, str]]:
    """The fixes menu for this file: (name, label, description), Convert to JSONL first for a document."""
    entries = menu_entries() + [(SPLIT, "Split into train/validation files",
                                 f"Write {SPLIT_RATIO:.0%} of the examples to NAME_train.jsonl and the rest to "
                                 "NAME_valid.jsonl, reproducibly (seed 0); the dataset is not changed.")]
    if document_layout(state):
        entries.sort(key=lambda entry: entry[0] != TO_JSONL.name)
    return entries


def suggested_fix(report) -> str | None:
    """The fix the menu highlights when it opens: the one that removes the most findings of `report`
    (errors first; `ranked_fixes`). None when no fix removes any: the menu starts at its first entry.
    A file of 500 LLaMA-Factory rows opened on "Strip whitespace" (nothing to change) while "Fix
    near-miss formats" would change all 500."""
    ranked = ranked_fixes(report) if report is not None else []
    return ranked[0][0].name if ranked else None


def document_refusal(state, name: str) -> str | None:
    """Why fix `name` must wait for the conversion to JSONL (None: it can run)."""
    layout = document_layout(state)
    if layout is None or name == TO_JSONL.name:
        return None
    report = state.shown_report
    what = "pretty-printed JSON" if layout == PRETTY else "one JSON array"
    return (f"This file is {what}: its {report.examples:,} objects span {report.lines:,} lines, so its lines "
            "are parts of objects, not rows. Convert to JSONL first (top of this menu); this fix works on "
            "JSONL rows.")
