"""Help built from the live bindings, so it can never drift from what the keys do.

At open time it reads the screen underneath: its `active_bindings` (the keys of
the focused widget, its ancestors and the app: what each key does right now,
remaps and `check_action` included), then the keys the other panes on that
screen declare (their `BINDINGS`, which come from keymap.py). Widgets describe
themselves with optional class attributes `HELP` (a one-paragraph blurb) and
`HELP_TITLE`. Public Textual API only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static

from tunescope.tui import keymap


@dataclass
class HelpRow:
    keys: list[str]
    description: str
    binding_id: str
    enabled: bool = True


@dataclass
class HelpSection:
    title: str
    blurb: str
    rows: list[HelpRow] = field(default_factory=list)


def section_title(node: DOMNode) -> str:
    """HELP_TITLE, or the class name split into words ("ExampleList" -> "Example list")."""
    if isinstance(node, App):
        return "Everywhere"
    title = getattr(node, "HELP_TITLE", None)
    if title:
        return str(title)
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", type(node).__name__).split()
    return " ".join([words[0]] + [w.lower() for w in words[1:]]) if words else type(node).__name__


def _add(rows: dict[tuple, HelpRow], key_display: str, binding: Binding, enabled: bool) -> None:
    """Merge keys bound to the same action into one row ("j ↓  Down")."""
    ident = (binding.action, binding.description)
    row = rows.get(ident)
    if row is None:
        rows[ident] = HelpRow([key_display], binding.description or binding.action, binding.id or "", enabled)
    elif key_display not in row.keys:
        row.keys.append(key_display)


def declared_bindings(widget_type: type[DOMNode]) -> list[Binding]:
    """The keys a widget of this class answers when focused: the `BINDINGS` declared on it and its bases,
    a subclass's key replacing its base's (as Textual merges them). Read from the class attributes, the
    public API: Textual exposes the live bindings only for the focused chain (`active_bindings`)."""
    keys: dict[str, list[Binding]] = {}
    for cls in reversed(widget_type.__mro__):
        declared = cls.__dict__.get("BINDINGS")
        if declared:
            keys.update(BindingsMap(declared).key_to_bindings)
    return [binding for bindings in keys.values() for binding in bindings]


def collect_sections(app: App, screen: Screen) -> list[HelpSection]:
    """Sections for the focused chain (live, with check_action applied), then other panes."""
    per_node: dict[DOMNode, dict[tuple, HelpRow]] = {}
    for active in screen.active_bindings.values():
        rows = per_node.setdefault(active.node, {})
        _add(rows, app.get_key_display(active.binding), active.binding, bool(active.enabled))

    focused = screen.focused
    chain: list[DOMNode] = list(focused.ancestors_with_self) if focused is not None else [screen, app]
    sections: list[HelpSection] = []
    for node in chain:
        rows = per_node.get(node, {})
        blurb = str(getattr(node, "HELP", "") or "")
        if not rows and blurb and sections and not sections[-1].blurb:
            # a pane whose keys live on its inner widget (e.g. a list inside a container)
            sections[-1].title, sections[-1].blurb = section_title(node), blurb
        elif rows or blurb:
            sections.append(HelpSection(section_title(node), blurb, list(rows.values())))

    for widget, bindings in other_panes(screen, set(chain)):
        rows: dict[tuple, HelpRow] = {}
        for binding in bindings:
            _add(rows, app.get_key_display(binding), binding, True)
        title = f"{section_title(widget)} (when focused)"
        sections.append(HelpSection(title, str(widget.HELP), list(rows.values())))
    return sections


def other_panes(screen: Screen, skip: set) -> list[tuple[Widget, list[Binding]]]:
    """The panes of `screen` outside `skip` that describe themselves (`HELP`), with their keys; hidden
    ones too (at 80 columns the viewer and stats are one tab away, and their keys still exist)."""
    return [(widget, declared_bindings(type(widget))) for widget in screen.query(Widget)
            if widget not in skip and getattr(type(widget), "HELP", None)]


def pane_bindings(screen: Screen) -> list[tuple[Widget, Binding]]:
    """(pane, binding) for every key the panes of `screen` answer when focused (for the palette)."""
    return [(widget, binding) for widget, bindings in other_panes(screen, set()) for binding in bindings]


def render_section(section: HelpSection) -> Content:
    """Aligned key / description / id columns; the app's own keys (with ids) first, unavailable ones dimmed."""
    key_w = min(16, max((len(" ".join(r.keys)) for r in section.rows), default=4))
    desc_w = min(36, max((len(r.description) + (0 if r.enabled else 18) for r in section.rows), default=8))
    lines: list[Content] = []
    if section.blurb:
        lines.append(Content.from_markup("[$text-muted]$blurb[/]", blurb=section.blurb))
    for row in sorted(section.rows, key=lambda r: not r.binding_id):
        keys = " ".join(row.keys)
        description = row.description + ("" if row.enabled else " (unavailable now)")
        line = Content.assemble((f"{keys:>{key_w}}", "bold $text-accent" if row.enabled else "dim"), "  ",
                                (description, "" if row.enabled else "dim"))
        if row.binding_id:
            line += Content.assemble(" " * max(2, desc_w - len(description) + 2), (row.binding_id, "dim"))
        lines.append(line)
    if not section.rows and not section.blurb:
        lines.append(Content("(no keys)"))
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """Keys of the focused pane, its parents and the app, read live; escape, q or ? closes."""

    BINDINGS = keymap.HELP_BINDINGS

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        background: $background 60%;
        & > #help-dialog {
            width: 100;
            max-width: 100%;
            height: 100%;
            max-height: 40;
            background: $surface;
            border: thick $primary;
            border-title-color: $text;
            border-title-style: bold;
            border-subtitle-color: $text-muted;
        }
        & #help-body { height: 1fr; padding: 0 1; }
        & .help-heading {
            margin-top: 1;
            background: $panel;
            color: $text;
            text-style: bold;
            padding: 0 1;
        }
        & .help-section { padding: 0 1; }
    }
    """

    def __init__(self, source: Screen | None = None) -> None:
        super().__init__()
        self._source = source
        self.sections: list[HelpSection] = []

    def _source_screen(self) -> Screen:
        if self._source is not None:
            return self._source
        for screen in reversed(self.app.screen_stack):
            if screen is not self:
                return screen
        return self.app.screen

    def compose(self) -> ComposeResult:
        source = self._source_screen()
        self.sections = collect_sections(self.app, source)
        focused = source.focused
        with Vertical(id="help-dialog") as dialog:
            here = self.sections[0].title if focused is not None and self.sections else ""
            dialog.border_title = "Keys" + (f" · focus: {here}" if here else "")
            dialog.border_subtitle = "esc / q / ? close · j/k scroll · ctrl+p all commands"
            with VerticalScroll(id="help-body"):
                for section in self.sections:
                    yield Static(section.title, classes="help-heading", markup=False)
                    yield Static(render_section(section), classes="help-section")

    def on_mount(self) -> None:
        self.query_one("#help-body", VerticalScroll).focus()

    @property
    def text(self) -> str:
        """Everything the help shows, as plain text (for tests and copy)."""
        parts = []
        for section in self.sections:
            parts.append(section.title)
            parts.append(render_section(section).plain)
        return "\n".join(parts)

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        body.scroll_relative(y=1 if direction == "down" else -1, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
