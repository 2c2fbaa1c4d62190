"""docs/checks.md is generated from the registry (scripts/gen_checks_doc.py) and must not go stale."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tunescope.checks import CHECKS

ROOT = Path(__file__).resolve().parents[3]


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_checks_doc", ROOT / "scripts" / "gen_checks_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_checks_md_is_up_to_date():
    gen = load_generator()
    committed = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    assert committed == gen.render(), f"docs/checks.md is stale: run `{gen.COMMAND}` and commit the result"


def test_every_check_has_a_row():
    text = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    for cid in CHECKS:
        assert f"| `{cid}` |" in text, cid
