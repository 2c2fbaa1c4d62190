"""Keys are data: every binding is in tui/keymap.py, once, with an `area.action` id, and remappable."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import Counter
from pathlib import Path

from textual.dom import DOMNode

import tunescope.tui
from tunescope.tui import keymap

SRC = Path(tunescope.tui.__file__).resolve().parents[1]
ID = re.compile(r"^[a-z_]+\.[a-z_]+$")


def test_every_binding_has_a_unique_area_action_id():
    ids = [b.id for b in keymap.all_bindings()]
    assert all(ids), "a binding without an id cannot be remapped"
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    for area, bindings in keymap.AREAS.items():
        for binding in bindings:
            assert ID.match(binding.id), binding.id
            assert binding.id.split(".")[0] == area, f"{binding.id} is listed under {area!r}"
            assert binding.description and binding.tooltip, binding.id


def test_no_key_is_bound_twice_in_one_area():
    for area, bindings in keymap.AREAS.items():
        keys = Counter(key.strip() for b in bindings for key in b.key.split(","))
        assert [k for k, n in keys.items() if n > 1] == [], area


def test_binding_is_constructed_only_in_keymap():
    offenders = [str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
                 if path.name != "keymap.py" and "Binding(" in path.read_text(encoding="utf-8")]
    assert offenders == []


def test_every_tui_class_takes_its_bindings_from_keymap():
    """No BINDINGS list holds a key that keymap.py does not declare (a tuple of strings, an edited copy...)."""
    for module in pkgutil.walk_packages(tunescope.tui.__path__, "tunescope.tui."):
        importlib.import_module(module.name)
    known = keymap.all_bindings()
    pending, classes = [DOMNode], []
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("tunescope.") and cls.__dict__.get("BINDINGS"):
            classes.append(cls)
    assert {c.__name__ for c in classes} >= {"ConfirmScreen", "HelpScreen", "JsonEditorScreen", "FindingsList",
                                             "StatsPane", "SearchScreen", "StartJobScreen", "TunescopeApp"}
    for cls in classes:
        assert all(b in known for b in cls.__dict__["BINDINGS"]), cls.__name__


def test_user_keymap_accepts_every_id_including_dialogs_and_panes():
    overrides = {"confirm.yes": "o", "editor.apply": "ctrl+o", "help.close": "x", "findings.toggle": "t",
                 "stats.model": "M", "start_job.start": "ctrl+g", "dataset.back": "backspace"}
    valid, problems = keymap.user_keymap({**overrides, "confirm.maybe": "m", "dataset.delete": ""})
    assert valid == overrides
    assert problems == ["keymap: unknown binding id 'confirm.maybe'",
                        "keymap: 'dataset.delete' needs a key string such as \"D\" or \"ctrl+d\""]


def test_a_remap_onto_a_taken_key_is_refused_with_a_message():
    """Issue 9: `"dataset.delete" = "j"` silently lost either delete or the list's down key."""
    valid, problems = keymap.user_keymap({"dataset.delete": "j", "app.help": "d", "dataset.copy": "Y"})
    assert valid == {"dataset.copy": "Y"}
    assert any(p.startswith("keymap: dataset.delete = 'j' ignored: j already does list.down") for p in problems)
    assert any(p.startswith("keymap: app.help = 'd' ignored: d already does dataset.delete") for p in problems)


def test_swapping_two_keys_is_allowed_and_dialog_keys_do_not_collide_with_the_screen():
    swap = {"dataset.delete": "s", "dataset.sort": "D"}
    assert keymap.user_keymap(swap) == (swap, [])
    assert keymap.user_keymap({"confirm.yes": "d"}) == ({"confirm.yes": "d"}, [])
