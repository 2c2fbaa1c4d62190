"""`tunescope checks [ID] [--format text|json]`: list every check, explain one, exit 2 on an unknown id."""

from __future__ import annotations

import json

from tunescope.checks import CHECKS, by_area
from tunescope.cli import main


def run(capsys, *args):
    code = main(["checks", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_lists_every_check_grouped_by_area(capsys):
    code, out, err = run(capsys)
    assert code == 0 and not err
    lines = out.splitlines()
    for area, checks in by_area().items():
        start = lines.index(f"{area} ({len(checks)})")
        rows = [line.split()[:2] for line in lines[start + 1: start + 1 + len(checks)]]
        assert rows == [[c.id, c.severity.value] for c in checks]
    assert "Weight not an integer" in out
    assert max(len(line) for line in lines) <= 80


def test_explains_one_check_with_every_field(capsys):
    code, out, _ = run(capsys, "duplicate_tool_call_id")
    assert code == 0
    c = CHECKS["duplicate_tool_call_id"]
    assert out.startswith(f"{c.id} ({c.severity.value})\n{c.title}\n")
    assert c.description in out and "area:      tools" in out and "reference: T05" in out and "tags:      tools" in out


def test_unknown_id_exits_2_naming_close_ids(capsys):
    code, out, err = run(capsys, "weight_not_int")
    assert code == 2 and not out
    assert err.count("\n") == 1 and "unknown check 'weight_not_int'" in err and "weight_not_integer" in err
    code, _, err = run(capsys, "zzz")
    assert code == 2 and "tunescope checks" in err


def test_json_lists_every_check_with_all_fields(capsys):
    code, out, _ = run(capsys, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [d["id"] for d in data] == [c.id for checks in by_area().values() for c in checks]
    assert len(data) == len(CHECKS)
    assert all(set(d) == {"id", "severity", "area", "title", "description", "reference", "tags"} for d in data)
    code, out, _ = run(capsys, "weight_not_integer", "--format", "json")
    assert code == 0 and json.loads(out) == CHECKS["weight_not_integer"].to_dict()
