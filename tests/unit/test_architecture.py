"""The layout's rules, enforced: import-linter contracts (.importlinter), no import cycle among tunescope
modules (imports inside functions included), no crowded folder, no long module, keys only in keymap.py."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "tunescope"


def modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC.parent).with_suffix("")
        name = ".".join(rel.parts)
        out[name[: -len(".__init__")] if name.endswith(".__init__") else name] = path
    return out


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """tunescope modules imported anywhere in the module, inside functions too."""
    found = set()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and _is_type_checking(block.test)
                 for stmt in block.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in type_only:             # `if TYPE_CHECKING:` imports never run: not an import edge
            continue
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name and t.startswith("tunescope."):
                found.add(t)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def test_import_linter_contracts_hold():
    exe = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(exe), "--config", str(ROOT / ".importlinter")], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]


# Function-level imports of tunescope modules allowed, each with its reason (Harlequin's rule).
# Key: (importing module, imported module).
_CLI_START = "keeps `tunescope --help` and the other subcommands from loading this (start-up time)"
ALLOWED_LATE_IMPORTS: dict[tuple[str, str], str] = {
    ("tunescope.commands.app", "tunescope.tui.app"): "Textual loads only when the app opens; " + _CLI_START,
    ("tunescope.commands.check", "tunescope.checks.run.runner"): _CLI_START,
    ("tunescope.commands.diff", "tunescope.checks.run.runner"): _CLI_START,
    ("tunescope.commands.diff", "tunescope.checks.version_diff"): _CLI_START,
    ("tunescope.tui.screens.dataset_versions", "tunescope.checks.version_diff"):
        "numpy (0.15 s) loads when two versions are compared, not when the app starts",
    ("tunescope.commands.diff", "tunescope.checks.version_diff_text"): _CLI_START,
    ("tunescope.commands.diff", "tunescope.tokens.encodings"): _CLI_START,
    ("tunescope.commands.cache", "tunescope.checks.run.cache"): _CLI_START,
    ("tunescope.commands.check", "tunescope.tokens.encodings"): _CLI_START,
    ("tunescope.commands.check", "tunescope.checks.report_text"): _CLI_START,
    ("tunescope.commands.check", "tunescope.commands.check_fixes"): "the fix registry (every fix module) loads only "
                                                                   "to write a report; " + _CLI_START,
    ("tunescope.commands.check", "tunescope.targets"): "targets load only for --target; " + _CLI_START,
    ("tunescope.commands.check", "tunescope.targets.checking"): "targets load only for --target; " + _CLI_START,
    ("tunescope.commands.serve", "tunescope.server.app"): "starlette/uvicorn load only for serve; " + _CLI_START,
    ("tunescope.commands.serve", "tunescope.server.embedded"): _CLI_START,
    ("tunescope.commands.serve", "tunescope.server.settings"): _CLI_START,
    ("tunescope.commands.serve", "tunescope.server.limits"): _CLI_START,
    ("tunescope.commands.serve", "tunescope.server.chat.service"): _CLI_START,
    ("tunescope.commands.check", "tunescope.commands.check_mask"):
        "the mask preview (train.render) loads only for check --tokenizer; " + _CLI_START,
    ("tunescope.tui.screens.mask_preview", "tunescope.train.mask_preview"):
        "the loss-mask view loads the trainer's render code (and transformers) in its worker only",
    ("tunescope.tui.screens.mask_preview", "tunescope.train.render"):
        "the loss-mask view loads the trainer's render code (and transformers) in its worker only",
    ("tunescope.commands.serve", "tunescope.train.wiring"): "the real trainer's modules load only for serve --trainer hf",
    ("tunescope.commands.serve", "tunescope.train.reward"): "the real trainer's grader check loads only for serve --trainer hf",
    ("tunescope.train.worker", "tunescope.train.callback"):
        "the callback subclasses transformers' TrainerCallback: it loads in the training process only",
    ("tunescope.providers.local", "tunescope.server.embedded"):
        "every `tunescope jobs` run loads all providers to build its flags; the server (0.2 s) only on connect",
    ("tunescope.commands.eval", "tunescope.eval.backend"): "openai loads only when an evaluation runs; " + _CLI_START,
    ("tunescope.commands.eval", "tunescope.eval.promptfoo"): _CLI_START,
    ("tunescope.commands.eval", "tunescope.eval.report"): _CLI_START,
    ("tunescope.commands.eval", "tunescope.eval.runner"): _CLI_START,
    ("tunescope.commands.eval", "tunescope.jobs.connection"): _CLI_START,
    ("tunescope.commands.eval", "tunescope.tokens.models"): _CLI_START,
    ("tunescope.jobs.upload", "tunescope.checks.run.runner"):
        "the pre-flight check loads the checker only when a file is uploaded, not for `jobs list`",
}


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles_counting_imports_inside_functions():
    graph = import_graph()
    # a package's __init__ importing its own submodules is not a cycle of meaning
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    assert cycles(graph) == []


def test_function_level_imports_of_tunescope_are_listed_with_a_reason():
    late = []
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tunescope") and node.level == 0:
                    target = node.module
                elif isinstance(node, ast.Import) and any(a.name.startswith("tunescope") for a in node.names):
                    target = node.names[0].name
                else:
                    continue
                if (name, target) not in ALLOWED_LATE_IMPORTS:
                    late.append(f"{name}:{node.lineno} imports {target} inside {fn.name}()")
    assert late == [], "list each with its reason in ALLOWED_LATE_IMPORTS, or import at the top:\n" + "\n".join(late)


def test_no_crowded_folder_and_no_long_module():
    per_dir: dict[Path, int] = defaultdict(int)
    long = []
    for path in SRC.rglob("*.py"):
        if path.name != "__init__.py":
            per_dir[path.parent] += 1
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > 420:
            long.append(f"{path.relative_to(SRC)}: {n} lines")
    crowded = [f"{d.relative_to(SRC)}: {n} modules" for d, n in per_dir.items() if n > 15]
    assert crowded == [] and long == []


def test_bindings_are_declared_only_in_the_keymap():
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                 if p.name != "keymap.py" and "Binding(" in p.read_text(encoding="utf-8")]
    assert offenders == []
