"""The fix registry is the one list of fixes: `tunescope fix` flags, help and order, the TUI menu's
entries and `EditSession.apply_fix` all come from it, and every fix is declared exactly once."""

from __future__ import annotations

import argparse
import ast
import inspect
from pathlib import Path

import orjson
import pytest

from tunescope.cli import build_parser
from tunescope.commands import fix as fix_command
from tunescope.editing.fixes.plan import FixError, FixPlan
from tunescope.editing.fixes.registry import FIXES, fix, in_menu_order, menu_entries, plan_fix
from tunescope.editing.session import EditSession
from tunescope.tokens.count import TokenCounter

SRC = Path(__file__).resolve().parents[3] / "src" / "tunescope"

# The order the TUI's fixes menu has always shown (most used first, the file-wide conversion last);
# a new fix may go anywhere among them.
MENU_ORDER = ["strip_whitespace", "dedupe", "drop_invalid", "drop_extra_keys", "rename_near_miss", "to_chat",
              "drop_over_limit", "truncate_over_limit", "to_jsonl"]


def fix_parser() -> argparse.ArgumentParser:
    sub = next(a for a in build_parser(["fix"])._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices["fix"]


def fix_flag_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    group = next(g for g in parser._action_groups if g.title == "fixes")
    return [a for a in group._group_actions if a.dest in FIXES]


def test_cli_flags_help_and_order_come_from_the_registry():
    actions = fix_flag_actions(fix_parser())
    assert [a.option_strings for a in actions] == [[f.cli_flag] for f in FIXES.values()]
    assert [a.help for a in actions] == [f.cli_help for f in FIXES.values()]
    assert [f.order for f in FIXES.values()] == sorted(f.order for f in FIXES.values())


def test_every_fix_option_is_a_cli_flag_after_the_last_fix_that_takes_it():
    parser = fix_parser()
    flags = [a.option_strings[-1] for a in parser._action_groups[-1]._group_actions]
    fixes = list(FIXES.values())
    for opt in {o.flag: o for f in fixes for o in f.options}.values():
        takers = [f.cli_flag for f in fixes if opt in f.options]
        assert flags.index(opt.flag) > flags.index(takers[-1]), opt.flag


def test_cli_applies_the_selected_fixes_in_registry_order():
    everything = [f.cli_flag for f in FIXES.values() if f.name != "drop_over_limit"]   # exclusive with truncate
    args = fix_parser().parse_args(["data.jsonl", *reversed(everything), "--system", "S", "--limit", "9"])
    picked = fix_command._selected(args)
    expected = [f.name for f in FIXES.values() if f.name not in ("drop_over_limit", "drop_extra_keys")]
    assert [name for name, _ in picked] == expected    # drop_extra_keys runs inside rename_near_miss
    params = dict(picked)
    assert params["rename_near_miss"] == {"drop_extra_keys": True}
    assert params["to_chat"] == {"system": "S"}
    assert params["truncate_over_limit"] == {"model": None, "limit": 9, "allow_estimate": False}


def test_fixes_in_one_exclusive_group_cannot_be_combined_on_the_command_line(capsys):
    groups: dict[str, list[str]] = {}
    for f in FIXES.values():
        if f.exclusive:
            groups.setdefault(f.exclusive, []).append(f.cli_flag)
    assert groups == {"over_limit": ["--drop-over-limit", "--truncate-over-limit"]}
    with pytest.raises(SystemExit) as exc:
        fix_parser().parse_args(["data.jsonl", *groups["over_limit"]])
    assert exc.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_menu_lists_every_fix_once_in_its_order():
    names = [f.name for f in in_menu_order()]
    assert [n for n in names if n in MENU_ORDER] == MENU_ORDER
    assert sorted(names) == sorted(FIXES) and set(MENU_ORDER) <= set(FIXES)
    assert menu_entries() == [(f.name, f.label, f.description) for f in in_menu_order()]
    assert all(label and description for _, label, description in menu_entries())


def declarations() -> dict[str, list[str]]:
    """fix name -> the modules whose source declares it with `fix("name", ...)`."""
    found: dict[str, list[str]] = {}
    for path in SRC.rglob("*.py"):
        module = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "fix"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.setdefault(node.args[0].value, []).append(module)
    return found


CHAT = {"messages": [{"role": "user", "content": " hi "}, {"role": "assistant", "content": "yo " * 50}]}


def sample_session(tmp_path, name: str = "") -> EditSession:
    """Rows the fixes act on (chat, duplicates, extra keys, invalid, legacy, near miss); for to_jsonl,
    a pretty-printed JSON array (a broken line would make it refuse)."""
    path = tmp_path / "d.jsonl"
    if name == "to_jsonl":
        path.write_bytes(orjson.dumps([CHAT, CHAT], option=orjson.OPT_INDENT_2))
    else:
        rows = [orjson.dumps(CHAT), orjson.dumps(CHAT), orjson.dumps({**CHAT, "id": 7}), b"{broken",
                b'{"prompt":"q ->","completion":" a\\n"}',
                (b'{"messages":[{"role":"user","content":[{"type":"text","value":"q"}]},'
                 b'{"role":"assistant","content":"a","loss_weight":1}]}')]
        path.write_bytes(b"\n".join(rows) + b"\n")
    return EditSession.open(path)


@pytest.mark.parametrize("name", list(FIXES))
def test_each_fix_is_declared_once_beside_its_plan_and_its_plan_runs(name, tmp_path):
    declared = FIXES[name]
    assert declarations()[name] == [declared.plan.__module__]
    assert declared.cli_flag == "--" + name.replace("_", "-")
    signature = inspect.signature(declared.plan)
    assert all(opt.param in signature.parameters for opt in declared.options)
    assert declared.needs_model == ("model" in signature.parameters)
    session = sample_session(tmp_path, name)
    params = {"counter": TokenCounter("o200k_base"), "limit": 40} if declared.needs_model else {}
    plan = plan_fix(session, name, **params)
    assert isinstance(plan, FixPlan) and plan.report.fix == name and plan.report.description
    assert session.version == 0 and not session.dirty          # planning changes nothing
    session.close()


def test_declaring_a_taken_name_flag_order_or_menu_place_raises():
    before = dict(FIXES)
    dedupe = FIXES["dedupe"]
    taken = {"name": "dedupe", "cli_flag": "--dedupe", "order": dedupe.order, "menu": dedupe.menu}
    for attr, value in taken.items():
        fields = {"label": "x", "description": "x", "cli_flag": "--sparkle", "cli_help": "x",
                  "order": 1000, "menu": 1000, attr: value}
        with pytest.raises(ValueError, match=f"{attr} .* is already 'dedupe'"):
            fix(fields.pop("name", "sparkle"), dedupe.plan, **fields)
    assert FIXES == before and list(FIXES) == list(before)


def test_unknown_fix_names_the_known_ones(tmp_path):
    session = sample_session(tmp_path)
    with pytest.raises(FixError, match="unknown fix 'sparkle'; known: to_jsonl, "):
        plan_fix(session, "sparkle")
    session.close()


def test_each_fix_names_the_registered_checks_it_resolves():
    import tunescope.targets  # noqa: F401 - declares the destinations' checks (together_extra_keys)
    from tunescope.checks import CHECKS

    known = set(CHECKS)
    assert "near_miss_format" in known and "secret_in_text" in known
    for declared in FIXES.values():
        assert declared.resolves, f"{declared.name}: which checks' findings does it remove?"
        assert set(declared.resolves) <= known, f"{declared.name}: {set(declared.resolves) - known}"
