"""`tunescope eval FILE --model A --model B`: did the fine-tune help? Ask each model every example's
prompt over a backend's chat completions, grade the answers against the references, compare.

Exit codes: 0 done; 1 a --fail-under threshold was missed; 2 usage, configuration, connection or
input problems (one line on stderr); 130 interrupted. The JSON shape is documented in the README.
"""

from __future__ import annotations

import argparse
import json
import sys

from tunescope.commands.jobs.backends import add_backend_flags, profile_from
from tunescope.eval.cache import AnswerCache
from tunescope.eval.cost import DEFAULT_CONFIRM_USD, estimate_cost
from tunescope.eval.examples import load_examples
from tunescope.eval.graders import GRADERS, GraderError, parse_grader
from tunescope.eval.graders.judge import judge_prompt
from tunescope.jobs.errors import JobsError

DESCRIPTION = """\
Evaluate and compare models on a dataset: each example's prompt (the conversation up to its
last assistant message; a DPO row's input; an RFT row's messages) goes to every --model over
the backend's chat completions, and the answer is graded against the reference (that last
message, the preferred output, or the RFT reference keys).

Models: names the backend serves, a job id (its fine-tuned model) or JOB:ckpt-N (a checkpoint).
Answers are cached (SQLite): a re-run or a new grader sends no request.

Graders (--grader KIND[:ARG], repeatable; default exact):
""" + "\n".join(f"  {g.id + (':' + g.arg.upper().replace(' ', '_') if g.arg else ''):<24} {g.description}"
                for g in GRADERS.values() if g.id != "openai") + """
  FILE.json                OpenAI grader config (string_check, text_similarity, score_model, multi)
"""


def _fail(message: str, code: int = 2) -> int:
    print(f"tunescope eval: {message}", file=sys.stderr)
    return code


def _pairs(values: list[str], flag: str) -> dict[str, float]:
    out = {}
    for value in values or ():
        name, sep, number = value.rpartition("=")
        try:
            out[name if sep else ""] = float(number)
        except ValueError:
            raise GraderError(f"{flag} {value!r}: write NAME=NUMBER (e.g. {flag} similarity=0.9)") from None
    return out


def register(subparsers) -> None:
    p = subparsers.add_parser("eval", help="evaluate and compare models on a dataset (base vs fine-tuned)",
                              description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", metavar="FILE", help="JSONL dataset (chat, DPO or RFT)")
    p.add_argument("--model", action="append", required=True, metavar="MODEL",
                   help="a model, job id or JOB:ckpt-N (repeat, or separate with commas, to compare; the first is "
                        "the baseline)")
    p.add_argument("--grader", action="append", metavar="KIND[:ARG]", help="exact (default), regex:PATTERN, ...")
    p.add_argument("--threshold", action="append", metavar="GRADER=X", help="pass threshold of a grader (0-1)")
    p.add_argument("--judge-mode", choices=["scored", "pairwise"], default=None, help="llm_judge mode")
    p.add_argument("--judge-prompt", metavar="FILE", help="llm_judge prompt template ({prompt} {answer} {reference})")
    p.add_argument("--show-judge-prompt", action="store_true", help="print the llm_judge prompt in use and exit")
    p.add_argument("--checkpoints", action="store_true",
                   help="also evaluate every kept checkpoint of each job id given (score per checkpoint)")
    p.add_argument("--sample", type=int, metavar="N", help="evaluate a reproducible random subset of N examples")
    p.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")
    p.add_argument("--concurrency", type=int, default=4, metavar="N", help="requests in flight (default 4)")
    p.add_argument("--temperature", type=float, default=0.0, help="sampling temperature (default 0)")
    p.add_argument("--max-tokens", type=int, default=None, metavar="N", help="answer length limit")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--fail-under", action="append", metavar="[MODEL=]X",
                   help="exit 1 when the pass rate (0-1) is below X: of the last --model, or of MODEL")
    p.add_argument("--yes", action="store_true", help="run without asking, whatever the estimated cost")
    p.add_argument("--max-cost", type=float, default=DEFAULT_CONFIRM_USD, metavar="USD",
                   help=f"ask before running above this estimate (default ${DEFAULT_CONFIRM_USD:.2f})")
    p.add_argument("--no-cache", action="store_true", help="ask again even when an answer is cached")
    p.add_argument("--export", nargs=2, metavar=("promptfoo", "DIR"),
                   help="write a promptfoo config and test cases for this evaluation into DIR (no request made)")
    add_backend_flags(p)
    p.set_defaults(func=run)


def _confirm(estimate, args) -> int | None:
    """None to go on, or the exit code."""
    if args.yes or estimate.usd <= args.max_cost:
        return None
    question = f"This run costs {estimate.describe()}, above --max-cost ${args.max_cost:.2f}. Run it? [y/N] "
    if not sys.stdin.isatty():
        return _fail(f"{estimate.describe()}: above --max-cost ${args.max_cost:.2f}; pass --yes to run it")
    if input(question).strip().lower() not in ("y", "yes"):
        return _fail("not run", 1)
    return None


