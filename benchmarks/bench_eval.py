"""Benchmark: `tunescope eval`'s throughput to the local server and the cache on a re-run.

    python benchmarks/bench_eval.py [--examples 200] [--concurrency 1 4 8]

Starts the embedded server in a temporary data dir, fine-tunes (simulated) a generated chat file,
then evaluates base and fine-tune on it through the real openai SDK at each concurrency, with a
fresh answer cache each time (requests per second), and once more on a warm cache (hit rate and
requests sent). The baseline in the same run is the raw SDK loop: one `chat.completions.create`
after another, without the runner. Figures on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import openai

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tunescope.eval.backend import ChatBackend  # noqa: E402
from tunescope.eval.cache import AnswerCache  # noqa: E402
from tunescope.eval.examples import load_examples  # noqa: E402
from tunescope.eval.graders import parse_grader  # noqa: E402
from tunescope.eval.runner import run_eval  # noqa: E402
from tunescope.jobs.client import JobsClient  # noqa: E402
from tunescope.jobs.connection import Connection  # noqa: E402
from tunescope.jobs.profiles import BackendProfile  # noqa: E402
from tunescope.server.embedded import start_embedded  # noqa: E402

BASE = "gpt-4o-mini-2024-07-18"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tunescope-bench-eval-"))
    data = tmp / "chat.jsonl"
    with open(data, "w") as fh:
        for i in range(args.examples):
            fh.write(json.dumps({"messages": [{"role": "user", "content": f"Question {i}: what is {i} squared?"},
                                              {"role": "assistant", "content": f"{i * i}, matey."}]}) + "\n")
    with start_embedded(tmp / "server", speed=0.002, queue_delay=0.05) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="bench", max_retries=0)
        with open(data, "rb") as fh:
            file = client.files.create(file=fh, purpose="fine-tune")
        job = client.fine_tuning.jobs.create(model=BASE, training_file=file.id)
        while (job := client.fine_tuning.jobs.retrieve(job.id)).status not in ("succeeded", "failed"):
            time.sleep(0.1)
        examples = load_examples(data).examples
        models = [BASE, job.fine_tuned_model]
        started = time.perf_counter()
        for e in examples:
            for m in models:
                client.chat.completions.create(model=m, messages=e.messages, temperature=0)
        raw = 2 * len(examples) / (time.perf_counter() - started)
        print(f"{len(examples)} examples x 2 models; baseline raw SDK loop: {raw:.0f} requests/s")
        profile = BackendProfile(name="compatible", kind="compatible", base_url=srv.base_url)
        conn = Connection(profile, client, JobsClient(client))
        for n in args.concurrency:
            cache = AnswerCache(tmp / f"cache-{n}.sqlite3")
            backend = ChatBackend(conn, cache)
            result = run_eval(backend, examples, models, [parse_grader("exact")], concurrency=n)
            rate = result.requests / result.seconds
            again = run_eval(ChatBackend(conn, cache), examples, models, [parse_grader("exact"), parse_grader("similarity")],
                             concurrency=n)
            hit = again.cache_hits / (again.cache_hits + again.requests)
            print(f"concurrency {n}: {rate:.0f} requests/s ({result.seconds:.2f} s); re-run: {again.requests} "
                  f"requests, cache hit rate {hit:.0%}, {again.seconds:.2f} s")
        client.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
