"""`V` on the dataset screen: compare the open file with another version of it (checks/version_diff.py).

A mixin of DatasetScreen. Both versions are checked in a daemon thread through the result cache (the open
file's results are usually there already); the outcome arrives as `VersionsCompared` and opens
VersionDiffScreen. Handlers go by name (`on_versions_compared`): Textual's `@on` registers only in classes
built by its message-pump type.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tunescope.tui.dialogs.version_path import OtherVersionScreen
from tunescope.tui.screens.version_diff import VersionDiffScreen
from tunescope.tui.workers import describe_error, start_daemon


@dataclass
class VersionsCompared(Message):
    """The diff of `old` against the open file (`VersionDiff.to_dict()`), or why there is none."""

    old: str
    diff: dict | None = None
    error: str | None = None


def compare_versions(old: str, new: str, options, post) -> None:
    """Check both versions and diff them (in a daemon thread); posts VersionsCompared."""
    from tunescope.checks.version_diff import diff_versions, load_version   # numpy: not at the app's start

    try:
        diff = diff_versions(load_version(old, options), load_version(new, options), options).to_dict()
    except Exception as exc:  # noqa: BLE001 - an unreadable file or encoding: said in a notice, never a traceback
        post(VersionsCompared(old, error=describe_error(exc)))
        return
    post(VersionsCompared(old, diff=diff))


class VersionsKey:
    """Mixed into `DatasetScreen` (which provides path, state, options, app, notify, post_message)."""

    comparing: str | None = None

    def action_compare_version(self) -> None:
        if not self.path:
            self.notify("Open a file to compare: the bundled sample has no other version.", severity="warning")
            return
        if self.comparing:
            self.notify(f"Still comparing with {self.comparing}; it opens when done.")
            return
        session = getattr(self.state, "session", None)
        unsaved = bool(session is not None and session.dirty)
        self.app.push_screen(OtherVersionScreen(self.path, unsaved), self._compare_with)

    def _compare_with(self, other: str | None) -> None:
        if not other:
            return
        self.comparing = other
        self.notify(f"Comparing with {other}: both are checked (cached results make it quick)…", timeout=4)
        start_daemon(compare_versions, other, self.path, self.options, self.post_message, name="tunescope-versions")

    def on_versions_compared(self, event: VersionsCompared) -> None:
        self.comparing = None
        if event.error:
            self.notify(event.error, title=f"Could not compare with {event.old}", severity="error", timeout=12)
            return
        self.app.push_screen(VersionDiffScreen(event.diff))
