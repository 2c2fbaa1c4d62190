"""Benchmark `tunescope check` against the cookbook baseline on the same file, in the same run.

Reports wall time and peak memory, sampled every 50 ms: RSS of the main process, RSS summed over the
process tree (double-counts pages forked workers share with the parent), and PSS summed over the tree
(shared pages split between their users: the memory the check really takes)
of: the cookbook baseline, the floor (benchmarks/floor_check.py: orjson parse and one tiktoken encode
per distinct string, on all cores), `tunescope check` cold (empty result cache), `tunescope check`
again after editing 5 lines (a small fix) and then after changing 1% of the examples (warm cache, new
process), and `tunescope check --watch` (one
warm process) after three more saves of 1% edits (medians: save to report, the check alone, CPU);
with the ratios cold / floor and re-check / cold.
Several sizes in one run (`--examples 100000 2000000`): one JSON object per size on stdout, then a table
of them all on stderr. The baseline is skipped, with the reason, where it would not fit in memory (it
holds every parsed example: predicted from the smaller size's peak).

    python benchmarks/bench_check.py [--examples 100000 [2000000]] [--file /tmp/bench_{n}.jsonl] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
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


def touch_lines(path: str, n: int = 5, seed: int = 1) -> None:
    """Rewrite n lines picked at random (a word appended to the last message): a small fix."""
    with open(path, "rb") as f:
        lines = f.readlines()
    rng = random.Random(seed)
    for i in rng.sample(range(len(lines)), min(n, len(lines))):
        obj = json.loads(lines[i])
        obj["messages"][-1]["content"] = (obj["messages"][-1]["content"] or "") + " edited"
        lines[i] = (json.dumps(obj, ensure_ascii=False) + "\n").encode()
    with open(path + ".tmp", "wb") as f:
        f.writelines(lines)
    os.replace(path + ".tmp", path)


def measure_watch(path: str, env: dict, seeds=(2, 3, 4)) -> dict:
    """`tunescope check --watch` on an already checked file: for each of len(seeds) saves of 1% edits, the
    time from the save (an atomic rename) to the new report on stdout, the check's own time (its status
    line), and the CPU of the process tree; the peak PSS of the tree over the whole watch."""
    import re
    import signal
    import statistics
    import threading

    # SIGINT as in a terminal: a shell's background job starts with it ignored, and ctrl+c is how a watch ends
    proc = psutil.Popen([sys.executable, "-m", "tunescope", "check", path, "--watch", "--format", "json"], env=env,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                pss = 0
                for p in [proc] + proc.children(recursive=True):
                    try:
                        pss += p.memory_full_info().pss
                    except psutil.Error:
                        pass
                peak[0] = max(peak[0], pss)
            except psutil.Error:
                pass
            time.sleep(0.05)

    def cpu() -> float:
        t = proc.cpu_times()
        return t.user + t.system + t.children_user + t.children_system

    def status() -> float:
        line = proc.stderr.readline().decode()
        found = re.search(r" in ([0-9.]+) s\b", line)
        if not found:
            raise SystemExit(f"check --watch said: {line!r}")
        return float(found.group(1))

    threading.Thread(target=sample, daemon=True).start()
    latency, own, cpus = [], [], []
    try:
        proc.stdout.readline()              # the first check: the file as the cold run left it
        status()
        for seed in seeds:
            c0 = cpu()
            touch_one_percent(path, seed=seed)
            saved = time.perf_counter()
            proc.stdout.readline()
            latency.append(time.perf_counter() - saved)
            own.append(status())
            cpus.append(cpu() - c0)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        stop.set()
    return {"wall_s": round(statistics.median(latency), 2), "check_s": round(statistics.median(own), 2),
            "cpu_s": round(statistics.median(cpus), 2), "peak_pss_tree_mb": round(peak[0] / 2**20, 1),
            "saves": len(seeds)}


def run_size(examples: int, path: str, env: dict, with_baseline: bool, baseline_mb_per_example: float | None,
             keep: bool, watch_saves: int = 3) -> dict:
    """Baseline, floor, cold and re-check on one generated file of `examples` examples."""
    if not os.path.exists(path):
        generate(examples, path)
    size = os.path.getsize(path)
    py = sys.executable
    results: dict = {"file": path, "examples": examples, "size_mb": round(size / 2**20, 1), "cpus": os.cpu_count()}
    if with_baseline:
        # the notebook holds every parsed example: it cannot run where that does not fit in memory
        need_mb = baseline_mb_per_example * examples if baseline_mb_per_example else None
        free_mb = psutil.virtual_memory().available / 2**20
        if need_mb is not None and need_mb > 0.7 * free_mb:
            results["baseline_cookbook"] = {"skipped": f"holds every example in memory: about {need_mb / 1024:.1f} GB "
                                                       f"predicted from the smaller run, {free_mb / 1024:.1f} GB available"}
        else:
            results["baseline_cookbook"] = measure([py, str(HERE / "cookbook_baseline.py"), path], env)
    results["floor"] = measure([py, str(HERE / "floor_check.py"), path], env)
    home = tempfile.mkdtemp(prefix="tsbench")      # an empty result cache for each size
    env = dict(env, TUNESCOPE_HOME=home)
    check = [py, "-m", "tunescope", "check", path, "--format", "json"]
    results["tunescope_cold"] = measure(check, env)
    touch_lines(path, 5)
    results["tunescope_after_5_lines"] = measure(check, env)
    touch_one_percent(path)
    results["tunescope_after_1pct_edit"] = measure(check, env)
    results["tunescope_watch_after_1pct_edit"] = measure_watch(path, env, seeds=tuple(range(2, 2 + watch_saves)))
    c, w, f = results["tunescope_cold"], results["tunescope_after_1pct_edit"], results["floor"]
    base = results.get("baseline_cookbook", {})
    if "wall_s" in base:
        results["speedup_vs_baseline"] = round(base["wall_s"] / c["wall_s"], 2)
    results["cold_over_floor"] = round(c["wall_s"] / f["wall_s"], 2)
    results["cold_over_floor_cpu"] = round(c["cpu_s"] / f["cpu_s"], 2)
    results["rerun_fraction_of_cold"] = round(w["wall_s"] / c["wall_s"], 3)
    results["rerun_fraction_of_cold_cpu"] = round(w["cpu_s"] / c["cpu_s"], 3)
    results["five_lines_fraction_of_cold"] = round(results["tunescope_after_5_lines"]["wall_s"] / c["wall_s"], 3)
    ww = results["tunescope_watch_after_1pct_edit"]
    results["watch_fraction_of_cold"] = round(ww["wall_s"] / c["wall_s"], 3)          # save to report
    results["watch_check_fraction_of_cold"] = round(ww["check_s"] / c["wall_s"], 3)  # the check alone
    results["watch_fraction_of_cold_cpu"] = round(ww["cpu_s"] / c["cpu_s"], 3)
    results["load_average"] = [round(x, 2) for x in os.getloadavg()]
    cache_dir = Path(home) / "cache"      # what the result cache holds at the end (its bound: half the file)
    results["result_cache_mb"] = round(sum(p.stat().st_size for p in cache_dir.rglob("*") if p.is_file()) / 2**20, 1)
    shutil.rmtree(home, ignore_errors=True)  # a 2,000,000-example run leaves ~2 GB there
    if not keep:
        os.remove(path)
    return results


def table(runs: list[dict]) -> str:
    """The figures side by side, for people (the JSON above is for tools)."""
    rows = ["examples   what                  wall s   CPU s  peak PSS MB"]
    for r in runs:
        for key, name in (("baseline_cookbook", "cookbook baseline"), ("floor", "floor"),
                          ("tunescope_cold", "tunescope cold"), ("tunescope_after_5_lines", "after 5 edited lines"),
                          ("tunescope_after_1pct_edit", "after 1% edits"),
                          ("tunescope_watch_after_1pct_edit", "--watch, 1% edits")):
            m = r.get(key)
            if m is None:
                continue
            if "skipped" in m:
                rows.append(f"{r['examples']:>9,}  {name:<20}  skipped: {m['skipped']}")
                continue
            rows.append(f"{r['examples']:>9,}  {name:<20} {m['wall_s']:7.1f} {m['cpu_s']:7.1f}  {m['peak_pss_tree_mb']:9.1f}")
        rows.append(f"{'':>9}  cold/floor {r['cold_over_floor']} wall, {r['cold_over_floor_cpu']} CPU; "
                    f"re-check/cold {r['rerun_fraction_of_cold']} wall, {r['rerun_fraction_of_cold_cpu']} CPU; "
                    f"5 lines/cold {r['five_lines_fraction_of_cold']}")
        if "watch_fraction_of_cold" in r:
            rows.append(f"{'':>9}  --watch/cold {r['watch_fraction_of_cold']} save to report, "
                        f"{r['watch_check_fraction_of_cold']} the check alone, {r['watch_fraction_of_cold_cpu']} CPU")
    return "\n".join(rows)


def compile_package() -> None:
    """Byte-compile tunescope first, as `pip install` does for an installed package: an editable install
    under PYTHONDONTWRITEBYTECODE=1 (set on some CI machines and containers) would otherwise compile every
    module from source in each measured process, ~0.1 s of start-up that no user pays."""
    import compileall

    import tunescope

    compileall.compile_dir(os.path.dirname(tunescope.__file__), quiet=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, nargs="+", default=[100_000],
                    help="one run per size, e.g. --examples 100000 2000000 (default 100000)")
    ap.add_argument("--file", default=os.path.join(tempfile.gettempdir(), "tunescope_bench_chat_{n}.jsonl"),
                    help="where each generated file goes; {n} becomes the size (an existing file is reused)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--watch-saves", type=int, default=3,
                    help="saves of 1%% edits timed under check --watch (their median is reported; default 3)")
    ap.add_argument("--skip-baseline", action="store_true",
                    help="only the floor and tunescope (e.g. to show memory does not grow on a bigger file)")
    args = ap.parse_args()
    env = dict(os.environ)
    compile_package()
    runs, per_example = [], None
    for n in sorted(args.examples):
        path = args.file.format(n=n) if "{n}" in args.file else args.file
        run = run_size(n, path, env, not args.skip_baseline, per_example, args.keep, args.watch_saves)
        base = run.get("baseline_cookbook", {})
        if "peak_pss_tree_mb" in base:
            per_example = base["peak_pss_tree_mb"] / n
        runs.append(run)
        print(json.dumps(run, indent=2), flush=True)
    print(table(runs), file=sys.stderr)


if __name__ == "__main__":
    main()
