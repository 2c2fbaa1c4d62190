"""Every bulk fix, declared once beside its plan function; the TUI menu, `tunescope fix` and
`EditSession.apply_fix` all read this registry instead of keeping their own lists.

How the registry fills: each fix module declares its fixes with `fix(...)` right after their
plan functions (`DEDUPE = fix("dedupe", fix_dedupe, ...)`), and `tunescope.editing.fixes`
(the package's `__init__`) imports every fix module. Python runs a package's `__init__`
before any of its submodules, so whoever imports this module finds `FIXES` complete.
This way round (modules register themselves) keeps the imports one-way: a fix module imports
`plan`, `rows` and this module; this module imports `plan` only, never a fix. It is the
layout of `checks/registry.py`, and adding a fix touches only the module that holds it.

Split (`split.py`) is not a fix: it writes two new files and leaves the rows alone.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

from tunescope.editing.fixes.plan import FixError, FixPlan

__all__ = ["FIXES", "Fix", "Option", "fix", "in_menu_order", "menu_entries", "plan_fix", "ranked_fixes",
           "fix_for_check"]


@dataclass(frozen=True, slots=True)
class Option:
    """A parameter of a plan function that `tunescope fix` offers as its own flag."""

    flag: str                       # "--system"
    param: str                      # the plan function's keyword argument it fills
    help: str
    metavar: str | None = None
    type: Callable | None = None    # converts the flag's value (int for --limit)
    switch: bool = False            # a flag without a value (True when given)

    def argparse_kwargs(self) -> dict:
        if self.switch:
            return {"dest": self.param, "action": "store_true", "help": self.help}
        extra = {k: v for k, v in (("type", self.type), ("metavar", self.metavar)) if v is not None}
        return {"dest": self.param, "default": None, **extra, "help": self.help}


@dataclass(frozen=True, slots=True)
class Fix:
    """One bulk fix: what each front end shows for it, and the function that plans it."""

    name: str                       # stable id: EditSession.apply_fix(name), FixReport.fix
    label: str                      # title in the TUI's fixes menu
    description: str                # the menu's line under the title
    cli_flag: str                   # `tunescope fix` flag that selects it
    cli_help: str                   # that flag's --help text
    order: int                      # when several run together, lower runs first (`tunescope fix`)
    menu: int                       # position in the TUI menu, lower first (most used fixes on top)
    needs_model: bool               # the plan takes `model=` (token limits): front ends pass theirs
    plan: Callable[..., FixPlan]    # (session, **params) -> FixPlan; reads rows, changes nothing
    options: tuple[Option, ...] = ()    # parameters with their own flags in `tunescope fix`
    exclusive: str = ""             # fixes sharing this group exclude each other on the command line
    resolves: tuple[str, ...] = ()  # ids of the checks whose findings it removes: the fix to offer first


# name -> Fix, always in application order (`Fix.order`)
FIXES: dict[str, Fix] = {}


def fix(name: str, plan: Callable[..., FixPlan], *, label: str, description: str, cli_flag: str,
        cli_help: str, order: int, menu: int, needs_model: bool = False, options: tuple[Option, ...] = (),
        exclusive: str = "", resolves: tuple[str, ...] = ()) -> Fix:
    """Declare a fix; raises ValueError when its name, flag, order or menu position is taken,
    or when an option flag is declared twice with different meanings."""
    declared = Fix(name, label, description, cli_flag, cli_help, order, menu, needs_model, plan, options, exclusive,
                   resolves)
    for other in FIXES.values():
        for attr in ("name", "cli_flag", "order", "menu"):
            if getattr(other, attr) == getattr(declared, attr):
                raise ValueError(f"fix {name!r}: {attr} {getattr(declared, attr)!r} is already {other.name!r}'s")
        for mine in options:
            for theirs in other.options:
                if mine.flag == theirs.flag and mine != theirs:
                    raise ValueError(f"fix {name!r}: option {mine.flag} differs from {other.name!r}'s")
    ordered = sorted([*FIXES.values(), declared], key=lambda f: f.order)
    FIXES.clear()
    FIXES.update((f.name, f) for f in ordered)
    return declared


def in_menu_order() -> list[Fix]:
    """The fixes as the TUI menu lists them."""
    return sorted(FIXES.values(), key=lambda f: f.menu)


def menu_entries() -> list[tuple[str, str, str]]:
    """(name, label, description) per fix in menu order: what `FixesMenu` takes."""
    return [(f.name, f.label, f.description) for f in in_menu_order()]


def fix_for_check(check: str) -> Fix | None:
    """The first fix in menu order that removes findings of `check` (None when no fix does)."""
    return next((f for f in in_menu_order() if check in f.resolves), None)


def ranked_fixes(report) -> list[tuple[Fix, int, int]]:
    """(fix, errors, findings) for each fix that removes some of `report`'s findings (a CheckReport:
    those listed and those only counted), most errors first, then most warnings (redacting 4 e-mail
    addresses before stripping 20 infos' whitespace), then most findings, then menu order; of fixes
    that exclude each other, the first. What the TUI's menu opens on and `check` suggests."""
    by_check: dict[str, list[int]] = {}      # check -> [errors, warnings, findings]

    def count(check: str, severity, n: int) -> None:
        counts = by_check.setdefault(check, [0, 0, 0])
        level = getattr(severity, "value", severity)
        counts[0] += n if level == "error" else 0
        counts[1] += n if level == "warning" else 0
        counts[2] += n

    for finding in report.findings:
        count(finding.check, finding.severity, 1)
    for (check, severity), n in getattr(report, "omitted", {}).items():
        count(check, severity, n)
    scored = []
    for f in in_menu_order():
        score = [sum(by_check.get(c, (0, 0, 0))[k] for c in f.resolves) for k in range(3)]
        if score[2]:
            scored.append((f, *score))
    scored.sort(key=lambda entry: (-entry[1], -entry[2], -entry[3]))     # stable: menu order breaks ties
    taken: set[str] = set()
    out = []
    for f, errors, _warnings, total in scored:
        if not f.exclusive or f.exclusive not in taken:
            taken.add(f.exclusive)
            out.append((f, errors, total))
    return out


def plan_fix(session, name: str, **params) -> FixPlan:
    """Plan fix `name` on `session` with `params`; FixError for an unknown fix or parameter."""
    declared = FIXES.get(name)
    if declared is None:
        raise FixError(f"unknown fix {name!r}; known: {', '.join(FIXES)}")
    try:
        inspect.signature(declared.plan).bind(session, **params)
    except TypeError as exc:
        raise FixError(f"fix {name}: {exc}") from None
    return declared.plan(session, **params)
