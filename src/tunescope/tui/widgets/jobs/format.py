"""Text helpers shared by the jobs widgets: times, statuses, numbers, ids.

Every wall-clock time on the jobs screens goes through `clock`, so snapshot
tests can pin it (the server stamps jobs and events with the real time).
"""

from __future__ import annotations

import time

STATUS_GLYPH = {
    "validating_files": "…", "queued": "…", "running": "▶", "paused": "‖",
    "succeeded": "✓", "failed": "✗", "cancelled": "■",
}
STATUS_STYLE = {
    "validating_files": "pending", "queued": "pending", "running": "running", "paused": "paused",
    "succeeded": "succeeded", "failed": "failed", "cancelled": "cancelled",
}
STATUS_VARIABLE = {
    "pending": "$text-muted", "running": "$text-primary", "paused": "$text-warning",
    "succeeded": "$text-success", "failed": "$text-error", "cancelled": "$text-muted",
}


def clock(ts: float | int | None, seconds: bool = False) -> str:
    """Local wall-clock time: "14:03" (or "14:03:07"); a date for other days; "" for none."""
    if not ts:
        return ""
    local = time.localtime(ts)
    if time.strftime("%Y%m%d", local) != time.strftime("%Y%m%d", time.localtime()):
        return time.strftime("%b %d %H:%M" if not seconds else "%b %d %H:%M:%S", local)
    return time.strftime("%H:%M:%S" if seconds else "%H:%M", local)


def eta(ts: float | int | None, now: float | None = None) -> str:
    """"14:03 (in 2 min)": the finish time and how far off it is."""
    if not ts:
        return ""
    left = ts - (time.time() if now is None else now)
    if left <= 0:
        return f"{clock(ts)} (any moment)"
    span = f"{int(left)} s" if left < 90 else (f"{round(left / 60)} min" if left < 5400 else f"{left / 3600:.1f} h")
    return f"{clock(ts)} (in {span})"


def status_label(status: str) -> str:
    return "validating" if status == "validating_files" else status


def status_markup(status: str) -> str:
    """The status with its glyph in the theme colour for it (Content markup)."""
    variable = STATUS_VARIABLE.get(STATUS_STYLE.get(status, "pending"), "$text")
    return f"[{variable} bold]{STATUS_GLYPH.get(status, '?')} {status_label(status)}[/]"


def short_id(job_id: str, width: int = 14) -> str:
    """"ftjob-abc…xyz" keeping both ends so two ids stay distinguishable."""
    if len(job_id) <= width:
        return job_id
    tail = 4
    head = width - tail - 1
    return job_id[:head] + "…" + job_id[-tail:]


def tail(text: str, width: int) -> str:
    """The end of a long name (fine-tuned model ids differ at the end)."""
    if width <= 0:
        return ""
    return text if len(text) <= width else "…" + text[-(width - 1):]


def head(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text if len(text) <= width else text[:width - 1] + "…"


def loss(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def tokens(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def progress_bar(done: int, total: int, width: int = 10) -> str:
    if total <= 0:
        return "·" * width
    filled = min(width, round(width * done / total))
    return "█" * filled + "░" * (width - filled)
