"""The TrainerCallback that reports a training run to the server as JSON lines (protocol.py).

Only the main process reports. Every logged step becomes a `step` line (loss, token accuracy,
tokens seen), every save a `checkpoint` line. When the server asks for a pause (the job
directory's STOP file), the run saves a checkpoint after the current step and stops.
Imported only inside the training process (it needs transformers).
"""

from __future__ import annotations

from pathlib import Path

from transformers import TrainerCallback

from tunescope.train.protocol import emit


class JsonLinesReporter(TrainerCallback):
    def __init__(self, total_steps: int, stop_file: Path) -> None:
        self.total_steps, self.stop_file = total_steps, stop_file

    def on_step_end(self, args, state, control, **kwargs):
        if self.stop_file.exists():
            control.should_save = True
            control.should_training_stop = True
        return control

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs or "loss" not in logs:
            return
        emit("step", step=state.global_step, loss=float(logs["loss"]),
             accuracy=float(logs["mean_token_accuracy"]) if "mean_token_accuracy" in logs else None,
             tokens=int(logs.get("num_tokens", 0)))

    def on_save(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            path = Path(args.output_dir) / f"checkpoint-{state.global_step}"
            emit("checkpoint", step=state.global_step, path=str(path))
