"""`--export promptfoo DIR`: the same evaluation as a promptfoo project (promptfooconfig.yaml, a chat
prompt and one test case per example), so it can be run there too (`npx promptfoo eval -c DIR`).

Graders map to promptfoo assertions: exact -> equals, regex -> regex, json_valid -> is-json,
json_schema -> is-json with the schema, similarity -> levenshtein (distance allowed by the threshold),
tool_call -> is-valid-openai-tools-call, llm_judge -> llm-rubric; an OpenAI grader config has no
promptfoo equivalent and is listed in the config's description instead.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from tunescope.eval.examples import EvalExample
from tunescope.eval.graders import Grader
from tunescope.eval.graders.structured import load_schema

PROMPT = "{{ messages | dump }}"
"""A promptfoo chat prompt: the JSON list of messages each test case carries."""


def _assertion(grader: Grader, example: EvalExample) -> dict | None:
    kind, arg = grader.kind.id, grader.options.get("arg")
    if kind == "exact":
        return {"type": "equals", "value": example.reference or ""} if example.reference is not None else None
    if kind == "regex":
        return {"type": "regex", "value": arg}
    if kind == "json_valid":
        return {"type": "is-json"}
    if kind == "json_schema":
        return {"type": "is-json", "value": load_schema(arg)}
    if kind == "similarity":
        ref = example.reference or ""
        return {"type": "levenshtein", "value": ref, "threshold": max(0, round(len(ref) * (1 - grader.threshold)))}
    if kind == "tool_call":
        return {"type": "is-valid-openai-tools-call"}
    if kind == "llm_judge":
        return {"type": "llm-rubric", "value": f"The answer matches this reference in meaning: {example.reference}",
                "provider": f"openai:chat:{arg}"}
    return None


def export_promptfoo(directory: str | Path, examples: list[EvalExample], models: dict[str, str],
                     graders: list[Grader], base_url: str | None = None, description: str = "") -> list[Path]:
    """Write promptfooconfig.yaml, prompt.json and tests.yaml into `directory`; returns the paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    skipped = sorted({g.name for g in graders for e in examples[:1] if _assertion(g, e) is None})
    providers = []
    for given, sent in models.items():
        provider: dict = {"id": f"openai:chat:{sent}", "label": given, "config": {"temperature": 0}}
        if base_url:
            provider["config"]["apiBaseUrl"] = base_url
        providers.append(provider)
    tests = []
    for e in examples:
        case: dict = {"description": f"line {e.line}", "vars": {"messages": e.messages}}
        asserts = [a for a in (_assertion(g, e) for g in graders) if a is not None]
        if asserts:
            case["assert"] = asserts
        tests.append(case)
    note = description or "exported by tunescope eval"
    if skipped:
        note += f"; graders without a promptfoo equivalent (not exported): {', '.join(skipped)}"
    config = {"description": note, "prompts": ["file://prompt.json"], "providers": providers,
              "tests": "file://tests.yaml"}
    paths = [out / "promptfooconfig.yaml", out / "prompt.json", out / "tests.yaml"]
    paths[0].write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    paths[1].write_text(PROMPT + "\n", encoding="utf-8")
    paths[2].write_text(yaml.safe_dump(tests, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")
    return paths
