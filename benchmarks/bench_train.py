"""Benchmark: tokens/s of a fine-tuning job through `tunescope serve --trainer hf` vs a plain TRL script.

    python benchmarks/bench_train.py [--epochs 20] [--batch-size 2] [--hidden 64] [--layers 2] [--device cpu]

Same data (pirate_chat.jsonl from ../shared/datasets), same randomly initialised Llama model (built here), same
steps, batch size, learning rate and seed, in the same run. The baseline is a separate Python process that
loads the model and runs TRL's SFTTrainer on the messages (TRL's own tokenisation, no checkpoints), timed from
process start to end. The server figure is timed from `jobs.create` to `succeeded` through the openai SDK over
HTTP, so it includes file validation, the training process's start, per-epoch checkpoints and the final save.
tokens/s = tokens the trainer saw / wall seconds. Target: the server adds under 5% (on a long enough job).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "datasets" / "pirate_chat.jsonl"

PLAIN = r'''
import json, sys, time
t0 = time.perf_counter()
import datasets
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import SFTConfig, SFTTrainer
a = json.loads(sys.argv[1])
rows = [json.loads(l) for l in open(a["data"]) if l.strip()]
tok = AutoTokenizer.from_pretrained(a["model"])
model = AutoModelForCausalLM.from_pretrained(a["model"])
cfg = SFTConfig(output_dir=a["out"], per_device_train_batch_size=a["batch"], max_steps=a["steps"],
                learning_rate=a["lr"], seed=a["seed"], logging_steps=1, save_strategy="no", report_to=[],
                disable_tqdm=True, use_cpu=a["device"] == "cpu", assistant_only_loss=False)
tr = SFTTrainer(model=model, args=cfg, train_dataset=datasets.Dataset.from_list(rows), processing_class=tok)
tr.train()
tokens = [e["num_tokens"] for e in tr.state.log_history if "num_tokens" in e][-1]
print(json.dumps({"tokens": int(tokens), "seconds": time.perf_counter() - t0}))
'''


def plain(model: Path, steps: int, args) -> dict:
    spec = {"data": str(DATA), "model": str(model), "out": tempfile.mkdtemp(), "batch": args.batch_size,
            "steps": steps, "lr": 3e-3, "seed": 1, "device": args.device}
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", PLAIN, json.dumps(spec)], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return {"tokens": result["tokens"], "seconds": time.perf_counter() - started}


def served(model: Path, args, work: Path) -> dict:
    import openai

    from tests.train.helpers import start_hf_server, wait_for

    with start_hf_server(work / "server", model, device=args.device) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0)
        upload = client.files.create(file=DATA.open("rb"), purpose="fine-tune")
        started = time.perf_counter()
        job = client.fine_tuning.jobs.create(model="tiny", training_file=upload.id, seed=1, method={
            "type": "supervised", "supervised": {"hyperparameters": {
                "n_epochs": args.epochs, "batch_size": args.batch_size, "learning_rate_multiplier": 1}}})
        job = wait_for(client, job.id, timeout=3600)
        seconds = time.perf_counter() - started
        assert job.status == "succeeded", job.error
        return {"tokens": job.trained_tokens, "seconds": seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    from tests.train.conftest import build_tiny_model

    work = Path(tempfile.mkdtemp(prefix="tunescope-bench-train-"))
    model = build_tiny_model(work / "model", hidden=args.hidden, layers=args.layers)
    n = sum(1 for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip())
    steps = -(-n // args.batch_size) * args.epochs
    base = plain(model, steps, args)
    ours = served(model, args, work)
    for name, r in (("plain TRL script", base), ("tunescope serve --trainer hf", ours)):
        print(f"{name:30s} {r['tokens']:8d} tokens in {r['seconds']:6.1f} s = {r['tokens'] / r['seconds']:8.1f} tokens/s")
    ratio = (base["tokens"] / base["seconds"]) / (ours["tokens"] / ours["seconds"])
    print(f"{steps} steps; server overhead: {100 * (ratio - 1):+.1f}% (plain tokens/s / served tokens/s - 1)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
