"""One row per example: its line, prompt and each model's answer side by side with its grade."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from tunescope.dataset.records import one_line

PASS, FAIL = "✓", "✗"


def answer_cell(answer: dict | None, width: int) -> Text:
    if answer is None:
        return Text("·", style="dim")
    mark, style = (PASS, "green") if answer["passed"] else (FAIL, "red")
    body = answer.get("error") or answer.get("answer")
    if body is None and answer.get("tool_calls"):
        body = " ".join(f"{c['function']['name']}()" for c in answer["tool_calls"])
    text = Text(f"{mark} {answer['score']:.2f} ", style=style)
    text.append(one_line(str(body or ""), max(4, width - 7)))
    return text


class CompareTable(DataTable):
    """The examples a filter keeps; row keys are line numbers."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.examples: dict[int, dict] = {}

    def show(self, examples: list[dict], models: list[str], width: int) -> None:
        """Replace the rows, keeping the cursor on the same line when it is still shown."""
        keep = self.current_line
        self.clear(columns=True)
        column = max(10, (width - 5 - 4 - 2 * (len(models) + 2)) // (len(models) + 1))  # cell padding, scrollbar
        self.add_column("line", width=5)
        self.add_column("prompt", width=column)
        for model in models:
            self.add_column(one_line(model, column), width=column)
        self.examples = {e["line"]: e for e in examples}
        for example in examples:
            cells = [str(example["line"]), one_line(example["prompt"] or "", column)]
            cells += [answer_cell(example["answers"].get(m), column) for m in models]
            self.add_row(*cells, key=str(example["line"]))
        if keep in self.examples:
            self.move_cursor(row=list(self.examples).index(keep))

    @property
    def current_line(self) -> int | None:
        if not self.examples or self.cursor_row < 0 or self.cursor_row >= self.row_count:
            return None
        return list(self.examples)[self.cursor_row]

    @property
    def current(self) -> dict | None:
        line = self.current_line
        return None if line is None else self.examples[line]
