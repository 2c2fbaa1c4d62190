"""Split a dataset into training and validation files, seeded and reproducible.

Each non-blank row gets the key blake2b(f"{seed}:{n}") (n = its position among
the non-blank rows); the rows with the smallest keys go to validation. Same
rows, same seed, same ratio -> same split on any machine and Python version
(unlike `random`, whose algorithms may change). Both files keep the rows'
original order, bytes and line endings; untouched lines are copied as byte
ranges like a save. The session itself is not changed, which is why split is
not a fix in the registry: `tunescope fix --split` runs it after the fixes.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from tunescope.editing.fixes.plan import FixError
from tunescope.editing.save import save_session
from tunescope.editing.table import select_rows


@dataclass
class SplitResult:
    train_path: str
    valid_path: str
    n_train: int
    n_valid: int
    seed: int
    ratio: float
    skipped_blank: int = 0


def split_paths(base: str) -> tuple[str, str]:
    """`data.jsonl` -> (`data_train.jsonl`, `data_valid.jsonl`)."""
    stem, ext = os.path.splitext(base)
    return f"{stem}_train{ext or '.jsonl'}", f"{stem}_valid{ext or '.jsonl'}"


def choose_validation(n: int, ratio: float, seed: int) -> set[int]:
    """Positions (0..n-1) that go to validation: n - round(n * ratio) of them, both sides non-empty."""
    if not 0 < ratio < 1:
        raise FixError(f"the split ratio must be between 0 and 1 (the training share), got {ratio}")
    if n < 2:
        raise FixError(f"cannot split {n} example(s) into two non-empty files")
    n_valid = min(max(n - round(n * ratio), 1), n - 1)
    keyed = sorted(range(n), key=lambda k: hashlib.blake2b(f"{seed}:{k}".encode(), digest_size=8).digest())
    return set(keyed[:n_valid])


def split_dataset(session, ratio: float, seed: int, train_path: str, valid_path: str) -> SplitResult:
    """Write the session's non-blank rows to `train_path` and `valid_path` (atomically)."""
    for p in (train_path, valid_path):
        if os.path.abspath(p) == os.path.abspath(session.path):
            raise FixError(f"refusing to overwrite the dataset itself with a split file ({p})")
    if os.path.abspath(train_path) == os.path.abspath(valid_path):
        raise FixError("the training and validation paths are the same")
    rows = len(session)
    nonblank = bytearray(rows)
    for i, data in enumerate(session.iter_rows()):
        nonblank[i] = 1 if data.strip() else 0
    positions = [i for i in range(rows) if nonblank[i]]
    valid = choose_validation(len(positions), ratio, seed)
    in_valid = bytearray(rows)
    in_train = bytearray(rows)
    for k, row in enumerate(positions):
        (in_valid if k in valid else in_train)[row] = 1
    save_session(session, train_path, segments=select_rows(session.segments, in_train), switch=False)
    save_session(session, valid_path, segments=select_rows(session.segments, in_valid), switch=False)
    return SplitResult(os.path.abspath(train_path), os.path.abspath(valid_path), len(positions) - len(valid),
                       len(valid), seed, ratio, rows - len(positions))
