"""QA: invalid JSON coming back from $EDITOR reopens the built-in editor at the problem."""

from __future__ import annotations

import sys

from tests.functional.app_helpers import app_for, ready, sample_copy, wait_for


async def test_invalid_json_from_the_external_editor_is_explained_in_the_editor(tmp_path, monkeypatch):
    """The reason was only in a toast drawn over the reopened editor, which showed no error
    and left the cursor at the top."""
    script = tmp_path / "editor.py"
    script.write_text("import sys\np = sys.argv[1]\ns = open(p).read()\nopen(p, 'w').write(s + '{bad\\n')\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    app = app_for(sample_copy(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("E")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "JsonEditorScreen", what="editor reopened")
        await pilot.pause(0.1)
        editor = app.screen
        assert editor.error.startswith("Not applied:") and "line" in editor.error
        bad_line = next(i for i, line in enumerate(editor.text_area.text.splitlines()) if line == "{bad")
        assert editor.text_area.cursor_location[0] == bad_line
        assert not screen.state.session.dirty
