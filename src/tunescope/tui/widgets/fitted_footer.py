"""A footer that never cuts a key in half on a narrow terminal.

Textual's `Footer` lays every shown key out in one row and clips the rest, so
at 80 columns "q Quit" became "q Qu" and the keys after it vanished without a
trace. This footer measures first: when the keys do not fit it switches to the
compact style, then leaves out whole keys, least important first. Help and quit
always stay (help lists every key; ctrl+p runs any command).
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Footer
from textual.widgets._footer import FooterKey   # the key widget Footer draws; Textual exports no public name

KEEP = {"help", "quit_app"}                                  # actions that are always shown
DROP_FIRST = ("app.open_jobs", "app.start_job", "command_palette", "filter", "search")
PALETTE = "command_palette"


def key_width(key: str, description: str, compact: bool, palette: bool = False) -> int:
    """Cells one FooterKey takes (mirrors Footer's CSS: padding, margins, the palette's border)."""
    body = cell_len(key) + cell_len(description)
    if palette:                      # always drawn compact, after a one-cell border
        return body + 3
    return body + (2 if compact else 3)


def fit_keys(items: list[tuple[str, str, str]], width: int) -> tuple[bool, list[str]]:
    """(compact, actions to show) for `items` = [(action, key display, description)] in display order.

    Everything, roomy if it fits; else compact, dropping DROP_FIRST actions, then
    the rest from the end, never an action in KEEP.
    """
    def total(actions: list[str], compact: bool) -> int:
        return sum(key_width(key, text, compact, action == PALETTE)
                   for action, key, text in items if action in actions)

    shown = [action for action, _, _ in items]
    if total(shown, False) <= width:
        return False, shown
    order = [a for a in DROP_FIRST if a in shown]
    order += [a for a in reversed(shown) if a not in order and a not in KEEP]
    for action in order:
        if total(shown, True) <= width:
            break
        shown.remove(action)
    return True, shown


class FittedFooter(Footer):
    """Footer that shows whole keys only: compact when tight, fewer keys when tighter."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._fitted: tuple | None = None
        self.bindings_ready = False
        """True once the screen has published its bindings (until then there is nothing to lay out)."""

    def bindings_changed(self, screen) -> None:
        self.bindings_ready = True
        super().bindings_changed(screen)

    def _items(self) -> list[tuple[str, str, str, object, bool, str]]:
        """(action, key display, description, binding, enabled, tooltip) of every key to show."""
        active = self.screen.active_bindings
        seen: dict[str, tuple] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in seen:
                seen[binding.action] = (binding.action, self.app.get_key_display(binding), binding.description,
                                        binding, enabled, tooltip)
        items = list(seen.values())
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette = active.get(self.app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                _node, binding, enabled, tooltip = palette
                items.append((PALETTE, self.app.get_key_display(binding), binding.description, binding, enabled,
                              binding.tooltip or binding.description))
        return items

    def _fit(self) -> tuple[bool, list[str]]:
        width = self.size.width or self.app.size.width
        return fit_keys([(a, k, d) for a, k, d, *_ in self._items()], width)

    def compose(self):
        if not self.bindings_ready:
            return
        items = self._items()
        compact, shown = self._fit()
        self._fitted = (compact, tuple(shown))
        self.set_class(compact, "-compact")
        self.set_reactive(Footer.compact, compact)
        for action, key_display, description, binding, enabled, tooltip in items:
            if action not in shown:
                continue
            if action == PALETTE:
                yield FooterKey(binding.key, key_display, description, binding.action, disabled=not enabled,
                                tooltip=tooltip, classes="-command-palette")
            else:
                yield FooterKey(binding.key, key_display, description, binding.action, disabled=not enabled,
                                tooltip=tooltip or description).data_bind(compact=Footer.compact)

    def on_resize(self) -> None:
        if self.bindings_ready and self._fit() != self._fitted:
            self.call_after_refresh(self.recompose)
