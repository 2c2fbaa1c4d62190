"""Issue 9: an edited line keeps the file's JSON style (separators, escaping, key order)."""

from __future__ import annotations

import json

from tunescope.editing.session import EditSession

ROW = {"messages": [{"role": "user", "content": "héllo"}, {"role": "assistant", "content": "hi", "weight": 1}],
       "zeta": 1, "alpha": [1, 2]}


def session_of(tmp_path, line: str) -> EditSession:
    path = tmp_path / "d.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    return EditSession.open(path)


def test_python_default_style_is_kept_on_edit_and_weight_toggle(tmp_path):
    session = session_of(tmp_path, json.dumps(ROW))                       # ", " and ": ", \u escapes
    edited = dict(ROW, zeta=2)
    session.replace_text(0, json.dumps(edited, indent=2, ensure_ascii=False))
    assert session.get(0) == json.dumps(edited).encode()
    session.set_weight(0, 1, True)
    edited["messages"][1]["weight"] = 0
    assert session.get(0) == json.dumps(edited).encode()


def test_compact_utf8_style_stays_compact(tmp_path):
    session = session_of(tmp_path, json.dumps(ROW, separators=(",", ":"), ensure_ascii=False))
    session.replace_text(0, json.dumps(dict(ROW, zeta=3), indent=4))
    assert session.get(0) == json.dumps(dict(ROW, zeta=3), separators=(",", ":"), ensure_ascii=False).encode()
    assert list(json.loads(session.get(0))) == ["messages", "zeta", "alpha"]      # key order kept
