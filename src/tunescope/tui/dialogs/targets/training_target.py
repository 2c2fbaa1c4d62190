"""The start dialog's target line: which backends can train the chosen target, and Azure's trainingType.

The target is the one chosen beside the model (settings `target`); its `trained_by` (the target
registry) names the provider kinds whose jobs API takes that format. A target none of our backends
trains (Vertex, Bedrock, your own GPUs) is said so, with the way there (export, then its own tools).
When the backend is Azure, a select offers `trainingType` (GlobalStandard, Standard, developerTier),
sent in the create request's body as `tunescope jobs create --training-type` does. With no target and
a backend other than Azure the widget is hidden, so the dialog is as before.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Select, Static

from tunescope.providers.azure import TRAINING_TYPES
from tunescope.targets import TARGETS


def target_line(target: str, backend_kind: str | None) -> str:
    """One or two lines on the target and the backends that can train it ("" with no target)."""
    found = TARGETS.get(target)
    if found is None:
        return ""
    if not found.trained_by:
        return (f"Target {target}: none of tunescope's backends trains it. Export it (X on the dataset "
                f"screen) and start the job with its own tools: {found.jobs_api}.")
    backends = ", ".join(found.trained_by)
    if backend_kind in found.trained_by:
        return f"Target {target}: trained by {backends}; this backend ({backend_kind}) is one of them."
    return (f"▲ Target {target}: trained by {backends}, not by this backend ({backend_kind or 'unknown'}); "
            "choose one of those above.")


class TargetTraining(Vertical):
    """The target line and, on Azure, the trainingType select; `training_type` is None for the default."""

    DEFAULT_CSS = """
    TargetTraining { height: auto; margin-top: 1; }
    TargetTraining > #start-target-line { height: auto; }
    TargetTraining > Horizontal { height: auto; }
    TargetTraining > Horizontal > .label { width: 13; color: $text-muted; }
    TargetTraining > Horizontal > Select { width: 1fr; }
    """

    def __init__(self, target: str, backend_kind: str | None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.target = target
        self.backend_kind = backend_kind

    def compose(self) -> ComposeResult:
        yield Static("", id="start-target-line", markup=False)
        with Horizontal(id="start-training-type-row"):
            yield Static("trainingType", classes="label")
            yield Select([(t, t) for t in TRAINING_TYPES], prompt="Azure's default", compact=True,
                         id="start-training-type")

    def on_mount(self) -> None:
        self.show_backend(self.backend_kind)

    def show_backend(self, kind: str | None) -> None:
        """Say what fits the backend `kind` now chosen; hide what does not apply."""
        self.backend_kind = kind
        line = target_line(self.target, kind)
        self.query_one("#start-target-line", Static).update(line)
        self.query_one("#start-target-line").display = bool(line)
        self.query_one("#start-training-type-row").display = kind == "azure"
        self.display = bool(line) or kind == "azure"

    @property
    def training_type(self) -> str | None:
        if self.backend_kind != "azure":
            return None
        value = self.query_one("#start-training-type", Select).value
        return value if isinstance(value, str) else None
