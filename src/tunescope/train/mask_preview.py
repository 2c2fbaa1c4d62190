"""The loss-mask preview: one example as the real trainer sees it, and the mask findings of a whole file.

`tunescope check --tokenizer T` and the TUI's mask view show what `serve --trainer hf` will train on,
so silent loss-masking mistakes surface before a job runs. The mask itself always comes from
`render.render_example` (the one place it is computed); this module only adds what a reader needs
around it: which message each token belongs to (prefix rendering again), where `--max-length`
cuts, and three findings declared here: an empty mask, a template that drops a message's content,
and an example over the max length. Tokenizers load with `local_files_only=True` (the
`HF_HUB_OFFLINE=1` behaviour): a hub id must already be in the local cache. transformers is
imported only inside `load_tokenizer`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import orjson

from tunescope.checks.registry import Finding, Severity, check
from tunescope.train.render import (RenderedExample, TemplateError, render_example, template_messages,
                                    template_tools)

DEFAULT_MAX_LENGTH = 2048   # as `serve --trainer hf --max-length`

MASK_EMPTY = check(
    "mask_empty", Severity.WARNING, "tokenizer", "No trained token",
    "Rendered with the chosen tokenizer's chat template, the example has no token that carries loss (no "
    "assistant message with weight 1 survives the template or truncation): it costs compute and teaches nothing.")
TEMPLATE_DROPS_CONTENT = check(
    "template_drops_content", Severity.WARNING, "tokenizer", "Template drops content",
    "The chosen tokenizer's chat template renders a message (for example a `tool` message) or a tool "
    "definition without its text: the model never sees it during training.")
OVER_MAX_LENGTH = check(
    "over_max_length", Severity.WARNING, "tokenizer", "Over the max length",
    "Under the chosen tokenizer the example has more tokens than `--max-length`; the trainer keeps the start "
    "and cuts the rest, as OpenAI truncates long examples.",)
TEMPLATE_FAILS = check(
    "template_fails", Severity.ERROR, "tokenizer", "Template cannot render it",
    "The chosen tokenizer's chat template raises on this example, or renders it so that its replies cannot be "
    "located: the real trainer would fail the job.",)


class TokenizerUnavailable(RuntimeError):
    """The tokenizer cannot be loaded here; the message says why and what to do."""


def load_tokenizer(name_or_path: str):
    """A transformers tokenizer from a local directory or an already cached hub id; never downloads."""
    try:
        from transformers import AutoTokenizer
    except ImportError:
        raise TokenizerUnavailable(
            "--tokenizer needs transformers, which is not installed: pip install 'tunescope[train]' "
            "(or just: pip install transformers jinja2)") from None
    local = Path(name_or_path).expanduser()
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(local) if local.is_dir() else name_or_path,
                                                  local_files_only=True)
    except (OSError, ValueError) as exc:
        where = (f"{local} has no tokenizer files (tokenizer.json, tokenizer_config.json)" if local.is_dir() else
                 f"{name_or_path!r} is neither a local directory nor a Hugging Face id in the local cache")
        raise TokenizerUnavailable(
            f"cannot load tokenizer: {where}. Downloads are off here (HF_HUB_OFFLINE behaviour): fetch it once "
            f"with `huggingface-cli download {name_or_path}` or give a directory with the tokenizer files "
            f"({type(exc).__name__})") from None
    if not getattr(tokenizer, "chat_template", None):
        raise TokenizerUnavailable(f"tokenizer {name_or_path!r} has no chat template; the trainer needs one "
                                   "(use the instruct/chat variant of the model)")
    return tokenizer


@dataclass
class MessageTokens:
    index: int              # 0-based index in `messages`
    role: str
    start: int              # character span of the message in the rendered text
    end: int
    tokens: int = 0         # tokens that start inside the span (before truncation)
    trained: int = 0        # of which trained (after truncation)


@dataclass
class MaskPreview:
    """One example as the trainer sees it: the render, tokens per message, the cut and the findings."""

    rendered: RenderedExample
    max_length: int
    messages: list[MessageTokens] = field(default_factory=list)
    offsets: list[tuple[int, int]] = field(default_factory=list)   # character span of every token (untruncated)
    findings: list[Finding] = field(default_factory=list)

    @property
    def cut_at(self) -> int | None:
        """Character offset of the first token dropped by truncation, or None when nothing is cut."""
        if not self.rendered.truncated:
            return None
        return self.offsets[self.max_length][0]

    def pieces(self) -> list[tuple[str, bool, bool]]:
        """The rendered text as runs of (text, trained, cut): what a view highlights."""
        text, mask, runs = self.rendered.text, self.rendered.mask, []
        for i, (start, _) in enumerate(self.offsets):
            end = self.offsets[i + 1][0] if i + 1 < len(self.offsets) else len(text)
            state = (bool(mask[i]) if i < len(mask) else False, i >= self.max_length)
            if runs and (runs[-1][1], runs[-1][2]) == state:
                runs[-1] = (runs[-1][0] + text[start:end], *state)
            else:
                runs.append((text[start:end], *state))
        if self.offsets and self.offsets[0][0] > 0:
            runs.insert(0, (text[: self.offsets[0][0]], False, False))
        return runs


def _content_text(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def _message_spans(tokenizer, example: dict, text: str) -> list[tuple[int, int]] | None:
    """Character span of each message in `text` by prefix rendering, or None if the template is not prefix-stable."""
    messages, tools = template_messages(example["messages"]), template_tools(example)
    spans, start = [], 0
    for i in range(len(messages)):
        through = tokenizer.apply_chat_template(messages[: i + 1], tools=tools, tokenize=False)
        if not text.startswith(through) or len(through) < start:
            return None
        spans.append((start, len(through)))
        start = len(through)
    return spans


def preview_example(tokenizer, example: dict, max_length: int = DEFAULT_MAX_LENGTH, line: int | None = None,
                    index: int | None = None) -> MaskPreview:
    """Render one chat example with `render_example` and explain it; raises TemplateError if it cannot render."""
    def finding(chk, message: str, hint: str, path: str = "$", message_index: int | None = None) -> Finding:
        return Finding(chk.id, chk.severity, message, hint, line, index, message_index, path)

    try:
        rendered = render_example(tokenizer, example, max_length)
    except TemplateError:
        raise
    except Exception as exc:  # jinja2 errors from the template itself (raise_exception, undefined names)
        raise TemplateError(f"the chat template raises on this example: {exc}") from None
    offsets = [tuple(o) for o in tokenizer(rendered.text, add_special_tokens=False,
                                           return_offsets_mapping=True)["offset_mapping"]]
    preview = MaskPreview(rendered, max_length, offsets=offsets)
    raw = example["messages"]
    spans = _message_spans(tokenizer, example, rendered.text)
    if spans is not None:
        for i, ((a, b), message) in enumerate(zip(spans, raw)):
            m = MessageTokens(i, str(message.get("role")), a, b)
            for t, (start, _) in enumerate(offsets):
                if a <= start < b:
                    m.tokens += 1
                    m.trained += rendered.mask[t] if t < len(rendered.mask) else 0
            preview.messages.append(m)
            content = _content_text(message).strip()
            if content and content not in rendered.text[a:b]:
                preview.findings.append(finding(
                    TEMPLATE_DROPS_CONTENT, f"the chat template leaves out the content of message {i + 1} "
                    f"({m.role})", "use a template that renders this role, or move the text into a message it "
                    "renders", f"$.messages[{i}].content", i))
    tools = template_tools(example)
    if tools and tokenizer.apply_chat_template(template_messages(raw), tools=None, tokenize=False) == rendered.text:
        preview.findings.append(finding(
            TEMPLATE_DROPS_CONTENT, f"the chat template leaves out the {len(tools)} tool definition(s): the text is "
            "the same without them", "use a template that renders `tools`", "$.tools"))
    if rendered.truncated:
        preview.findings.append(finding(
            OVER_MAX_LENGTH, f"{rendered.full_length} tokens, over the max length {max_length}: "
            f"{rendered.full_length - max_length} are cut", "shorten the example or raise --max-length"))
    if not rendered.trained_tokens:
        preview.findings.append(finding(
            MASK_EMPTY, "no token of this example is trained (empty loss mask)",
            "add an assistant reply with weight 1 that fits within the max length, or drop the example"))
    return preview


@dataclass
class MaskScan:
    """A file's token counts and mask findings under one tokenizer."""

    tokenizer: str
    max_length: int
    examples: int = 0
    skipped: int = 0          # rows that are not chat examples (preference, reinforcement, unparsable)
    total_tokens: int = 0
    trained_tokens: int = 0
    longest: int = 0
    findings: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"tokenizer": self.tokenizer, "max_length": self.max_length, "examples": self.examples,
                "skipped": self.skipped, "total_tokens": self.total_tokens, "trained_tokens": self.trained_tokens,
                "longest": self.longest, "findings": [f.to_dict() for f in self.findings]}


def chat_example(raw: bytes | str) -> dict | None:
    """The row as a chat example (a dict with a `messages` list), or None."""
    try:
        row = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if isinstance(row, dict) and isinstance(row.get("messages"), list) and all(
            isinstance(m, dict) for m in row["messages"]):
        return row
    return None


def scan_file(path, tokenizer, name: str, max_length: int = DEFAULT_MAX_LENGTH) -> MaskScan:
    """Count every chat example of a JSONL file with `tokenizer` and collect the mask findings."""
    scan = MaskScan(name, max_length)
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            example = chat_example(raw)
            if example is None:
                scan.skipped += 1
                continue
            scan.examples += 1
            try:
                preview = preview_example(tokenizer, example, max_length, line=number, index=number - 1)
            except TemplateError as exc:
                scan.findings.append(Finding(TEMPLATE_FAILS.id, TEMPLATE_FAILS.severity, str(exc),
                                             "fix the example or choose a tokenizer whose template renders it",
                                             number, number - 1, None, "$.messages"))
                continue
            scan.total_tokens += preview.rendered.full_length
            scan.trained_tokens += preview.rendered.trained_tokens
            scan.longest = max(scan.longest, preview.rendered.full_length)
            scan.findings.extend(preview.findings)
    return scan
