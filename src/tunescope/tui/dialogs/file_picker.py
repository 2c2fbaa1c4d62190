"""Choosing a dataset when tunescope was given a folder: a tree of its folders and JSONL/JSON files."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DirectoryTree, Footer, Static

from tunescope.tui import keymap

DATASET_SUFFIXES = (".jsonl", ".json", ".jsonlines")


class DatasetTree(DirectoryTree):
    """Folders and dataset files only (hidden entries left out)."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if not p.name.startswith(".")
                and (p.is_dir() or p.suffix.lower() in DATASET_SUFFIXES)]


class FilePickerScreen(Screen[str | None]):
    """Pick a dataset file under `folder`; enter opens it, escape quits."""

    BINDINGS = keymap.PICKER_BINDINGS
    DEFAULT_CSS = """
    FilePickerScreen { align: center top; }
    FilePickerScreen #picker-help { color: $text-muted; padding: 0 1; height: auto; }
    FilePickerScreen DatasetTree { height: 1fr; }
    """

    def __init__(self, folder: str) -> None:
        super().__init__()
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"{self.folder} is a folder: choose a dataset (.jsonl or .json) to open. "
                         "enter opens · esc quits", id="picker-help", markup=False)
            yield DatasetTree(self.folder, id="picker-tree")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DatasetTree).focus()

    @on(DirectoryTree.FileSelected)
    def _chosen(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.dismiss(str(event.path))

    def action_cancel(self) -> None:
        self.dismiss(None)
