"""Every key binding of the app, dialogs included, as data.

Each binding has a stable id (`area.action`) so users can remap it from
config.toml (`[keymap] "dataset.delete" = "D"`), a short description for the
footer and a tooltip for the help screen and command palette. Screens,
dialogs and widgets take their `BINDINGS` from here; nothing else defines
keys (a test scans the source for `Binding(`).
"""

from __future__ import annotations

from textual.binding import Binding


def _b(keys: str, action: str, description: str, id: str, tooltip: str, show: bool = False,
       key_display: str | None = None, priority: bool = False) -> Binding:
    return Binding(keys, action, description, show=show, key_display=key_display,
                   priority=priority, tooltip=tooltip, id=id)


# -- the app and its screens ------------------------------------------------------------------
APP_BINDINGS = [
    _b("question_mark,f1", "help", "Help", "app.help", "Show every key of the current screen", show=True,
       key_display="?"),
    _b("q", "quit_app", "Quit", "app.quit", "Quit (asks first if there are unsaved edits)", show=True),
]

LIST_BINDINGS = [
    _b("down,j", "cursor_down", "Down", "list.down", "Next example"),
    _b("up,k", "cursor_up", "Up", "list.up", "Previous example"),
    _b("pagedown", "page_down", "Page down", "list.page_down", "One page down"),
    _b("pageup", "page_up", "Page up", "list.page_up", "One page up"),
    _b("g,home", "first", "Top", "list.top", "First example (no animation)"),
    _b("G,end", "last", "Bottom", "list.bottom", "Last example (no animation)"),
    _b("enter", "open", "Open", "list.open", "Open the selected example in the viewer"),
]

VIEWER_BINDINGS = [
    _b("down,j", "next_message", "Next message", "viewer.next_message", "Select the next message"),
    _b("up,k", "previous_message", "Previous message", "viewer.previous_message", "Select the previous message"),
    _b("pagedown", "page_down", "Page down", "viewer.page_down", "Scroll the viewer one page down"),
    _b("pageup", "page_up", "Page up", "viewer.page_up", "Scroll the viewer one page up"),
    _b("p", "toggle_raw", "Raw JSON", "viewer.raw", "Toggle between the conversation and the raw JSON", show=True),
    _b("escape", "close", "Back", "viewer.close", "Back to the example list"),
]

FINDINGS_BINDINGS = [
    _b("j", "cursor_down", "Down", "findings.down", "Next finding or group"),
    _b("k", "cursor_up", "Up", "findings.up", "Previous finding or group"),
    _b("g", "first", "First", "findings.first", "First group"),
    _b("G", "last", "Last", "findings.last", "Last finding or group"),
    _b("space,right,l", "expand", "Expand/collapse", "findings.toggle", "Expand or collapse the group"),
    _b("left,h", "collapse", "Collapse group", "findings.collapse", "Collapse the group"),
]

STATS_BINDINGS = [
    _b("j", "scroll_down", "Scroll down", "stats.down", "Scroll the stats down"),
    _b("k", "scroll_up", "Scroll up", "stats.up", "Scroll the stats up"),
    _b("m", "choose_model", "Model", "stats.model", "Choose the model for limits and cost", show=True),
]

