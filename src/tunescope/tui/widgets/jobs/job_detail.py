"""The selected job at a glance (status, progress, latest losses, result or error)
and its checkpoints (step, losses, model id; the lowest validation loss starred,
since that is the one people usually want to deploy)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from tunescope.tui.widgets.jobs import format as fmt


def best_checkpoint(checkpoints: list):
    """The checkpoint with the lowest validation loss (full validation preferred), if any has one."""
    scored = [(c, _valid(c)) for c in checkpoints]
    scored = [(c, v) for c, v in scored if v is not None]
    return min(scored, key=lambda cv: cv[1])[0] if scored else None


def _valid(checkpoint):
    m = checkpoint.metrics
    if m is None:
        return None
    return m.full_valid_loss if m.full_valid_loss is not None else m.valid_loss


class JobSummary(Static):
    """Up to three lines about the selected job: what it is, how far it got, what came out (or why not)."""

    DEFAULT_CSS = """
    JobSummary {
        height: auto;
        max-height: 3;
        padding: 0 1;
        background: $panel;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    _shown = None

    def show(self, job, latest=None) -> None:
        if job is None:
            self._shown = None
            self.update("No job selected. Press [b]n[/b] to start one with the open dataset.")
            return
        values = {"id": job.id, "model": job.model, "method": job.method}
        line1 = fmt.status_markup(job.status) + " [b]$id[/b] · $model · $method"
        epochs = job.hyperparameters.get("n_epochs") if isinstance(job.hyperparameters, dict) else None
        if epochs not in (None, "auto"):
            line1 += " · $epochs epochs"
            values["epochs"] = str(epochs)
        line2 = []
        if latest is not None:
            if latest.total_steps:
                line2.append("step $step $bar")
                values["step"] = f"{latest.step}/{latest.total_steps}"
                values["bar"] = fmt.progress_bar(latest.step, latest.total_steps, 10)
            line2.append("train [b]$train[/b]")
            values["train"] = fmt.loss(latest.train_loss)
            valid = latest.full_valid_loss if latest.full_valid_loss is not None else latest.valid_loss
            if valid is not None:
                line2.append("valid [b]$valid[/b]")
                values["valid"] = fmt.loss(valid)
            if latest.train_mean_token_accuracy is not None:
                line2.append("acc $acc")
                values["acc"] = f"{latest.train_mean_token_accuracy:.1%}"
        if job.trained_tokens:
            line2.append("$tokens tokens")
            values["tokens"] = fmt.tokens(job.trained_tokens)
        if not line2:
            line2.append("[$text-muted]$waiting[/]")
            values["waiting"] = {"validating_files": "validating the files…", "queued": "queued…"}.get(
                job.status, "no training steps reported")
        line3 = ""
        if job.failure is not None:
            failure = job.failure
            where = f"{failure.file} file, {failure.where}" if failure.where else ""
            line3 = "[$text-error b]✗ $code[/]" + (" at [b]$where[/b]" if where else "") + ": $error"
            values.update(code=failure.code or "failed", where=where, error=failure.message)
        elif job.fine_tuned_model:
            line3 = "model [$text-success b]$ft[/]"
            values["ft"] = job.fine_tuned_model
        elif job.estimated_finish and not job.done:
            line3 = "[$text-muted]estimated finish $eta[/]"
            values["eta"] = fmt.eta(job.estimated_finish)
        template = line1 + "\n" + " · ".join(line2) + ("\n" + line3 if line3 else "")
        shown = (template, tuple(sorted(values.items())))
        if shown != self._shown:                     # an update re-lays out the screen: skip it when equal
            self._shown = shown
            self.update(Content.from_markup(template, **values))


class CheckpointsTable(Static):
    """Checkpoints of the selected job, lowest step first."""

    HELP = "Checkpoints saved at epoch ends; ★ marks the lowest validation loss."

    DEFAULT_CSS = """
    CheckpointsTable {
        height: 1fr;
        padding: 0 1;
        background: $surface;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.checkpoints: list = []

    def show(self, checkpoints: list | None, empty_text: str = "No checkpoints yet (one per epoch).") -> None:
        self.checkpoints = list(checkpoints or [])
        if not self.checkpoints:
            self.update(Content.from_markup("[$text-muted]$text[/]", text=empty_text))
            return
        best = best_checkpoint(self.checkpoints)
        width = max(20, (self.size.width or 40) - 2)
        wide = width >= 44
        lines = ["[$text-muted b] STEP   TRAIN   VALID" + ("  MODEL" if wide else "") + "[/]"]
        values = {}
        for i, ck in enumerate(self.checkpoints):
            m = ck.metrics
            star = "[$text-warning]★[/]" if ck is best else " "
            values.update({f"step{i}": f"{ck.step:>4}", f"train{i}": f"{fmt.loss(m.train_loss if m else None):>7}",
                           f"valid{i}": f"{fmt.loss(_valid(ck)):>7}"})
            row = f"{star}$step{i} $train{i} $valid{i}"
            if wide:
                values[f"model{i}"] = fmt.tail(ck.model, width - 24)
                lines.append(row + "  [$text-muted]$model" + str(i) + "[/]")
            else:
                values[f"model{i}"] = fmt.tail(ck.model, width - 1)
                lines += [row, " [$text-muted]$model" + str(i) + "[/]"]
        self.update(Content.from_markup("\n".join(lines), **values))

    def on_resize(self) -> None:
        if self.checkpoints:
            self.show(self.checkpoints)
