"""The evaluation's numbers: pass rate (Wilson interval) and mean score (normal interval) per model and
grader, flips against the first model, latency and tokens. `to_dict` is the JSON `tunescope eval
--format json` prints (documented in the README); the text view and the TUI read the same dict.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter

from tunescope.dataset.records import one_line
from tunescope.eval.runner import EvalResult

Z95 = 1.959964


def wilson(passed: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95% Wilson score interval of a pass rate (0, 0 when n is 0)."""
    if n == 0:
        return 0.0, 0.0
    p = passed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)


def mean_interval(scores: list[float], z: float = Z95) -> tuple[float, float]:
    """95% normal interval of a mean score, clipped to [0, 1]."""
    if len(scores) < 2:
        value = scores[0] if scores else 0.0
        return value, value
    mean = statistics.fmean(scores)
    half = z * statistics.stdev(scores) / math.sqrt(len(scores))
    return round(max(0.0, mean - half), 4), round(min(1.0, mean + half), 4)


def _summary(scores: list[float], passes: list[bool]) -> dict:
    n = len(scores)
    return {"pass_rate": round(sum(passes) / n, 4) if n else 0.0, "pass_ci": list(wilson(sum(passes), n)),
            "mean_score": round(statistics.fmean(scores), 4) if n else 0.0, "score_ci": list(mean_interval(scores)),
            "n": n}


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def _model_entry(result: EvalResult, model: str) -> dict:
    outcomes = [result.outcomes[(e.line, model)] for e in result.examples if (e.line, model) in result.outcomes]
    entry = {"model": model, "resolved": result.resolved.get(model, model),
             **_summary([o.score for o in outcomes], [o.passed for o in outcomes])}
    entry["graders"] = {g.name: _summary([o.grades[g.name].score for o in outcomes],
                                         [o.grades[g.name].passed for o in outcomes]) for g in result.graders}
    latencies = [o.answer["latency_ms"] for o in outcomes if o.answer.get("latency_ms") is not None]
    errors = Counter(str(o.answer["error"]) for o in outcomes if "error" in o.answer)
    entry["errors"] = sum(errors.values())
    entry["top_error"] = ({"message": errors.most_common(1)[0][0], "count": errors.most_common(1)[0][1]}
                          if errors else None)     # the text report quotes it: "see --format json" hid a typo
    entry["latency_ms"] = {"mean": round(statistics.fmean(latencies), 1) if latencies else None,
                           "p50": _percentile(latencies, 0.5), "p95": _percentile(latencies, 0.95)}
    entry["tokens"] = {"prompt": sum(o.answer.get("prompt_tokens") or 0 for o in outcomes),
                       "completion": sum(o.answer.get("completion_tokens") or 0 for o in outcomes)}
    return entry


def flips(result: EvalResult) -> list[dict]:
    """Examples whose pass/fail differs between the first model and each other one."""
    out = []
    if len(result.models) < 2:
        return out
    first = result.models[0]
    for other in result.models[1:]:
        for e in result.examples:
            a, b = result.outcomes.get((e.line, first)), result.outcomes.get((e.line, other))
            if a and b and a.passed != b.passed:
                out.append({"line": e.line, "from": first, "to": other, "change": "better" if b.passed else "worse"})
    return out


def checkpoint_curves(models: list[dict], final_steps: dict[str, int] | None = None) -> dict[str, list[dict]]:
    """Per job id: the score of each of its checkpoints evaluated (`JOB:ckpt-N`) and of the job itself
    (at `final_steps[job]`, or after the last checkpoint), step order: the data of a score-per-checkpoint curve."""
    curves: dict[str, list[dict]] = {}
    for m in models:
        job, _, step = m["model"].partition(":ckpt-")
        if not job.startswith("ftjob-") or (step and not step.isdigit()):
            continue
        curves.setdefault(job, []).append({"step": int(step) if step else None, "model": m["model"],
                                           "pass_rate": m["pass_rate"], "mean_score": m["mean_score"]})
    for job, points in curves.items():
        known = [p["step"] for p in points if p["step"] is not None]
        for p in points:
            if p["step"] is None:
                p["step"] = (final_steps or {}).get(job) or (max(known) + 1 if known else 0)
        points.sort(key=lambda p: p["step"])
    return {job: points for job, points in curves.items() if len(points) > 1}


