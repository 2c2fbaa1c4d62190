"""What a client sees of a fine-tuning job: the job, event and checkpoint objects, the text of a
metrics event and the `step_metrics.csv` results file.

Jobs are stored in their real-world shape (key order of a 2025 job, `error: {}` when not
failed, `user_provided_suffix`, `usage_metrics`, `shared_with_openai`, `eval_id`). With
`strict=True` the same objects are reduced to what the OpenAPI extract allows, so a client
with strict response validation accepts them.
"""

from __future__ import annotations

JOB_EXTRAS = ("user_provided_suffix", "usage_metrics", "shared_with_openai", "eval_id")
CSV_HEADER = "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"


def new_job(job_id: str, req: dict, model: str, org_id: str, hyperparameters: dict, now: int) -> dict:
    """A job as the real API returns it right after create (key order of a 2025 job)."""
    return {
        "object": "fine_tuning.job",
        "id": job_id,
        "model": model,
        "created_at": now,
        "finished_at": None,
        "fine_tuned_model": None,
        "organization_id": org_id,
        "result_files": [],
        "status": "validating_files",
        "validation_file": req["validation_file"],
        "training_file": req["training_file"],
        "hyperparameters": hyperparameters,
        "trained_tokens": None,
        "error": {},
        "user_provided_suffix": req["suffix"],
        "seed": req["seed"],
        "estimated_finish": None,
        "integrations": req["integrations"],
        "metadata": req["metadata"],
        "usage_metrics": None,
        "shared_with_openai": False,
        "eval_id": None,
        "method": req["method"],
    }


def job_obj(doc: dict, strict: bool = False) -> dict:
    out = dict(doc)
    if not strict:
        return out
    for key in JOB_EXTRAS:
        out.pop(key, None)
    if not out.get("error"):
        out["error"] = None
    if out["status"] == "paused":
        # The spec's status enum has no "paused"; its own resume example answers "queued".
        out["status"] = "queued"
    return out


def event_obj(row: dict, strict: bool = False) -> dict:
    data = row.get("data")
    if strict and data is None:
        data = {}
    return {
        "object": "fine_tuning.job.event",
        "id": row["id"],
        "created_at": row["created_at"],
        "level": row["level"],
        "message": row["message"],
        "data": data,
        "type": row["type"],
    }


def checkpoint_obj(row: dict) -> dict:
    return {
        "object": "fine_tuning.job.checkpoint",
        "id": row["id"],
        "created_at": row["created_at"],
        "fine_tuned_model_checkpoint": row["model"],
        "fine_tuning_job_id": row["job_id"],
        "metrics": row["metrics"],
        "step_number": row["step"],
    }


def step_message(data: dict) -> str:
    """The text of a metrics event: `Step N/M: training loss=…[, validation loss=…][, full validation loss=…]`."""
    msg = f"Step {data['step']}/{data['total_steps']}: training loss={data['train_loss']:.2f}"
    if "valid_loss" in data:
        msg += f", validation loss={data['valid_loss']:.2f}"
    if "full_valid_loss" in data:
        msg += f", full validation loss={data['full_valid_loss']:.2f}"
    return msg


def _csv_row(data: dict) -> str:
    def cell(key):
        return "" if key not in data else f"{data[key]:.5f}".rstrip("0").rstrip(".") if isinstance(data[key], float) else str(data[key])

    return ",".join([str(data["step"]), cell("train_loss"), cell("train_mean_token_accuracy"), cell("valid_loss"),
                     cell("valid_mean_token_accuracy")])


def step_metrics_csv(metrics: list[dict]) -> str:
    """The results file's text, one row per step's metrics (the `data` of its metrics event)."""
    return "\n".join([CSV_HEADER, *map(_csv_row, metrics)]) + "\n"
