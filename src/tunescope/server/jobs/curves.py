"""Deterministic, plausible metrics for the simulated trainer (not real training).

Every value is a pure function of (seed, method, total steps, step), so a job
that resumes after a restart continues the same curve, and two jobs with the
same seed and settings draw the same curves. Training loss decays
exponentially towards a floor with multiplicative noise; validation loss sits
10-30% above it and turns slightly upwards late in long runs (mild overfitting);
accuracies mirror the losses.
"""

from __future__ import annotations

import hashlib
import math
import random


def _rng(*parts) -> random.Random:
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


class Curves:
    def __init__(self, seed: int, method: str, total_steps: int) -> None:
        self.seed, self.method, self.total = seed, method, max(1, total_steps)
        r = _rng(seed, method, "shape")
        if method == "dpo":
            self.start, self.floor = 0.69 + r.uniform(-0.02, 0.02), r.uniform(0.08, 0.25)
        elif method == "reinforcement":
            self.start, self.floor = r.uniform(0.9, 1.2), r.uniform(0.2, 0.45)
        else:
            self.start, self.floor = r.uniform(1.4, 2.4), r.uniform(0.05, 0.35)
        self.rate = r.uniform(3.0, 5.5)
        self.gap = r.uniform(1.10, 1.30)
        self.noise = r.uniform(0.06, 0.12)

    def _base(self, step: int) -> float:
        x = step / self.total
        return self.floor + (self.start - self.floor) * math.exp(-self.rate * x)

    def _accuracy(self, loss: float, jitter: float) -> float:
        acc = 1.0 - 0.55 * loss / self.start - 0.02 + jitter
        return round(min(1.0, max(0.0, acc)), 5)

    def train(self, step: int) -> tuple[float, float]:
        r = _rng(self.seed, self.method, "train", step)
        loss = max(0.0, self._base(step) * (1 + r.gauss(0, self.noise)))
        return round(loss, 5), self._accuracy(loss, r.gauss(0, 0.02))

    def _valid_base(self, step: int) -> float:
        x = step / self.total
        overfit = 1 + 0.15 * max(0.0, x - 0.7) ** 2
        return self._base(step) * self.gap * overfit

    def valid(self, step: int) -> tuple[float, float]:
        r = _rng(self.seed, self.method, "valid", step)
        loss = max(0.0, self._valid_base(step) * (1 + r.gauss(0, self.noise * 1.5)))
        return round(loss, 5), self._accuracy(loss, r.gauss(0, 0.03))

    def full_valid(self, step: int) -> tuple[float, float]:
        loss = self._valid_base(step)
        return round(loss, 5), self._accuracy(loss, 0.0)

    def metrics(self, step: int, with_valid: bool, epoch_end: bool) -> dict:
        """The `data` of a metrics event (real key order)."""
        train_loss, train_acc = self.train(step)
        data: dict = {"step": step, "train_loss": train_loss}
        if with_valid:
            data["valid_loss"] = self.valid(step)[0]
        data["total_steps"] = self.total
        if with_valid and epoch_end:
            data["full_valid_loss"] = self.full_valid(step)[0]
        data["train_mean_token_accuracy"] = train_acc
        if with_valid:
            data["valid_mean_token_accuracy"] = self.valid(step)[1]
            if epoch_end:
                data["full_valid_mean_token_accuracy"] = self.full_valid(step)[1]
        return data