def _missed(report: dict, args) -> list[str]:
    limits = _pairs(args.fail_under, "--fail-under")
    rates = {m["model"]: m["pass_rate"] for m in report["models"]}
    missed = []
    for name, limit in limits.items():
        model = name or report["models"][-1]["model"]
        if model not in rates:
            raise GraderError(f"--fail-under {name}={limit}: {name!r} is not one of the --model values")
        if rates[model] < limit:
            missed.append(f"{model} passed {rates[model]:.1%} < {limit:.1%}")
    return missed


def run(args: argparse.Namespace) -> int:
    from tunescope.eval.backend import ChatBackend
    from tunescope.eval.promptfoo import export_promptfoo
    from tunescope.eval.report import checkpoint_curves, text_report, to_dict
    from tunescope.eval.runner import RequestOptions, run_eval
    from tunescope.jobs.connection import connect
    from tunescope.tokens.models import load_models

    try:
        judge = {"mode": args.judge_mode, "prompt": args.judge_prompt}
        if args.show_judge_prompt:
            print(judge_prompt(args.judge_mode or "scored", args.judge_prompt))
            return 0
        thresholds = _pairs(args.threshold, "--threshold")
        graders = [parse_grader(spec, thresholds, judge) for spec in (args.grader or ["exact"])]
        if args.export and args.export[0] != "promptfoo":
            return _fail(f"--export {args.export[0]}: the only export format is promptfoo")
        loaded = load_examples(args.file, args.sample, args.seed)
    except GraderError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{args.file}: {exc.strerror or exc}")
    if not loaded.examples:
        why = f"; line {loaded.skipped[0][0]}: {loaded.skipped[0][1]}" if loaded.skipped else ""
        return _fail(f"{args.file}: no example to evaluate{why}")
    options = RequestOptions(temperature=args.temperature, max_tokens=args.max_tokens)
    # `--model a,b` as the Compare screen's field takes it (no model name has a comma)
    args.model = [name.strip() for value in args.model for name in value.split(",") if name.strip()]
    try:
        profile = profile_from(args)
        with connect(profile, max_retries=0) as conn:
            backend = ChatBackend(conn, None if args.no_cache else AnswerCache())
            names = backend.with_checkpoints(args.model) if args.checkpoints else list(dict.fromkeys(args.model))
            resolved = {m: backend.resolve(m) for m in names}
            final_steps = {m: max((c.step for c in conn.jobs.checkpoints(m)), default=0)
                           for m in names if m.startswith("ftjob-") and ":ckpt-" not in m} if args.checkpoints else {}
            if args.export:
                paths = export_promptfoo(args.export[1], loaded.examples, resolved, graders,
                                         None if profile.kind == "openai" else str(conn.client.base_url),
                                         f"tunescope eval {args.file}")
                print("\n".join(str(p) for p in paths))
                return 0
            cached = frozenset((e.line, m) for e in loaded.examples for m in resolved
                               if backend.is_cached(resolved[m], options.request(e)))
            estimate = estimate_cost(loaded.examples, resolved, load_models(), profile.provider.billed,
                                     args.max_tokens, cached)
            stop = _confirm(estimate, args)
            if stop is not None:
                return stop
            progress = None
            if args.format == "text" and sys.stderr.isatty():
                def progress(done, total):
                    print(f"\r{done}/{total} answered", end="", file=sys.stderr, flush=True)
            result = run_eval(backend, loaded.examples, list(resolved), graders, options,
                              max(1, args.concurrency), progress, resolved=resolved)
            if progress is not None:
                print(file=sys.stderr)
    except (JobsError, GraderError) as exc:
        return _fail(str(exc))
    report = to_dict(result)
    report["checkpoints"] = checkpoint_curves(report["models"], final_steps)
    report["file"] = str(args.file)
    report["skipped"] = [{"line": n, "why": why} for n, why in loaded.skipped]
    report["cost"] = estimate.describe()
    if args.format == "json":
        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    else:
        print(f"{args.file}: {len(loaded.examples)} of {loaded.total} example(s), {len(resolved)} model(s); "
              f"{estimate.describe()}")
        print(text_report(report))
    unanswered = [m for m in report["models"] if m["n"] and m["errors"] == m["n"]]
    if unanswered and not report["run"]["stopped"]:     # nothing was evaluated for them: not a pass rate of 0
        return _fail("; ".join(f"every request to {m['model']} failed: {m['top_error']['message']}"
                               for m in unanswered))
    try:
        missed = _missed(report, args)
    except GraderError as exc:
        return _fail(str(exc))
    if missed:
        print("tunescope eval: --fail-under missed: " + "; ".join(missed), file=sys.stderr)
        return 1
    return 0
