"""The chosen model must support the data's fine-tuning method (X03: reinforcement only on o-series models)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tunescope.checks.dataset.collector import RowTableRule
from tunescope.checks.registry import W, check
from tunescope.tokens.models import ModelInfo, load_models
from tunescope.tokens.retirement import retirement, today

if TYPE_CHECKING:
    from tunescope.checks.dataset.output import DatasetOutput

METHOD_OF_FORMAT = {"chat": "supervised", "preference": "dpo", "reinforcement": "reinforcement"}
METHOD_LABEL = {"supervised": "supervised", "dpo": "preference (DPO)", "reinforcement": "reinforcement"}

MODEL_METHOD_UNSUPPORTED = check(
    "model_method_unsupported", W, "dataset", "Model does not support the method",
    "The chosen model cannot be fine-tuned with this data's method, e.g. reinforcement data on a supervised-only "
    "model (X03).", ref="X03")


class ModelMethod(RowTableRule):
    """Compares the method (given, or implied by the file's format) with the model table."""

    checks = (MODEL_METHOD_UNSUPPORTED,)

    def finish(self, out: DatasetOutput) -> None:
        method = out.options.method or METHOD_OF_FORMAT.get(out.format)
        if method is None or not self.rows.n:
            return
        try:
            table = load_models()
            info = table.get(out.options.model)
        except Exception:  # noqa: BLE001  (an unknown model or a broken table: nothing to compare with)
            return
        if info.supports(method):
            return
        able = [m.name for m in table.models.values() if m.supports(method) and not m.deprecated]
        on = today()
        named = [name + _shut_down(table.get(name), on) for name in able[:3]]
        out.add(MODEL_METHOD_UNSUPPORTED,
                f"{info.name} cannot be fine-tuned with {METHOD_LABEL[method]} data, which this file holds"
                + (f"; models that can: {', '.join(named)}." if able else "."),
                (f"Check with --model {able[0]} for its token limit and price; " if able else "Pick another model; ")
                + f"the limits and cost above are {info.name}'s.", path="")


def _shut_down(info: ModelInfo, on) -> str:
    """' (shut down on OpenAI 2026-10-23)' for a model the table says is gone, else ''."""
    gone = retirement(info, on)
    return f" (shut down on OpenAI {gone.day})" if gone is not None and gone.retired else ""
