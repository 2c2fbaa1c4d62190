"""The dataset screen's file keys: save, save as, reload from disk, the changed-on-disk notice, quit.

Kept apart from the screen's composition so `screens/dataset.py` stays a
router. Every way out of a refused save is a key that works: `S` saves to
another path, `R` reads the file again (asking first when that drops edits),
and the quit prompt can save first. A timer compares the file's `stat` with
the one taken at open or save (`review/disk_watch.py`) and says once when
another program changed it.
"""

from __future__ import annotations

import os

from tunescope.review.disk_watch import DiskWatch
from tunescope.review.saving import Saved, SaveRefusal, sources_unreadable
from tunescope.tui.dialogs.confirm import ConfirmScreen
from tunescope.tui.dialogs.quit import SAVE, DISCARD, QuitScreen
from tunescope.tui.dialogs.save_as import SaveAsScreen
from tunescope.tui.messages import DatasetSaved, SaveRejected

WATCH_SECONDS = 2.0


class DatasetFileActions:
    """Mixed into `DatasetScreen` (which provides review, status_bar, show_outcome, app...)."""

    quit_after_save = False
    disk_watch: DiskWatch | None = None

    def watch_disk(self) -> None:
        """Start noticing changes to the open file (called once it is open)."""
        self.disk_watch = DiskWatch(self.path)
        self.set_interval(WATCH_SECONDS, self.poll_disk, name="tunescope-disk-watch")

    def poll_disk(self) -> None:
        """Timer: one `stat`; a notice the first time the file differs (never during our own save)."""
        watch = self.disk_watch
        if watch is None or self.review.saving or not watch.changed():
            return
        session = self.review.session
        dirty = session is not None and session.dirty
        save_as_works = session is None or sources_unreadable(list(session.segments)) is None
        self.notify(watch.notice_text(dirty, save_as_works), title="Changed on disk", severity="warning",
                    timeout=20)

    # -- saving -----------------------------------------------------------------------------------
    def action_save(self, path: str | None = None) -> None:
        self.show_outcome(self.review.save(path))

    def action_save_as(self, reason: str = "") -> None:
        if self.review.session is None:
            self.notify(self.review.unavailable_reason("save_as"))
            return
        self.app.push_screen(SaveAsScreen(self.review.save_as_default(), reason=reason),
                             lambda path: self.action_save(os.path.expanduser(path)) if path else None)

    def on_dataset_saved(self, event: DatasetSaved) -> None:
        outcome = self.review.saved(Saved(event.path, event.detail, event.index))
        self.path = self.review.session.path            # the session continues on the written file
        self.display_name = os.path.basename(self.path)
        if self.disk_watch is not None:
            self.disk_watch.rearm(self.path)
        self.status_bar.set(phase="", file=self.display_name, lines=len(self.state.index))
        self.show_outcome(outcome)
        if self.quit_after_save:
            self._quit()

    def on_save_rejected(self, event: SaveRejected) -> None:
        self.quit_after_save = False
        self.status_bar.set(phase="")
        refusal = SaveRefusal(event.reason, event.changed_on_disk, event.path, event.save_as_blocked,
                              event.read_only)
        self.show_outcome(self.review.save_refused(refusal))

    # -- reloading --------------------------------------------------------------------------------
    def action_reload(self) -> None:
        """Read the file again from disk; asks first when that drops unsaved edits."""
        session = self.review.session
        if session is not None and session.dirty:
            self.app.push_screen(ConfirmScreen(f"Reload {self.display_name} from disk and drop your unsaved "
                                               "edits? (S saves them to another file first)", danger=True,
                                               yes_label="Reload"),
                                 lambda yes: self._reload() if yes else None)
        else:
            self._reload()

    def _reload(self) -> None:
        self.stop_background_work()
        self.app.reload_dataset(self.path)

    # -- quitting ---------------------------------------------------------------------------------
    def request_quit(self) -> None:
        if self.review.session is not None and self.review.session.dirty:
            self.app.push_screen(QuitScreen("You have unsaved edits. Save them before quitting?"),
                                 self._quit_answered)
        else:
            self._quit()

    def _quit_answered(self, answer: str | None) -> None:
        if answer == DISCARD:
            self._quit()
        elif answer == SAVE:
            self.quit_after_save = True
            self.action_save()

    def _quit(self) -> None:
        self.stop_background_work()
        self.app.exit()
