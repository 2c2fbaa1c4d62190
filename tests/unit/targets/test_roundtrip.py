"""Round trips OpenAI -> target -> OpenAI on every shared dataset, and the converted files against JSON
Schemas written from each destination's documentation (src/tunescope/targets/schemas/, validated here
with jsonschema directly, not through the product's checker).

What a round trip must keep: every message, its role and text, every tool call (name and arguments) and,
where the target has per-message weights, every weight. A line may differ only where the export report
names a note for that line that changes messages (a lost part, joined turns, a moved system message);
notes about top-level keys or renumbered tool-call ids do not excuse a difference.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import dataset_files
from tunescope.targets import TARGETS
from tunescope.targets.exporting import ExportError, export_file
from tunescope.targets.reading import iter_rows

SCHEMAS = Path(__file__).resolve().parents[3] / "src" / "tunescope" / "targets" / "schemas"
EXCUSES_NOTHING = {"key_not_carried", "tool_call_ids_renumbered", "strict_not_carried", "legacy_functions_as_tools",
                   "arguments_not_object"}


def _text(content) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")


def _args(arguments):
    if isinstance(arguments, str):
        try:
            return json.loads(arguments)
        except ValueError:
            return arguments
    return arguments


def project(record: dict, weights: bool) -> list[tuple]:
    """Messages as (role, text, [(tool name, arguments)], weight); legacy function calling read as tools."""
    out = []
    for m in record.get("messages") or []:
        role = "tool" if m.get("role") == "function" else m.get("role")
        calls = [(c["function"]["name"], _args(c["function"].get("arguments"))) for c in m.get("tool_calls") or []]
        if isinstance(m.get("function_call"), dict):
            calls.append((m["function_call"]["name"], _args(m["function_call"].get("arguments"))))
        out.append((role, _text(m.get("content")), calls, m.get("weight") if weights else None))
    return out


def round_trip(path: Path, name: str, tmp_path: Path):
    target = TARGETS[name]
    out = tmp_path / f"{name}.jsonl"
    try:
        result = export_file(str(path), target, str(out))
    except ExportError as exc:
        # nothing exported: only because the target holds none of it, never because the converter got it wrong
        assert not [n for n in exc.notes if n.kind == "example_not_in_format"], exc.notes[:3]
        return None, None, None
    originals = {row.line: row.record for row in iter_rows(str(path)) if row.record is not None}
    converted = [row.record for row in iter_rows(str(out))]
    return result, originals, converted


def tool_names(record: dict) -> list[str]:
    """Names of the tools a record defines (`tools`, or legacy `functions`)."""
    return [t["function"]["name"] for t in record.get("tools") or []] + \
        [f["name"] for f in record.get("functions") or []]


CASES = [(f, t) for f in dataset_files() for t in TARGETS]


@pytest.mark.parametrize("path,name", CASES, ids=[f"{f.stem}-{t}" for f, t in CASES])
def test_round_trip_keeps_what_the_target_can_carry(path, name, tmp_path):
    result, originals, converted = round_trip(path, name, tmp_path)
    if result is None:
        pytest.skip(f"{name} can hold none of {path.name}")
    target = TARGETS[name]
    # the export's last guard (an example its converter got wrong) never fires on real data
    assert not [n for n in result.notes if n.kind == "example_not_in_format"], result.notes[:3]
    explained = {n.line for n in result.notes if n.kind not in EXCUSES_NOTHING}
    skipped = {n.line for n in result.notes if n.kind in ("example_not_carried", "example_not_in_format",
                                                          "line_not_read")}
    kept_lines = [line for line in originals if line not in skipped]
    assert len(kept_lines) == len(converted) == result.written
    compared = 0
    for line, native in zip(kept_lines, converted):
        back = target.to_openai(native)
        original = originals[line]
        if "messages" not in original:          # preference / prompt-completion rows: passed through whole
            assert back == {k: v for k, v in original.items() if k in back}
            compared += 1
            continue
        if line in explained:
            continue
        assert project(back, target.weights) == project(original, target.weights), f"line {line}"
        assert tool_names(back) == tool_names(original), f"line {line}: tools"
        compared += 1
    assert compared or explained, "nothing was compared"


@pytest.mark.parametrize("name", [t for t in TARGETS if TARGETS[t].schema])
@pytest.mark.parametrize("path", dataset_files(), ids=[f.stem for f in dataset_files()])
def test_converted_files_match_the_documented_schema(path, name, tmp_path):
    result, _originals, converted = round_trip(path, name, tmp_path)
    if result is None:
        pytest.skip(f"{name} can hold none of {path.name}")
    schema = json.loads((SCHEMAS / TARGETS[name].schema).read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema)
    for i, record in enumerate(converted):
        errors = list(validator.iter_errors(record))
        assert not errors, f"{name} line {i + 1}: {errors[0].message}"


def test_drone_tools_survive_vertex_with_their_names_and_arguments(datasets_dir, tmp_path):
    result, originals, converted = round_trip(datasets_dir / "cookbook_drone_tools.jsonl", "vertex", tmp_path)
    first = converted[0]
    call = first["contents"][1]["parts"][0]["functionCall"]
    assert call == {"name": "takeoff_drone", "args": {"altitude": 100}}       # arguments as an object
    assert first["tools"][0]["functionDeclarations"][0]["name"] == "takeoff_drone"
    assert "parallel_tool_calls" not in first
    assert {n.kind for n in result.notes if n.line == 1} >= {"key_not_carried", "tool_call_ids_renumbered"}
