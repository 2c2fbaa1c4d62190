"""The selected example in full: prompt, reference, and each model's answer with every grade's reason."""

from __future__ import annotations

import json

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static


def describe(example: dict | None, models: list[str]) -> Text:
    if example is None:
        return Text("No example to show. Run the evaluation (ctrl+r) or change the filter (f).", style="dim")
    text = Text()
    text.append(f"line {example['line']}", style="bold")
    text.append(f"  {example['kind']}\n", style="dim")
    text.append("prompt    ", style="bold")
    text.append(f"{example['prompt']}\n")
    text.append("reference ", style="bold")
    reference = example["reference"]
    if reference is None and example.get("reference_tool_calls"):
        reference = json.dumps(example["reference_tool_calls"], ensure_ascii=False)
    text.append(f"{reference if reference is not None else '(none)'}\n")
    for model in models:
        answer = example["answers"].get(model)
        if answer is None:
            continue
        mark, style = ("✓ pass", "green") if answer["passed"] else ("✗ fail", "red")
        text.append(f"\n{model}  ", style="bold")
        text.append(f"{mark} {answer['score']:.2f}", style=style)
        if answer.get("cached"):
            text.append("  (cached)", style="dim")
        text.append("\n")
        body = answer.get("error") or answer.get("answer")
        if answer.get("tool_calls"):
            body = (body or "") + json.dumps(answer["tool_calls"], ensure_ascii=False)
        text.append(f"{body or ''}\n")
        for name, grade in answer["grades"].items():
            if grade["reason"]:
                text.append(f"  {name}: {grade['reason']}\n", style="dim")
    return text


class CompareDetail(VerticalScroll, can_focus=False):
    def compose(self):
        yield Static(id="compare-detail-text")

    def show(self, example: dict | None, models: list[str]) -> None:
        self.query_one("#compare-detail-text", Static).update(describe(example, models))
        self.scroll_home(animate=False)
