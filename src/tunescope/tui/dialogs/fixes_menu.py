"""Bulk fixes menu: pick a fix after seeing how many lines it would change.

Previews can scan the whole file, so they run in a thread worker, one at a
time (the session is shared), newest highlight first; results are cached for
the life of the menu so moving back and forth is instant.
"""

from __future__ import annotations

from typing import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option

from tunescope.tui import keymap


class FixesMenu(ModalScreen[str | None]):
    """List bulk fixes with a live preview count; enter applies (dismisses with the name)."""

    BINDINGS = keymap.FIXES_BINDINGS

    DEFAULT_CSS = """
    FixesMenu {
        align: center middle;
        background: $background 60%;
        & > #fixes-dialog {
            width: 76;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            padding: 0 1;
            background: $surface;
            border: thick $primary;
            border-title-color: $text;
            border-title-style: bold;
        }
        & #fixes-list { height: auto; max-height: 10; border: none; padding: 0; }
        & #fixes-description { height: auto; margin-top: 1; }
        & #fixes-preview-row { height: 1; margin-top: 1; }
        & #fixes-preview { width: 1fr; text-style: bold; }
        & #fixes-spinner { width: 8; height: 1; display: none; }
        & #fixes-spinner.-busy { display: block; }
        & #fixes-keys { color: $text-muted; margin-top: 1; }
        & ToastHolder { display: none; }   /* toasts would cover the menu; they show again after it */
    }
    """

    class _Previewed(Message):
        def __init__(self, name: str, count: int | None, error: str | None) -> None:
            super().__init__()
            self.name = name
            self.count = count
            self.error = error

    def __init__(self, fixes: list[tuple[str, str, str]], preview: Callable[[str], int | str],
                 initial: str | None = None) -> None:
        super().__init__()
        self.fixes = list(fixes)
        self.preview = preview
        self.initial = initial          # the fix to highlight first (chosen in the command palette)
        self.counts: dict[str, int] = {}
        self.errors: dict[str, str] = {}
        self._preview_wanted: str | None = None
        self._preview_running: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="fixes-dialog") as dialog:
            dialog.border_title = "Bulk fixes (one undo step each)"
            yield OptionList(*[Option(Content(title), id=name) for name, title, _ in self.fixes], id="fixes-list")
            yield Static("", id="fixes-description", markup=False)
            with Horizontal(id="fixes-preview-row"):
                yield LoadingIndicator(id="fixes-spinner")
                yield Static("", id="fixes-preview")
            yield Static("enter apply · j/k move · esc cancel · u undoes a fix afterwards",
                         id="fixes-keys", markup=False)

    def on_mount(self) -> None:
        option_list = self.query_one("#fixes-list", OptionList)
        option_list.focus()
        if self.fixes:
            names = [name for name, _, _ in self.fixes]
            option_list.highlighted = names.index(self.initial) if self.initial in names else 0
        else:
            self.query_one("#fixes-description", Static).update("No bulk fixes are available for this file.")

    @property
    def highlighted_name(self) -> str | None:
        index = self.query_one("#fixes-list", OptionList).highlighted
        return self.fixes[index][0] if index is not None and index < len(self.fixes) else None

    @property
    def preview_text(self) -> str:
        return str(self.query_one("#fixes-preview", Static).render())

    # -- preview -------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#fixes-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        name, _title, description = self.fixes[event.option_index]
        self.query_one("#fixes-description", Static).update(description)
        self._show(name)
        if name not in self.counts and name not in self.errors:
            self._preview_wanted = name
            self._start_next()

    def _show(self, name: str) -> None:
        spinner = self.query_one("#fixes-spinner", LoadingIndicator)
        label = self.query_one("#fixes-preview", Static)
        busy = name not in self.counts and name not in self.errors
        spinner.set_class(busy, "-busy")
        if busy:
            label.update(Content.from_markup("[$text-muted]counting the lines it would change…[/]"))
        elif name in self.errors:
            label.update(Content.from_markup("[$text-warning]▲ $error[/]", error=self.errors[name]))
        elif isinstance(self.counts[name], str):     # an entry that writes files says what it writes
            label.update(Content.from_markup("[$text-success]$text[/]", text=self.counts[name]))
        else:
            count = self.counts[name]
            if count == 0:
                label.update(Content.from_markup("[$text-muted]nothing to change: no line needs this fix[/]"))
            else:
                label.update(Content.from_markup("[$text-success]would change $n[/]",
                                                 n=f"{count:,} line{'s' if count != 1 else ''}"))

    def _start_next(self) -> None:
        if self._preview_running is not None or self._preview_wanted is None:
            return
        name, self._preview_wanted = self._preview_wanted, None
        if name in self.counts or name in self.errors:
            return
        self._preview_running = name
        self._run_preview(name)

    @work(thread=True, group="fix-preview", exit_on_error=False, description="preview a bulk fix")
    def _run_preview(self, name: str) -> None:
        try:
            answer = self.preview(name)
            count, error = (answer if isinstance(answer, str) else int(answer)), None
        except Exception as exc:  # shown in the menu, never a traceback
            count, error = None, str(exc) or type(exc).__name__
        self.post_message(self._Previewed(name, count, error))

    @on(_Previewed)
    def _previewed(self, event: _Previewed) -> None:
        event.stop()
        self._preview_running = None
        if event.error is not None:
            self.errors[event.name] = event.error
        else:
            self.counts[event.name] = event.count or 0
        if event.name == self.highlighted_name:
            self._show(event.name)
        self._start_next()

    # -- actions -------------------------------------------------------------

    @on(OptionList.OptionSelected, "#fixes-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        name = self.fixes[event.option_index][0]
        if self.counts.get(name) == 0 or name in self.errors:
            self.app.bell()
            self._show(name)
            return
        self.dismiss(name)

    def action_cursor_down(self) -> None:
        self.query_one("#fixes-list", OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#fixes-list", OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
