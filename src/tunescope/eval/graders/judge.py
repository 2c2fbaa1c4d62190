"""The LLM judge: any model on any backend scores an answer (scored) or compares it with the reference
(pairwise). The prompts are plain templates, shown by `tunescope eval --show-judge-prompt` and
replaceable with `--judge-prompt FILE`; `{prompt}`, `{answer}` and `{reference}` are filled in."""

from __future__ import annotations

import re
from pathlib import Path

from tunescope.eval.graders.registry import GraderError, grader

SCORED_PROMPT = """You grade an assistant's answer against a reference answer.

Conversation (last user message):
{prompt}

Reference answer:
{reference}

Answer to grade:
{answer}

How well does the answer match the reference in meaning, facts and style? Reply with one line
"Score: N" where N is an integer from 0 (unrelated or wrong) to 10 (as good as the reference)."""

PAIRWISE_PROMPT = """You compare two answers to the same conversation.

Conversation (last user message):
{prompt}

Answer A:
{reference}

Answer B:
{answer}

Which answer is better? Reply with one line "Winner: A", "Winner: B" or "Winner: tie"."""

_SCORE = re.compile(r"score\s*[:=]\s*(\d+(?:\.\d+)?)", re.I)
_WINNER = re.compile(r"winner\s*[:=]\s*(a|b|tie)\b", re.I)


def judge_prompt(mode: str, path: str | None = None) -> str:
    """The template in use: the built-in one for `mode`, or the file's text."""
    if path:
        try:
            return Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise GraderError(f"judge prompt {path!r}: {exc.strerror}") from None
    return PAIRWISE_PROMPT if mode == "pairwise" else SCORED_PROMPT


def parse_verdict(mode: str, text: str) -> tuple[float, str]:
    """(score in [0, 1], the judge's words) from the judge's reply."""
    short = " ".join(text.split())[:200]
    if mode == "pairwise":
        found = _WINNER.search(text)
        if not found:
            return 0.0, f"judge gave no 'Winner:' line: {short}"
        return {"a": 0.0, "b": 1.0, "tie": 0.5}[found.group(1).lower()], short
    found = _SCORE.search(text)
    if not found:
        return 0.0, f"judge gave no 'Score:' line: {short}"
    return min(10.0, float(found.group(1))) / 10.0, short


@grader("llm_judge", "LLM judge", "a model grades the answer against the reference: scored (0-10, default) or "
        "pairwise (answer vs reference: win 1, tie 0.5); options mode=, prompt=FILE", threshold=0.7,
        arg="judge model", uses_model=True)
def llm_judge(options: dict):
    mode = options.get("mode", "scored")
    if mode not in ("scored", "pairwise"):
        raise GraderError(f"llm_judge mode {mode!r}: use scored or pairwise")
    template = judge_prompt(mode, options.get("prompt"))
    model = options["arg"]

    def grade(example, answer, ctx):
        text = template.replace("{prompt}", example.prompt_text).replace("{reference}", example.reference or "")
        text = text.replace("{answer}", answer.text or "")
        return parse_verdict(mode, ctx.ask(model, [{"role": "user", "content": text}]))
    return grade