DATASET_BINDINGS = [
    _b("colon", "goto_line", "Go to line", "dataset.goto", "Jump to a line number", key_display=":"),
    _b("tab", "next_pane", "Next pane", "dataset.next_pane", "Focus the next pane"),
    _b("shift+tab", "previous_pane", "Previous pane", "dataset.previous_pane", "Focus the previous pane"),
    _b("slash", "search", "Search", "dataset.search", "Search the text of every message (regex option)",
       show=True, key_display="/"),
    _b("n", "search_next", "Next match", "dataset.search_next", "Next example matching the search"),
    _b("N", "search_previous", "Previous match", "dataset.search_previous", "Previous example matching the search"),
    _b("f", "filter", "Filter", "dataset.filter",
       "Show only errors, warnings, over-limit, duplicates, one check or one role", show=True),
    _b("s", "sort", "Sort", "dataset.sort", "Sort by tokens (largest first) or back to file order"),
    _b("right_square_bracket", "next_error", "Next error", "dataset.next_error", "Next example with an error",
       key_display="]"),
    _b("left_square_bracket", "previous_error", "Previous error", "dataset.previous_error",
       "Previous example with an error", key_display="["),
    _b("e", "edit", "Edit", "dataset.edit", "Edit the example as pretty-printed JSON", show=True),
    _b("E", "edit_external", "Edit in $EDITOR", "dataset.edit_external",
       "Edit the example in $VISUAL/$EDITOR (validated on return)"),
    _b("d", "delete", "Delete", "dataset.delete", "Delete the example (undo with u)", show=True),
    _b("w", "toggle_weight", "Weight 0", "dataset.weight",
       "Toggle weight 0 on the assistant message selected in the viewer"),
    _b("x", "fixes", "Fixes", "dataset.fixes", "Bulk fixes, each with a preview count"),
    _b("X", "export", "Export for…", "dataset.export",
       "Convert the file for another destination (Vertex, Bedrock, Together, TRL…) with a report"),
    _b("ctrl+t", "choose_target", "Target rules", "dataset.target",
       "Choose the destination whose rules the findings include (like check --target)"),
    _b("u", "undo", "Undo", "dataset.undo", "Undo the last edit", show=True),
    _b("ctrl+r", "redo", "Redo", "dataset.redo", "Redo the last undone edit"),
    _b("ctrl+s", "save", "Save", "dataset.save", "Save atomically (offers save-as if the file changed)",
       show=True),
    _b("S", "save_as", "Save as", "dataset.save_as", "Save the dataset to another file (and continue there)"),
    _b("R", "reload", "Reload", "dataset.reload", "Read the file again from disk (asks first if there are edits)"),
    _b("y", "copy", "Copy", "dataset.copy", "Copy the example JSON to the clipboard (OSC 52)"),
    _b("J", "app.open_jobs", "Jobs", "dataset.jobs", "Fine-tuning jobs on the backend, watched live"),
    _b("T", "app.start_job", "Train", "dataset.start_job", "Start a fine-tuning job with this dataset (asks first)"),
    _b("C", "app.open_compare", "Compare", "dataset.compare", "Evaluate and compare models on this dataset"),
    _b("V", "compare_version", "Versions", "dataset.versions",
       "Compare this file with another version of it: examples, answers and findings that changed"),
    _b("L", "mask_preview", "Loss mask", "dataset.mask",
       "Show the example as the real trainer sees it: chat template, trained tokens, truncation"),
]
DATASET_BACK = _b("escape", "back", "Back", "dataset.back", "Back to the list")
DATASET_SCREEN_BINDINGS = DATASET_BINDINGS + [DATASET_BACK]
"""The dataset screen's own keys (the pane keys above, plus escape)."""

JOBS_BINDINGS = [
    _b("down,j", "cursor_down", "Down", "jobs.down", "Next job (or scroll the focused pane)"),
    _b("up,k", "cursor_up", "Up", "jobs.up", "Previous job (or scroll the focused pane)"),
    _b("enter", "details", "Details", "jobs.details", "Focus the selected job's events (tab cycles panes)"),
    _b("c", "cancel_job", "Cancel job", "jobs.cancel", "Cancel the selected job (asks first; cannot be undone)",
       show=True),
    _b("p", "pause_job", "Pause", "jobs.pause", "Pause the selected running job (r resumes it)", show=True),
    _b("r", "resume_job", "Resume", "jobs.resume", "Resume the selected paused job", show=True),
    _b("o", "open_failure", "Open line", "jobs.open_line",
       "Open the dataset at the line the failed job's error points to", show=True),
    _b("n", "new_job", "New job", "jobs.new", "Start a job with the open dataset (asks first)"),
    _b("b", "choose_backend", "Backend", "jobs.backend",
       "Choose where jobs run: OpenAI, Azure, a compatible server or the local simulation", show=True),
    _b("y", "copy_model", "Copy model", "jobs.copy_model", "Copy the selected job's fine-tuned model id"),
    _b("A", "archive_jobs", "Archive", "jobs.archive",
       "Keep every job's record, events, checkpoints, results and files in a folder (asks where)"),
    _b("R", "refresh", "Refresh", "jobs.refresh", "Poll the backend now (and retry after an error)"),
    _b("t", "chat_model", "Chat", "jobs.chat", "Chat with the selected succeeded job's fine-tuned model"),
    _b("e", "compare", "Evaluate", "jobs.compare",
       "Compare the selected finished job's model with its base model on the open dataset"),
    _b("escape,q", "back", "Back", "jobs.back", "Back to the list, then to the dataset", show=True,
       key_display="esc"),
]
JOBS_LIST_BINDINGS = [b for b in JOBS_BINDINGS if b.id in ("jobs.down", "jobs.up")]
"""The jobs list moves its own cursor with the screen's up/down keys (same ids: one remap moves both)."""

