"""The app's global actions: help, quit, and the command palette built from the live bindings.

A mixin of `TunescopeApp` (kept apart so app.py stays about composition and navigation): the palette
lists Textual's own commands less its Quit (ours asks about unsaved edits), then every key of the
screen, its focused pane and its other panes, so nothing is hidden by where focus happens to be, then
each bulk fix by its name.
"""

from __future__ import annotations

from functools import partial
from typing import Iterable

from textual.app import SystemCommand
from textual.screen import Screen

from tunescope.tui.dialogs.help import HelpScreen, pane_bindings, section_title
from tunescope.tui.literal import literal


class AppCommands:
    """Help, quit and palette actions; `self` is the running `TunescopeApp`."""

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_quit_app(self) -> None:
        screen = self.dataset_screen
        if screen is not None and self.screen is screen:
            screen.request_quit()
        elif screen is not None:
            self.pop_screen()
        else:
            self.exit()

    async def action_quit(self) -> None:
        screen = self.dataset_screen
        if screen is not None:
            screen.request_quit()
        else:
            self.exit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's commands (less its own Quit: ours asks about unsaved edits), then every key of the
        screen, its focused pane and its other panes (the palette runs them once it has closed)."""
        yield from (command for command in super().get_system_commands(screen) if command.title != "Quit")
        seen = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.id or binding.id in seen:
                continue
            seen.add(binding.id)
            help_text = binding.tooltip or binding.description
            if not active.enabled:
                help_text += " (not available right now)"
            yield self._command(binding, help_text, active.node)
        for widget, binding in pane_bindings(screen):
            if binding.id and binding.id not in seen:
                seen.add(binding.id)
                where = section_title(widget).lower()
                yield self._command(binding, f"{binding.tooltip or binding.description} (in the {where})", widget)
        yield from self._fix_commands(screen)

    def _fix_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Each bulk fix by name ("redact", "near-duplicates"), opening the fixes menu on it with its preview
        count: a fix is one key and a menu away, and the palette is where people search."""
        review = getattr(screen, "review", None)
        if review is None or getattr(screen, "state", None) is None or not hasattr(screen, "action_fixes"):
            return
        for name, title, description in review.fix_entries():
            yield SystemCommand(f"Fix: {title}", literal(description), partial(self.call_later, screen.action_fixes, name))

    def _command(self, binding, help_text: str, node) -> SystemCommand:
        key = binding.key_display or binding.key.split(",")[0]
        return SystemCommand(f"{binding.description} ({key})", literal(help_text),
                             partial(self.call_later, self.run_action, binding.action, node))
