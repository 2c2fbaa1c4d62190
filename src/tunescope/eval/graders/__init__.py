"""Grader kinds: importing this package declares all of them in `GRADERS` (registry.py)."""

from tunescope.eval.graders import text, structured, judge, openai_config  # noqa: F401,I001 - declare the kinds in this order
from tunescope.eval.graders.registry import GRADERS, Answer, Grade, Grader, GraderError, make_grader

__all__ = ["GRADERS", "Answer", "Grade", "Grader", "GraderError", "make_grader", "parse_grader"]


def parse_grader(spec: str, thresholds: dict[str, float] | None = None, judge_options: dict | None = None) -> Grader:
    """`KIND`, `KIND:ARG` (regex:PATTERN, json_schema:FILE, llm_judge:MODEL) or a `.json` OpenAI grader file."""
    thresholds = thresholds or {}
    if spec.endswith(".json") and ":" not in spec.split("/")[0]:
        config = openai_config.read_config(spec)
        _, threshold = openai_config.build_openai(config)
        name = str(config.get("name") or config.get("type"))
        return make_grader("openai", {"arg": spec, "config": config}, thresholds.get(name, threshold), name)
    kind, _, arg = spec.partition(":")
    kind = {"judge": "llm_judge", "fuzzy": "similarity", "text_similarity": "similarity"}.get(kind, kind)
    options = {"arg": arg} if arg else {}
    if kind == "llm_judge":
        options.update({k: v for k, v in (judge_options or {}).items() if v})
    return make_grader(kind, options, thresholds.get(kind), kind)
