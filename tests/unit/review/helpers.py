"""A checked ReviewSession over a small file, for the review tests (no Textual)."""

from __future__ import annotations

from pathlib import Path

from tests import factories
from tunescope.checks.run.runner import DatasetChecker, options_for_model
from tunescope.review.commands import ReviewSession


def chat(user: str, assistant: str = "Sure.", system: str | None = "Be brief.", **extra) -> dict:
    return factories.chat(user, assistant, system, **extra)


def write_rows(path: Path, rows: list) -> Path:
    return factories.write_lines(path, rows)


def review_of(path: Path, check: bool = True) -> ReviewSession:
    """The review of `path`, indexed, editable and (when `check`) checked, as the screen leaves it."""
    review = ReviewSession(options_for_model(), allow_estimate=True)
    state, problem = review.open(str(path))
    assert problem is None
    state.index.build()
    assert review.start_editing() is None
    if check:
        run = review.start_check()
        report = DatasetChecker(state.index, review.options, workers=1, use_cache=False).run(
            on_batch=lambda batch: [state.results.add(s) for s in batch], cancel=run.cancel)
        state.check_finished(report)
    return review
