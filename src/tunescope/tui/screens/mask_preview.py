"""The loss-mask view: the current example as `serve --trainer hf` will train on it, under a chosen tokenizer.

Users' top fine-tuning pain is a silent loss-masking mistake, so this shows the chat template's text
with the trained tokens highlighted, the tokens of each message and the truncation point, plus the
mask findings (empty mask, content the template drops, over the max length). Loading a tokenizer
and rendering take seconds, so both run in a thread worker (`train/mask_preview.py` does the work;
it is imported there, never at start-up); the tokenizer is typed in the view and kept for the next
example.
"""

from __future__ import annotations

from functools import lru_cache

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tunescope.tui import keymap

TRAINED_STYLE = "bold black on green3"
CUT_STYLE = "dim strike"


@lru_cache(maxsize=4)
def _tokenizer(name: str):
    from tunescope.train.mask_preview import load_tokenizer

    return load_tokenizer(name)


def compute_preview(tokenizer_name: str, example: dict, max_length: int, line: int | None):
    """The MaskPreview of `example`, or the reason (str) it cannot be shown. Runs in a worker thread."""
    from tunescope.train.mask_preview import TokenizerUnavailable, preview_example
    from tunescope.train.render import TemplateError

    try:
        return preview_example(_tokenizer(tokenizer_name), example, max_length, line=line)
    except (TokenizerUnavailable, TemplateError) as exc:
        return str(exc)


def preview_text(preview) -> Text:
    """The rendered template: trained runs highlighted, a ✂ marker where truncation cuts, the cut text dim."""
    text, marked = Text(), False
    for piece, trained, cut in preview.pieces():
        if cut and not marked:
            text.append(f"✂ cut at {preview.max_length} tokens ✂", style="bold red")
            marked = True
        text.append(piece, style=CUT_STYLE if cut else (TRAINED_STYLE if trained else ""))
    return text


def summary_text(preview) -> Text:
    r = preview.rendered
    out = Text()
    out.append(f"{r.full_length:,} tokens · {r.trained_tokens:,} trained · ")
    out.append(f"cut at {preview.max_length:,}" if r.truncated else f"max length {preview.max_length:,}, not cut",
               style="bold red" if r.truncated else "")
    for m in preview.messages:
        out.append(f"\n  {m.index + 1:>3}  {m.role:<10} {m.tokens:>6,} tokens  {m.trained:>6,} trained")
    if not preview.messages:
        out.append("\n  tokens per message unavailable: the template renders a cut conversation differently")
    for f in preview.findings:
        out.append(f"\n{f.severity.value} {f.check} {f.path}: {f.message}", style="bold yellow")
    if not preview.findings:
        out.append("\nno mask findings", style="green")
    return out


class MaskPreviewScreen(ModalScreen[str | None]):
    """Shows one example's loss mask; dismisses with the tokenizer last used (to reuse it) or None."""

    BINDINGS = keymap.MASK_PREVIEW_BINDINGS
    DEFAULT_CSS = """
    MaskPreviewScreen { align: center middle; background: $background 60%; }
    MaskPreviewScreen > Vertical { width: 90%; height: 90%; background: $surface; border: thick $primary;
                                   border-title-style: bold; padding: 0 1; }
    MaskPreviewScreen #mask-summary { height: auto; max-height: 40%; color: $text; }
    MaskPreviewScreen #mask-status { height: auto; color: $text-muted; }
    MaskPreviewScreen #mask-body { height: 1fr; }
    MaskPreviewScreen ToastHolder { display: none; }
    """

    def __init__(self, example: dict, tokenizer: str = "", max_length: int = 2048, line: int | None = None) -> None:
        super().__init__()
        self.example, self.tokenizer, self.max_length, self.line = example, tokenizer, max_length, line
        self.preview = None

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = f"Loss mask · line {self.line}" if self.line else "Loss mask"
            yield Input(self.tokenizer, placeholder="tokenizer: a local directory or a cached Hugging Face id",
                        id="mask-tokenizer")
            yield Static("", id="mask-status", markup=False)
            yield Static("", id="mask-summary", markup=False)
            with VerticalScroll(id="mask-body"):
                yield Static("", id="mask-text", markup=False)

    def on_mount(self) -> None:
        if self.tokenizer:
            self.start(self.tokenizer)
        else:
            self.set_status("Type a tokenizer (e.g. the base model's directory) and press enter; "
                            "or set `tokenizer` in config.toml.")
            self.query_one(Input).focus()

    def set_status(self, text: str) -> None:
        self.query_one("#mask-status", Static).update(text)

    @on(Input.Submitted, "#mask-tokenizer")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.start(event.value.strip())

    def start(self, name: str) -> None:
        self.tokenizer = name
        self.set_status(f"rendering with {name} …")
        self.compute(name)

    @work(thread=True, exclusive=True, group="mask", exit_on_error=False)
    def compute(self, name: str) -> None:
        result = compute_preview(name, self.example, self.max_length, self.line)
        self.app.call_from_thread(self.show, name, result)

    def show(self, name: str, result) -> None:
        if not self.is_attached or name != self.tokenizer:
            return
        if isinstance(result, str):
            self.preview = None
            self.set_status(result)
            return
        self.preview = result
        self.set_status(f"tokenizer {name} · trained tokens highlighted · esc closes")
        self.query_one("#mask-summary", Static).update(summary_text(result))
        self.query_one("#mask-text", Static).update(preview_text(result))

    def action_close(self) -> None:
        self.dismiss(self.tokenizer if self.preview is not None else None)
