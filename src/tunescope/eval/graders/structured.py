"""Graders on structure: valid JSON, JSON Schema (jsonschema), tool calls matching the reference's."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from tunescope.eval.graders.registry import GraderError, grader


def _json(text: str | None):
    try:
        return json.loads(text or ""), None
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"


@grader("json_valid", "valid JSON", "the answer parses as JSON")
def json_valid(options: dict):
    def grade(example, answer, ctx):
        _, err = _json(answer.text)
        return (0.0, err) if err else 1.0
    return grade


def load_schema(arg: str) -> dict:
    """A schema given inline (`{...}`) or as a file path."""
    source = arg.strip()
    if not source.startswith("{"):
        try:
            source = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise GraderError(f"grader json_schema: cannot read {arg!r} ({exc.strerror}); give a schema file "
                              "or inline JSON") from None
    try:
        schema = json.loads(source)
    except json.JSONDecodeError as exc:
        raise GraderError(f"grader json_schema: the schema is not JSON ({exc.msg}, line {exc.lineno})") from None
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise GraderError(f"grader json_schema: not a valid JSON Schema: {exc.message}") from None
    return schema


@grader("json_schema", "JSON Schema", "the answer is JSON that matches a JSON Schema (file or inline)",
        arg="schema file")
def json_schema(options: dict):
    schema = load_schema(options["arg"])
    validator = jsonschema.validators.validator_for(schema)(schema)

    def grade(example, answer, ctx):
        value, err = _json(answer.text)
        if err:
            return 0.0, err
        problem = next(iter(validator.iter_errors(value)), None)
        if problem is None:
            return 1.0
        where = "/".join(str(p) for p in problem.absolute_path) or "(root)"
        return 0.0, f"at {where}: {problem.message}"
    return grade


def _calls(calls) -> list[tuple[str, object]]:
    out = []
    for call in calls or ():
        fn = call.get("function", {}) if isinstance(call, dict) else {}
        raw = fn.get("arguments")
        try:
            args = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError:
            args = ("unparsable", raw)
        out.append((fn.get("name"), args))
    return out


@grader("tool_call", "tool-call match", "the answer calls the same functions with equal parsed arguments "
        "(score: the share of the reference's calls matched)")
def tool_call(options: dict):
    def grade(example, answer, ctx):
        want = _calls(example.reference_tool_calls)
        got = _calls(answer.tool_calls)
        if not want:
            return (1.0, "") if not got else (0.0, "the reference makes no tool call")
        left = list(got)
        matched = 0
        for call in want:
            if call in left:
                left.remove(call)
                matched += 1
        if sorted(str(n) for n, _ in want) != sorted(str(n) for n, _ in got):
            names = ", ".join(str(n) for n, _ in got) or "none"
            return matched / max(len(want), len(got)), f"called {names}; expected {', '.join(str(n) for n, _ in want)}"
        reason = "" if matched == len(want) else "same functions, different arguments"
        return matched / len(want), reason
    return grade