COMPARE_BINDINGS = [
    _b("ctrl+r", "run", "Run", "compare.run",
       "Ask every model every example and grade the answers (cached answers cost nothing)", show=True),
    _b("s", "stop", "Stop", "compare.stop", "Stop the run in progress (answers so far are kept)", show=True),
    _b("f", "filter", "Filter", "compare.filter", "Show every example, the failures, or the flips", show=True),
    _b("o", "open_line", "Fix line", "compare.open_line", "Open the example in the dataset editor", show=True),
    _b("escape", "back", "Back", "compare.back", "Back to the previous screen", show=True),
]

CHAT_BINDINGS = [
    _b("escape", "close", "Close", "chat.close", "Close the chat (the conversation is not kept)", show=True),
]

VERSIONS_BINDINGS = [
    _b("enter", "show_line", "Show line", "versions.show", "Show the selected example in the open file", show=True),
    _b("escape", "back", "Back", "versions.back", "Back to the dataset", show=True),
]

MASK_PREVIEW_BINDINGS = [
    _b("escape", "close", "Close", "mask.close", "Close the loss-mask view", show=True),
]

# -- dialogs ----------------------------------------------------------------------------------
CONFIRM_BINDINGS = [
    _b("y", "answer(True)", "Yes", "confirm.yes", "Answer yes", show=True),
    _b("n", "answer(False)", "No", "confirm.no", "Answer no", show=True),
    _b("escape", "answer(False)", "Cancel", "confirm.cancel", "Answer no and close the question", show=True),
    _b("left,h", "app.focus_previous", "Previous button", "confirm.previous_button", "Focus the previous button"),
    _b("right,l", "app.focus_next", "Next button", "confirm.next_button", "Focus the next button"),
]

QUIT_BINDINGS = [
    _b("s", "answer('save')", "Save and quit", "quit.save", "Save the edits, then quit", show=True),
    _b("y", "answer('discard')", "Quit without saving", "quit.discard", "Quit and drop the unsaved edits",
       show=True),
    _b("n,escape", "answer('')", "Stay", "quit.stay", "Close the question and keep working", show=True),
    _b("left,h", "app.focus_previous", "Previous button", "quit.previous_button", "Focus the previous button"),
    _b("right,l", "app.focus_next", "Next button", "quit.next_button", "Focus the next button"),
]

PICKER_BINDINGS = [
    _b("escape", "cancel", "Quit", "picker.cancel", "Quit without opening a file", show=True),
]
"""The file picker shown when tunescope is given a folder."""

PROMPT_BINDINGS = [
    _b("escape", "cancel", "Cancel", "prompt.cancel", "Close the prompt without an answer", show=True),
]
"""Shared by the small prompts (go to line, search, filter, save as, message)."""

SEARCH_BINDINGS = [
    _b("ctrl+r", "toggle_regex", "Regex on/off", "search.regex", "Treat the pattern as a regular expression or not",
       show=True),
]

FILTER_BINDINGS = [
    _b("j", "cursor_down", "Down", "filter.down", "Next filter"),
    _b("k", "cursor_up", "Up", "filter.up", "Previous filter"),
]

MESSAGE_BINDINGS = [
    _b("q,enter", "cancel", "Close", "message.close", "Close the message", show=True),
]

EDITOR_BINDINGS = [
    _b("ctrl+s", "apply", "Apply", "editor.apply", "Validate and apply the edit", show=True),
    _b("ctrl+enter", "apply", "Apply", "editor.apply_alt", "Validate and apply the edit"),
    _b("escape", "cancel", "Cancel", "editor.cancel", "Close without applying", show=True),
]

FIXES_BINDINGS = [
    _b("escape,q", "cancel", "Cancel", "fixes.cancel", "Close the menu without applying a fix", show=True),
    _b("j", "cursor_down", "Down", "fixes.down", "Next fix"),
    _b("k", "cursor_up", "Up", "fixes.up", "Previous fix"),
]

HELP_BINDINGS = [
    _b("escape,q,question_mark,f1", "close", "Close help", "help.close", "Close the help", show=True),
    _b("j", "scroll('down')", "Scroll down", "help.scroll_down", "Scroll the help down"),
    _b("k", "scroll('up')", "Scroll up", "help.scroll_up", "Scroll the help up"),
]

