"""Where a model's weights are: a base model's source, or the directory a job saved for a fine-tuned model.

A job's files live in `<data dir>/train/<job id>/`: `checkpoint-N/` (the last 3, as HF Trainer
keeps them) and `final/` (full weights and tokenizer, or a LoRA adapter). A LoRA result is served
as its base model plus the adapter.
"""

from __future__ import annotations

from pathlib import Path

from tunescope.train.protocol import FINAL_DIR
from tunescope.train.seams import JobsPort
from tunescope.train.settings import TrainSettings


def job_dir(data_dir: Path, job_id: str) -> Path:
    return Path(data_dir) / "train" / job_id


class WeightsLocator:
    def __init__(self, jobs: JobsPort, settings: TrainSettings, data_dir: Path) -> None:
        self.jobs, self.settings, self.data_dir = jobs, settings, Path(data_dir)

    def locate(self, model: str) -> tuple[str, str | None]:
        """(model directory or hub id, LoRA adapter directory or None); LookupError when unknown or gone."""
        source = self.settings.source_of(model)
        if source is not None:
            return source, None
        found = self.jobs.weights_of(model)
        if found is None:
            raise LookupError(f"The model '{model}' does not exist or you do not have access to it.")
        job, step = found
        where = job_dir(self.data_dir, job["id"]) / (f"checkpoint-{step}" if step else FINAL_DIR)
        if not where.is_dir():
            raise LookupError(f"The weights of '{model}' are no longer on disk ({where}); only the last 3 checkpoints "
                              "of a job are kept.")
        if (where / "adapter_config.json").exists():
            base, adapter = self.locate(job["model"])
            if adapter is not None:
                raise LookupError(f"'{model}' is a LoRA adapter on another adapter, which cannot be served.")
            return base, str(where)
        return str(where), None