def to_dict(result: EvalResult) -> dict:
    examples = []
    for e in result.examples:
        answers = {}
        for model in result.models:
            o = result.outcomes.get((e.line, model))
            if o is None:
                continue
            answers[model] = {"answer": o.answer.get("text"), "tool_calls": o.answer.get("tool_calls"),
                              "score": round(o.score, 4), "passed": o.passed, "error": o.answer.get("error"),
                              "cached": o.cached,
                              "grades": {n: {"score": round(g.score, 4), "passed": g.passed, "reason": g.reason}
                                         for n, g in o.grades.items()}}
        examples.append({"line": e.line, "kind": e.kind, "prompt": e.prompt_text, "reference": e.reference,
                         "reference_tool_calls": e.reference_tool_calls, "answers": answers})
    asked = result.requests + result.cache_hits
    return {
        "models": [_model_entry(result, m) for m in result.models],
        "graders": [{"name": g.name, "kind": g.kind.id, "threshold": g.threshold} for g in result.graders],
        "examples": examples,
        "flips": flips(result),
        "run": {"seconds": round(result.seconds, 3), "requests": result.requests, "cache_hits": result.cache_hits,
                "cache_hit_rate": round(result.cache_hits / asked, 4) if asked else 0.0,
                "rate_limited": result.rate_limited, "stopped": result.stopped},
    }


def text_report(report: dict) -> str:
    """The 80-column summary `tunescope eval` prints."""
    lines = [f"{'model':<36} {'pass':>6} {'95% CI':>13} {'score':>6} {'n':>4} {'p50 ms':>7}"]
    for m in report["models"]:
        lo, hi = m["pass_ci"]
        p50 = m["latency_ms"]["p50"]
        lines.append(f"{m['model'][:36]:<36} {m['pass_rate']:>6.0%} {f'{lo:.0%}-{hi:.0%}':>13} "
                     f"{m['mean_score']:>6.2f} {m['n']:>4} {'-' if p50 is None else f'{p50:.0f}':>7}")
        for name, g in m["graders"].items():
            lo, hi = g["pass_ci"]
            lines.append(f"  {name[:34]:<34} {g['pass_rate']:>6.0%} {f'{lo:.0%}-{hi:.0%}':>13} {g['mean_score']:>6.2f}")
        if m["errors"]:
            top = m.get("top_error") or {}
            again = (f" ({top['count']} of them; --format json has the others)"
                     if top and top["count"] < m["errors"] else "")
            lines.append(f"  {m['errors']} request(s) failed: {one_line(top.get('message', ''), 120)}{again}"
                         if top else f"  {m['errors']} request(s) failed; see --format json for the messages")
    changes = report["flips"]
    if changes:
        better = sum(1 for f in changes if f["change"] == "better")
        lines.append(f"\nflips vs {changes[0]['from']}: {better} better, {len(changes) - better} worse "
                     f"(lines {', '.join(str(f['line']) for f in changes[:12])}{' ...' if len(changes) > 12 else ''})")
    for job, points in (report.get("checkpoints") or {}).items():
        best = max(points, key=lambda p: (p["pass_rate"], p["mean_score"], -p["step"]))
        steps = " · ".join(f"step {p['step']} {p['pass_rate']:.0%}" for p in points)
        lines.append(f"\n{job} per checkpoint: {steps} (best: step {best['step']})")
    run = report["run"]
    lines.append(f"\n{run['requests']} request(s), {run['cache_hits']} answer(s) from the cache "
                 f"({run['cache_hit_rate']:.0%}), {run['rate_limited']} rate-limited, {run['seconds']:.1f} s"
                 + (" - STOPPED before the end" if run["stopped"] else ""))
    return "\n".join(lines)