BACKEND_PICKER_BINDINGS = [
    _b("j", "cursor_down", "Down", "backend_picker.down", "Next backend"),
    _b("k", "cursor_up", "Up", "backend_picker.up", "Previous backend"),
]

START_JOB_BINDINGS = [
    _b("escape", "close", "Cancel", "start_job.cancel", "Close the dialog (stops an upload in progress)", show=True),
    _b("ctrl+s", "start", "Start job", "start_job.start", "Upload the dataset and create the job", show=True),
]

AREAS: dict[str, list[Binding]] = {
    "app": APP_BINDINGS,
    "dataset": DATASET_SCREEN_BINDINGS,
    "list": LIST_BINDINGS,
    "viewer": VIEWER_BINDINGS,
    "findings": FINDINGS_BINDINGS,
    "stats": STATS_BINDINGS,
    "jobs": JOBS_BINDINGS,
    "compare": COMPARE_BINDINGS,
    "confirm": CONFIRM_BINDINGS,
    "quit": QUIT_BINDINGS,
    "picker": PICKER_BINDINGS,
    "prompt": PROMPT_BINDINGS,
    "search": SEARCH_BINDINGS,
    "filter": FILTER_BINDINGS,
    "message": MESSAGE_BINDINGS,
    "editor": EDITOR_BINDINGS,
    "fixes": FIXES_BINDINGS,
    "help": HELP_BINDINGS,
    "start_job": START_JOB_BINDINGS,
    "backend_picker": BACKEND_PICKER_BINDINGS,
    "mask": MASK_PREVIEW_BINDINGS,
    "versions": VERSIONS_BINDINGS,
    "chat": CHAT_BINDINGS,
}
"""Each area's bindings; every id starts with its area's name."""


def all_bindings() -> list[Binding]:
    return [binding for bindings in AREAS.values() for binding in bindings]


def binding_ids() -> set[str]:
    return {b.id for b in all_bindings() if b.id}


DATASET_PANES = ("dataset", "list", "viewer", "findings", "stats")
"""Areas whose keys work at the same time on the dataset screen (a pane's key shadows the screen's)."""


def live_together(area: str) -> tuple[str, ...]:
    """The areas whose keys a key of `area` must not collide with."""
    if area == "app":
        return tuple(AREAS)
    if area == "dataset":
        return ("app",) + DATASET_PANES
    if area in DATASET_PANES:
        return ("app", "dataset", area)
    return ("app", area) if area == "jobs" else (area,)


def _keys(keys: str) -> set[str]:
    return {key.strip() for key in keys.split(",") if key.strip()}


def live_key(screen, binding_id: str) -> str:
    """The key that runs `binding_id` on `screen` now, as its live bindings have it (a user keymap may have
    moved it), for text that names the key; "" when it is not bound there."""
    for key, active in screen.active_bindings.items():
        if active.binding.id == binding_id:
            return active.binding.key_display or key
    return ""


def user_keymap(overrides: dict | None) -> tuple[dict[str, str], list[str]]:
    """The valid part of a user's keymap, and one message per entry we ignored (an unknown id, no key,
    or a key that another action answers where this one works)."""
    valid: dict[str, str] = {}
    problems: list[str] = []
    known = binding_ids()
    for binding_id, keys in (overrides or {}).items():
        if binding_id not in known:
            problems.append(f"keymap: unknown binding id {binding_id!r}")
        elif not isinstance(keys, str) or not keys.strip():
            problems.append(f"keymap: {binding_id!r} needs a key string such as \"D\" or \"ctrl+d\"")
        else:
            valid[binding_id] = keys
    effective = {b.id: _keys(valid.get(b.id, b.key)) for b in all_bindings() if b.id}
    for binding_id, keys in list(valid.items()):
        area = binding_id.split(".")[0]
        for other in all_bindings():
            taken = _keys(keys) & effective.get(other.id, set())
            if other.id != binding_id and other.id.split(".")[0] in live_together(area) and taken \
                    and other.action != next(b.action for b in all_bindings() if b.id == binding_id):
                problems.append(f"keymap: {binding_id} = {keys!r} ignored: {', '.join(sorted(taken))} already "
                                f"does {other.id} ({other.description}); pick a free key, or remap {other.id} too")
                del valid[binding_id]
                effective[binding_id] = _keys(next(b.key for b in all_bindings() if b.id == binding_id))
                break
    return valid, problems
