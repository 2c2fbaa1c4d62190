"""The training process: one job, trained with TRL, reporting through JSON lines (protocol.py).

`tunescope serve --trainer hf` starts `python -m tunescope.train SPEC.json` (behind the launcher,
e.g. `accelerate launch …`) for each job. SPEC.json, written by the server, says everything: the
base model, the files, the resolved hyperparameters, the step count the server planned, where to
save and which checkpoint to resume. Supervised jobs train with TRL's SFTTrainer on examples the
process renders itself (render.py), so the loss mask is exactly OpenAI's (assistant messages
without `weight: 0`); preference (DPO) jobs train with DPOTrainer on prompt/chosen/rejected
conversations, `beta` honoured; reinforcement jobs train with GRPOTrainer, rewarded by the job's grader
scored offline (reward.py: string_check, text_similarity, multi). `max_steps` is the server's plan; a checkpoint is saved at every epoch end.
Errors end the process with an `error` line naming the cause, never silently.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from tunescope.train.protocol import FINAL_DIR, STOP_FILE, emit
from tunescope.train.render import TemplateError, preference_rows, render_example, rft_rows
from tunescope.train.reward import GraderReward


def _examples(path: Path, tokenizer, max_length: int, is_main: bool) -> list[dict]:
    rows = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rendered = render_example(tokenizer, json.loads(line), max_length)
        except TemplateError as exc:
            raise TemplateError(f"line {line_no}, {exc}") from None
        if rendered.truncated and is_main:
            emit("warning", message=f"Example on line {line_no} has {rendered.full_length} tokens and was truncated "
                                    f"to the maximum length of {max_length} tokens (--max-length).")
        if not rendered.trained_tokens:
            if is_main:
                emit("warning", message=f"Example on line {line_no} has no trained tokens left (every assistant "
                                        "message has weight 0 or was cut by truncation); it is skipped.")
            continue
        rows.append({"input_ids": rendered.input_ids, "assistant_masks": rendered.mask})
    if not rows:
        raise ValueError(f"{path.name}: no example has a trained assistant message")
    return rows


def _device_args(device: str) -> dict:
    import torch

    if device == "cpu" or (device == "auto" and not torch.cuda.is_available()):
        return {"use_cpu": True, "bf16": False}
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("--device cuda was asked for, but torch sees no CUDA GPU on this machine")
    return {"bf16": torch.cuda.is_bf16_supported()}


def _common_args(spec: dict, out: Path, world: int) -> dict:
    """TrainingArguments shared by every method: the server's step plan, a checkpoint per epoch, the last 3 kept."""
    hp = spec["hyperparameters"]
    return dict(output_dir=str(out), per_device_train_batch_size=max(1, hp["batch_size"] // world),
                max_steps=spec["total_steps"], learning_rate=spec["learning_rate"], lr_scheduler_type="linear",
                warmup_steps=0, seed=spec["seed"], data_seed=spec["seed"], logging_steps=1, save_strategy="steps",
                save_steps=spec["steps_per_epoch"], save_total_limit=3, report_to=[], disable_tqdm=True,
                dataloader_num_workers=0, gradient_checkpointing=False, **_device_args(spec["device"]))


def _sft(spec: dict, model, tokenizer, args: dict, peft, callbacks, is_main: bool):
    import datasets
    from trl import SFTConfig, SFTTrainer

    rows = _examples(Path(spec["training_file"]), tokenizer, spec["max_length"], is_main)
    valid = None
    if spec.get("validation_file"):
        valid = datasets.Dataset.from_list(_examples(Path(spec["validation_file"]), tokenizer, spec["max_length"], False))
        args = {**args, "eval_strategy": "steps", "eval_steps": spec["steps_per_epoch"],
                "per_device_eval_batch_size": args["per_device_train_batch_size"]}
    return SFTTrainer(model=model, args=SFTConfig(max_length=None, **args), processing_class=tokenizer,
                      train_dataset=datasets.Dataset.from_list(rows), eval_dataset=valid, peft_config=peft,
                      callbacks=callbacks)


def _dpo(spec: dict, model, tokenizer, args: dict, peft, callbacks, is_main: bool):
    import datasets
    from trl import DPOConfig, DPOTrainer

    rows = preference_rows(Path(spec["training_file"]))
    beta = float(spec["hyperparameters"].get("beta", 0.1))
    return DPOTrainer(model=model, args=DPOConfig(beta=beta, max_length=spec["max_length"], **args),
                      processing_class=tokenizer, train_dataset=datasets.Dataset.from_list(rows), peft_config=peft,
                      callbacks=callbacks)


def _grpo(spec: dict, model, tokenizer, args: dict, peft, callbacks, is_main: bool):
    import datasets
    from trl import GRPOConfig, GRPOTrainer

    grader = spec["grader"]
    rows = rft_rows(Path(spec["training_file"]))
    group = GENERATIONS_PER_PROMPT
    args = {**args, "per_device_train_batch_size": args["per_device_train_batch_size"] * group}
    config = GRPOConfig(num_generations=group, max_completion_length=spec["max_completion_length"], **args)
    return GRPOTrainer(model=model, reward_funcs=[GraderReward(grader)], args=config, processing_class=tokenizer,
                       train_dataset=datasets.Dataset.from_list(rows), peft_config=peft, callbacks=callbacks)


METHODS = {"supervised": _sft, "dpo": _dpo, "reinforcement": _grpo}
GENERATIONS_PER_PROMPT = 4
"""GRPO samples this many completions of each prompt and rewards each against the group's mean."""


def train(spec: dict) -> None:
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from tunescope.train.callback import JsonLinesReporter

    out = Path(spec["output_dir"])
    tokenizer = AutoTokenizer.from_pretrained(spec["model"])
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    is_main = int(os.environ.get("RANK", "0")) == 0
    world = int(os.environ.get("WORLD_SIZE", "1"))
    print(f"tunescope.train: rank {os.environ.get('RANK', '0')} of {world}, job {out.name}", file=sys.stderr, flush=True)
    args = _common_args(spec, out, world)
    model = AutoModelForCausalLM.from_pretrained(spec["model"], dtype="auto")
    peft = None
    if spec["adapter"] == "lora":
        peft = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM")
    evaluates = bool(spec.get("validation_file")) and spec.get("method", "supervised") == "supervised"
    per_epoch = spec["steps_per_epoch"]
    callbacks = [JsonLinesReporter(spec["total_steps"], out / STOP_FILE,
                                   evaluates_at=lambda step: evaluates and step % per_epoch == 0)]
    trainer = METHODS[spec.get("method", "supervised")](spec, model, tokenizer, args, peft, callbacks, is_main)
    trainer.train(resume_from_checkpoint=spec.get("resume_from") or None)
    if (out / STOP_FILE).exists():
        return  # paused: the checkpoint is saved, the server resumes from it
    trainer.save_model(str(out / FINAL_DIR))
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(str(out / FINAL_DIR))
        emit("done", trained_tokens=_tokens(trainer))


def _tokens(trainer) -> int:
    for entry in reversed(trainer.state.log_history):
        if "num_tokens" in entry:
            return int(entry["num_tokens"])
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m tunescope.train SPEC.json (written by tunescope serve --trainer hf)", file=sys.stderr)
        return 2
    try:
        spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
        train(spec)
    except Exception as exc:  # noqa: BLE001 - reported to the server as the job's error, then the process ends
        emit("error", code=_code(exc), message=f"{type(exc).__name__}: {exc}")
        raise
    return 0


def _code(exc: Exception) -> str:
    text = f"{type(exc).__name__} {exc}".lower()
    if "out of memory" in text or isinstance(exc, MemoryError):
        return "out_of_memory"
    if isinstance(exc, (TemplateError, ValueError)):
        return "invalid_training_file" if isinstance(exc, TemplateError) else "training_failed"
    return "training_failed"
