"""Benchmark `tunescope check` against the cookbook baseline on the same file, in the same run.

Reports wall time and peak memory, sampled every 50 ms: RSS of the main process, RSS summed over the
process tree (double-counts pages forked workers share with the parent), and PSS summed over the tree
(shared pages split between their users: the memory the check really takes)
of: the cookbook baseline, the floor (benchmarks/floor_check.py: orjson parse and one tiktoken encode
per distinct string, on all cores), `tunescope check` cold (empty result cache), and `tunescope check`
again after changing 1% of the examples (warm cache); with the ratios cold / floor and re-check / cold.

    python benchmarks/bench_check.py [--examples 100000] [--file /tmp/bench_chat.jsonl]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_chat import generate  # noqa: E402


def measure(cmd: list[str], env: dict) -> dict:
    # CPU of the whole tree (workers are waited for by the checker, the checker by us): on a shared,
    # loaded machine wall time depends on the neighbours, CPU time much less
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out_file = tempfile.TemporaryFile()   # never a pipe: a full pipe would stall the child
    err_file = tempfile.TemporaryFile()
    proc = psutil.Popen(cmd, env=env, stdout=out_file, stderr=err_file)
    peak_tree = peak_main = peak_pss = 0
    while proc.poll() is None:
        try:
            procs = [proc] + proc.children(recursive=True)
            rss, pss = [], []
            for p in procs:
                try:
                    full = p.memory_full_info()
                    rss.append(full.rss)
                    pss.append(full.pss)
                except psutil.Error:
                    pass
            peak_tree = max(peak_tree, sum(rss))
            peak_pss = max(peak_pss, sum(pss))
            peak_main = max(peak_main, rss[0] if rss else 0)
        except psutil.Error:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    err_file.seek(0)
    err = err_file.read()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd} failed ({proc.returncode}): {err.decode()[-2000:]}")
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_rss_tree_mb": round(peak_tree / 2**20, 1),
            "peak_pss_tree_mb": round(peak_pss / 2**20, 1),
            "peak_rss_main_mb": round(peak_main / 2**20, 1)}


def touch_one_percent(path: str, seed: int = 1) -> None:
    """Rewrite 1% of the lines (a word appended to the last assistant message)."""
    rng = random.Random(seed)
    tmp = path + ".tmp"
    with open(path, encoding="utf-8") as src, open(tmp, "w", encoding="utf-8") as dst:
        for line in src:
            if rng.random() < 0.01:
                obj = json.loads(line)
                obj["messages"][-1]["content"] = (obj["messages"][-1]["content"] or "") + " edited"
                line = json.dumps(obj, ensure_ascii=False) + "\n"
            dst.write(line)
    os.replace(tmp, path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=100_000)
    ap.add_argument("--file", default=os.path.join(tempfile.gettempdir(), "tunescope_bench_chat.jsonl"))
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--skip-baseline", action="store_true",
                    help="only tunescope (e.g. to show memory does not grow on a bigger file)")
    args = ap.parse_args()
    if not os.path.exists(args.file):
        generate(args.examples, args.file)
    size = os.path.getsize(args.file)
    home = tempfile.mkdtemp(prefix="tsbench")
    env = dict(os.environ, TUNESCOPE_HOME=home)
    py = sys.executable
    results = {"file": args.file, "examples": args.examples, "size_mb": round(size / 2**20, 1),
               "cpus": os.cpu_count()}
    if not args.skip_baseline:
        results["baseline_cookbook"] = measure([py, str(HERE / "cookbook_baseline.py"), args.file], env)
    results["floor"] = measure([py, str(HERE / "floor_check.py"), args.file], env)
    check = [py, "-m", "tunescope", "check", args.file, "--format", "json"]
    results["tunescope_cold"] = measure(check, env)
    touch_one_percent(args.file)
    results["tunescope_after_1pct_edit"] = measure(check, env)
    c, w = results["tunescope_cold"], results["tunescope_after_1pct_edit"]
    if "baseline_cookbook" in results:
        results["speedup_vs_baseline"] = round(results["baseline_cookbook"]["wall_s"] / c["wall_s"], 2)
    results["rerun_fraction_of_cold"] = round(w["wall_s"] / c["wall_s"], 3)
    results["cold_over_floor"] = round(c["wall_s"] / results["floor"]["wall_s"], 2)
    results["rerun_fraction_of_cold_cpu"] = round(w["cpu_s"] / c["cpu_s"], 3)
    results["cold_over_floor_cpu"] = round(c["cpu_s"] / results["floor"]["cpu_s"], 2)
    results["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(results, indent=2))
    if not args.keep:
        os.remove(args.file)


if __name__ == "__main__":
    main()
