"""The headless half must stay pure Python: no textual or rich, directly or transitively
(Harlequin's subprocess test; the import-linter contracts in test_architecture.py say the same statically)."""

import pkgutil
import subprocess
import sys


HEADLESS = ("config", "dataset", "tokens", "checks", "editing", "targets", "review", "jobs", "providers", "server")


def headless_modules() -> list[str]:
    names = []
    for pkg in HEADLESS:
        names.append(f"tunescope.{pkg}")
        mod = __import__(f"tunescope.{pkg}", fromlist=["_"])
        if hasattr(mod, "__path__"):
            names += [m.name for m in pkgutil.walk_packages(mod.__path__, f"tunescope.{pkg}.")]
    return names


def test_headless_packages_import_no_textual_or_rich():
    names = headless_modules()
    assert "tunescope.dataset.index" in names and "tunescope.review.state" in names
    code = (
        "import importlib, sys\n"
        f"for n in {names!r}: importlib.import_module(n)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'textual_plotext'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"the headless packages pulled in: {out.stdout.strip()}"
