"""The check registry: declarations, their vocabulary (areas, tags), and what `tunescope.checks` registers."""

from __future__ import annotations

import re

import pytest

from tunescope.checks import AREAS, CHECKS, TAGS, by_area, by_tag
from tunescope.checks import registry
from tunescope.checks.registry import E, W, check


@pytest.fixture
def empty_registry(monkeypatch):
    monkeypatch.setattr(registry, "CHECKS", {})
    return registry


def test_check_declares_once_and_rejects_duplicates_unknown_areas_and_tags(empty_registry):
    one = check("some_check", E, "weight", "Some check", "Something is wrong (W01).", ref="W01", tags=("tools",))
    assert empty_registry.CHECKS == {"some_check": one}
    assert one.tags == frozenset({"tools"}) and one.ref == "W01"
    with pytest.raises(ValueError, match="declared twice"):
        check("some_check", W, "weight", "Again", "Again.")
    with pytest.raises(ValueError, match="unknown area"):
        check("other_check", W, "nowhere", "Other", "Other.")
    with pytest.raises(ValueError, match="unknown tag"):
        check("other_check", W, "weight", "Other", "Other.", tags=("duplicate",))
    assert list(empty_registry.CHECKS) == ["some_check"]


def test_to_dict_has_every_field():
    d = CHECKS["image_too_large"].to_dict()
    assert d == {"id": "image_too_large", "severity": "error", "area": "vision", "title": "Image over 10 MB",
                 "description": "Each image can be at most 10 MB (V07).", "reference": "V07", "tags": ["images"]}


def test_by_area_follows_areas_and_holds_every_check():
    groups = by_area()
    assert list(groups) == [a for a in AREAS if a in groups]
    assert sum(len(v) for v in groups.values()) == len(CHECKS)
    assert all(c.area == area for area, checks in groups.items() for c in checks)


def test_in_area_order_is_declaration_order_across_modules():
    """checks/__init__.py imports the rule modules in an order that keeps these as the catalogue listed them."""
    ids = {area: [c.id for c in checks] for area, checks in by_area().items()}
    assert ids["schema"][-1] == "near_miss_format"                      # nearmiss.py after schema.py
    assert ids["roles"][-1] == "consecutive_user_messages"
    assert ids["reinforcement"] == ["rft_last_message_not_user", "rft_grader_key_name"]
    assert ids["internal"] == ["internal_error", "tokenizer_failure"]


def test_references_are_the_validation_ids_the_description_cites():
    for c in CHECKS.values():
        if c.area == "dataset":        # declared by the dataset collectors
            continue
        assert c.ref == "/".join(re.findall(r"\b[A-Z]\d\d\b", c.description)), c.id


def test_tags_are_declared_groups_not_id_substrings():
    for tag in TAGS:
        assert TAGS[tag] and tag == tag.lower()
    assert by_tag("tools") >= {c.id for c in CHECKS.values() if c.area == "tools"}
    tool_ids = {"duplicate_tool_call_id", "duplicate_tool_name", "duplicate_tool_response"}
    assert not by_tag("duplicates") & tool_ids               # tool checks, not duplicate examples
    assert by_tag("tokens") >= {"over_token_limit", "no_trained_tokens"}
    assert "image_too_large" in by_tag("images") and "invalid_utf8" in by_tag("encoding")
    assert by_tag("no such tag") == frozenset()
