"""The TrainerCallback that reports a training run to the server as JSON lines (protocol.py).

Only the main process reports. Every logged step becomes a `step` line (loss, token accuracy,
tokens seen, GRPO's mean reward), every save a `checkpoint` line. With a validation file, the run evaluates at each
epoch end and that step's line waits for the validation loss and accuracy. When the server asks for a pause (the job
directory's STOP file), the run saves a checkpoint after the current step and stops.
Imported only inside the training process (it needs transformers).
"""

from __future__ import annotations

from pathlib import Path

from transformers import TrainerCallback

from tunescope.train.protocol import emit


class JsonLinesReporter(TrainerCallback):
    def __init__(self, total_steps: int, stop_file: Path, evaluates_at=None) -> None:
        self.total_steps, self.stop_file = total_steps, stop_file
        self.evaluates_at = evaluates_at or (lambda step: False)
        self._pending: dict | None = None   # an epoch-end step waiting for its validation metrics

    def on_step_end(self, args, state, control, **kwargs):
        if self.stop_file.exists():
            control.should_save = True
            control.should_training_stop = True
        return control

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs or "loss" not in logs:
            return
        step = {"step": state.global_step, "loss": float(logs["loss"]),
                "accuracy": float(logs["mean_token_accuracy"]) if "mean_token_accuracy" in logs else None,
                "tokens": int(logs.get("num_tokens", 0))}
        if "reward" in logs:   # GRPO: the mean reward of the step's completions
            step["reward"] = float(logs["reward"])
        if self.evaluates_at(state.global_step):
            self._pending = step   # reported with the validation metrics the evaluation right after it yields
        else:
            emit("step", **step)

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        if not state.is_world_process_zero or self._pending is None:
            return
        step, self._pending = self._pending, None
        metrics = metrics or {}
        if "eval_loss" in metrics:
            step["valid_loss"] = float(metrics["eval_loss"])
        if "eval_mean_token_accuracy" in metrics:
            step["valid_accuracy"] = float(metrics["eval_mean_token_accuracy"])
        emit("step", **step)

    def on_save(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            path = Path(args.output_dir) / f"checkpoint-{state.global_step}"
            emit("checkpoint", step=state.global_step, path=str(path))
