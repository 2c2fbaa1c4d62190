"""core/ must stay pure Python: no textual or rich, directly or transitively."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import tunescope.core


def test_core_imports_no_textual_or_rich():
    names = [m.name for m in pkgutil.walk_packages(tunescope.core.__path__, "tunescope.core.")]
    assert "tunescope.core.lineindex" in names
    code = (
        "import importlib, sys\n"
        f"for n in {names!r}: importlib.import_module(n)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'textual_plotext'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core pulled in: {out.stdout.strip()}"


def test_core_source_has_no_ui_import():
    core = Path(tunescope.core.__file__).parent
    offenders = []
    for path in core.rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            s = line.strip()
            if s.startswith(("import textual", "from textual", "import rich", "from rich", "from tunescope.tui", "import tunescope.tui")):
                offenders.append(f"{path.name}: {s}")
    assert not offenders
