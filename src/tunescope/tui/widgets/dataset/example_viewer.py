"""The selected example as a conversation, one block per message.

Each block shows the role, its token count and the wrapped content; tool
definitions and tool calls are pretty-printed; images become a placeholder
with their URL or size; `weight: 0` is marked; preference outputs are stacked
under the prompt. Findings sit under the message they concern, with their
hint. `p` swaps to the raw JSON. A message cursor (j/k) picks the message
that `w` toggles the weight of.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import orjson
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from tunescope.checks.findings import Finding, Severity
from tunescope.tui import keymap
from tunescope.tui.messages import ExampleShown

MAX_TEXT = 20_000
MAX_RAW = 200_000
SEVERITY_STYLE = {Severity.ERROR: "$text-error", Severity.WARNING: "$text-warning", Severity.INFO: "$text-primary"}
SEVERITY_GLYPH = {Severity.ERROR: "✗", Severity.WARNING: "▲", Severity.INFO: "i"}


@dataclass
class Block:
    """What one block shows; `message_index` is the index in `messages` (None for other blocks)."""

    title: str
    body: Content
    message_index: int | None = None
    role: str = ""
    classes: str = ""


_CONTROL_ESCAPES = {c: f"\\x{c:02x}" for c in list(range(32)) + [127] if chr(c) not in "\n\t"}


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """Text safe to show: at most `limit` characters, control characters made visible (\\x1b)."""
    if len(text) > limit:
        text = text[:limit] + f"\n… {len(text) - limit:,} more characters (press p for the raw JSON)"
    return text.translate(_CONTROL_ESCAPES)


def pretty_arguments(arguments) -> str:
    """Tool-call arguments pretty-printed when they are JSON, as is otherwise."""
    if isinstance(arguments, str):
        try:
            return json.dumps(json.loads(arguments), indent=2, ensure_ascii=False)
        except ValueError:
            return arguments
    return json.dumps(arguments, indent=2, ensure_ascii=False)


def image_placeholder(part: dict) -> str:
    image = part.get("image_url")
    url = image.get("url", "") if isinstance(image, dict) else str(image or "")
    detail = f", detail {image.get('detail')}" if isinstance(image, dict) and image.get("detail") else ""
    if url.startswith("data:"):
        head = url.split(",", 1)[0]
        return f"[image: inline {head[5:]} {len(url) * 3 // 4 / 1024:,.0f} KB{detail}]"
    return f"[image: {url}{detail}]"


def content_body(content) -> Content:
    """Message content (string or parts) as styled text."""
    if content is None:
        return Content.assemble(("(no content)", "$text-muted italic"))
    if isinstance(content, str):
        return Content(clip(content)) if content else Content.assemble(('(empty string "")', "$text-muted italic"))
    if isinstance(content, list):
        pieces: list = []
        for part in content:
            if pieces:
                pieces.append("\n")
            if isinstance(part, dict) and part.get("type") == "image_url":
                pieces.append((image_placeholder(part), "$text-accent"))
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                pieces.append(clip(part["text"]))
            else:
                pieces.append((clip(json.dumps(part, ensure_ascii=False)), "$text-muted"))
        return Content.assemble(*pieces)
    return Content.assemble((clip(json.dumps(content, ensure_ascii=False)), "$text-warning"))


def message_blocks(messages, tokens: list[int | None], prefix: str = "", offset: int = 0,
                   selectable: bool = True) -> list[Block]:
    blocks = []
    for i, message in enumerate(messages if isinstance(messages, list) else []):
        count = tokens[offset + i] if offset + i < len(tokens) else None
        if not isinstance(message, dict):
            blocks.append(Block(f"{prefix}message {i} (not an object)", Content(clip(repr(message))),
                                i if selectable else None, classes="-invalid"))
            continue
        role = str(message.get("role", "?"))
        title = f"{prefix}{role}" + (f" · {message['name']}" if message.get("name") else "")
        if count is not None:
            title += f" · {count:,} tok"
        classes = f"-role-{re.sub(r'[^A-Za-z0-9_-]', '_', role)}"  # a CSS class: "?" or spaces would crash
        if message.get("weight") == 0:
            title += " · weight 0 (not trained)"
            classes += " -weight0"
        calls = message.get("tool_calls") or message.get("function_call")
        pieces = [] if calls and message.get("content") is None else [content_body(message.get("content"))]
        for call in message.get("tool_calls") or []:
            fn = call.get("function", {}) if isinstance(call, dict) else {}
            call_id = f"  id={call.get('id', '?')}" if isinstance(call, dict) else ""
            pieces.append(Content.assemble("\n" if pieces else "", (f"→ {fn.get('name', '?')}", "$text-accent bold"),
                                           (call_id, "$text-muted"),
                                           "\n", clip(pretty_arguments(fn.get("arguments", "")))))
        if isinstance(message.get("function_call"), dict):
            fn = message["function_call"]
            pieces.append(Content.assemble("\n" if pieces else "", (f"→ {fn.get('name', '?')} (function_call)",
                                                                    "$text-accent bold"),
                                           "\n", clip(pretty_arguments(fn.get("arguments", "")))))
        if message.get("tool_call_id"):
            pieces.insert(0, Content.assemble((f"result of {message['tool_call_id']}\n", "$text-muted")))
        blocks.append(Block(title, Content("").join(pieces), i if selectable else None, role, classes))
    return blocks


def signature(fn: dict) -> str:
    """`name(required: type, optional?: type)` from a function definition."""
    params = fn.get("parameters") if isinstance(fn.get("parameters"), dict) else {}
    props = params.get("properties") if isinstance(params.get("properties"), dict) else {}
    required = set(params.get("required") or []) if isinstance(params.get("required"), list) else set()
    args = []
    for name, spec in props.items():
        kind = spec.get("type", "any") if isinstance(spec, dict) else "any"
        if isinstance(spec, dict) and isinstance(spec.get("enum"), list):
            kind = "|".join(json.dumps(v, ensure_ascii=False) for v in spec["enum"][:6])
        args.append(f"{name}{'' if name in required else '?'}: {kind}")
    return f"{fn.get('name', '?')}({', '.join(args)})"


def tools_block(tools, key: str = "tools") -> Block | None:
    """One line per tool (its signature) and its description; the full schema is in the raw JSON."""
    if not isinstance(tools, list) or not tools:
        return None
    lines: list = []
    for tool in tools:
        fn = tool.get("function", tool) if isinstance(tool, dict) else {}
        if not isinstance(fn, dict):
            fn = {}
        if lines:
            lines.append("\n")
        lines.append((clip(signature(fn), 400), "$text-accent bold"))
        if fn.get("description"):
            lines += ["\n  ", (clip(str(fn["description"]), 400), "$text-muted")]
    count = f"{len(tools)} definition{'s' if len(tools) != 1 else ''}"
    return Block(f"{key} ({count}; p shows the full schema)", Content.assemble(*lines), classes="-tools")


def build_blocks(obj, tokens) -> list[Block]:
    """The blocks of one parsed example, whatever its format."""
    per_message = list(tokens.per_message) if tokens is not None else []
    if not isinstance(obj, dict):
        return [Block("not a JSON object", Content(clip(json.dumps(obj, ensure_ascii=False))), classes="-invalid")]
    blocks: list[Block] = []
    for key in ("tools", "functions"):
        block = tools_block(obj.get(key), key)
        if block:
            blocks.append(block)
    if isinstance(obj.get("input"), dict):
        inp = obj["input"]
        block = tools_block(inp.get("tools"))
        if block:
            blocks.append(block)
        messages = inp.get("messages", [])
        blocks += message_blocks(messages, per_message, selectable=False)
        offset = len(messages) if isinstance(messages, list) else 0
        for key, label in (("preferred_output", "preferred ✓ "), ("non_preferred_output", "non-preferred ✗ ")):
            outs = obj.get(key, [])
            blocks += message_blocks(outs, per_message, prefix=label, offset=offset, selectable=False)
            offset += len(outs) if isinstance(outs, list) else 0
    elif "messages" in obj:
        blocks += message_blocks(obj.get("messages"), per_message)
    elif "prompt" in obj or "completion" in obj:
        blocks.append(Block("prompt", content_body(obj.get("prompt"))))
        blocks.append(Block("completion", content_body(obj.get("completion"))))
    extra = {k: v for k, v in obj.items()
             if k not in ("messages", "tools", "functions", "input", "preferred_output", "non_preferred_output",
                          "prompt", "completion")}
    if extra:
        blocks.append(Block("other keys", Content(clip(json.dumps(extra, indent=2, ensure_ascii=False), 4000)),
                            classes="-extra"))
    return blocks


def findings_content(findings: list[Finding]) -> Content:
    pieces: list = []
    for f in findings:
        style = SEVERITY_STYLE.get(f.severity, "")
        pieces += ["\n" if pieces else "", (f"{SEVERITY_GLYPH.get(f.severity, '?')} {f.check}: ", f"{style} bold"),
                   (f.message, style)]
        if f.hint:
            pieces += ["\n  ", (f"hint: {f.hint}", "$text-muted italic")]
    return Content.assemble(*pieces)


def attach_findings(blocks: list[Block], findings: list[Finding]) -> list[Finding]:
    """Put each message-level finding under its block; return the rest (example level)."""
    by_message = {b.message_index: b for b in blocks if b.message_index is not None}
    rest = []
    for f in findings:
        block = by_message.get(f.message_index) if f.message_index is not None else None
        if block is None and f.path.startswith("$.tools"):
            block = next((b for b in blocks if "-tools" in b.classes), None)
        if block is None:
            rest.append(f)
            continue
        block.body = Content.assemble(block.body, "\n", findings_content([f]))
        block.classes += " -has-findings"
    return rest


class MessageBlock(Static):
    """One message (or the tools, or the header) of the example."""

    def __init__(self, block: Block) -> None:
        super().__init__(block.body, classes=("message-block " + block.classes).strip())
        self.border_title = Content(clip(block.title, 200))
        self.message_index = block.message_index
        self.role = block.role


class ExampleViewer(VerticalScroll, can_focus=True):
    """Shows one example; attributes down (`show`), cursor state readable by the screen."""

    BINDINGS = keymap.VIEWER_BINDINGS
    HELP = "The selected example, message by message, with tokens and findings; p shows its raw JSON."

    raw: reactive[bool] = reactive(False, bindings=True)
    message_cursor: reactive[int] = reactive(0, always_update=True)

    @dataclass
    class Closed(Message):
        """The user left the viewer (escape)."""

        viewer: "ExampleViewer"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.data: bytes = b""
        self.line: int | None = None
        self.parsed = self.raw_filled = False
        self.highlight = None           # the search's compiled pattern (set by show_row)
        self.obj = None
        self.blocks: list[MessageBlock] = []

    @property
    def selected_block(self) -> MessageBlock | None:
        selectable = self.selectable_blocks()
        if not selectable:
            return None
        return selectable[max(0, min(self.message_cursor, len(selectable) - 1))]

    @property
    def selected_message_index(self) -> int | None:
        block = self.selected_block
        return None if block is None else block.message_index

    def selectable_blocks(self) -> list[MessageBlock]:
        return [b for b in self.blocks if b.message_index is not None]

    def select_message(self, message_index: int) -> None:
        """Put the message cursor on message `message_index` of the example shown (if it has one)."""
        for i, block in enumerate(self.selectable_blocks()):
            if block.message_index == message_index:
                self.message_cursor = i

    def show_row(self, state, row: int, keep_cursor: bool = False) -> bool:
        """Display session row `row` of a `DatasetState` with what is known of it; False when no fresh
        analysis of its bytes is known yet (it has no per-message tokens)."""
        try:
            data = state.viewer_data(row)
        except (IndexError, OSError) as exc:
            self.clear(f"cannot read this row: {exc}")
            return True
        origin = state.origin(row)
        summary = state.analysis_of(data)
        self.highlight = state.highlight
        self.show(data, None if origin is None else origin + 1, summary, state.viewer_findings(row, summary),
                  keep_cursor=keep_cursor)
        return summary is not None

    def show(self, data: bytes, line: int | None, summary=None, findings: list[Finding] | None = None,
             keep_cursor: bool = False) -> None:
        """Display the example `data` (bytes of one line), with its analysis and findings."""
        self.data, self.line = data, line
        findings = list(findings or [])
        tokens = getattr(summary, "tokens", None)
        try:
            self.obj = orjson.loads(data)
            parsed = True
        except orjson.JSONDecodeError as exc:
            self.obj = None
            parsed = False
            error = str(exc)
        blocks = build_blocks(self.obj, tokens) if parsed else [
            Block("not valid JSON", Content.assemble((error, "$text-error"), "\n\n",
                                                     clip(data.decode("utf-8", "replace"))), classes="-invalid")]
        if self.highlight is not None:           # the search's matches
            for block in blocks:
                block.body = block.body.highlight_regex(self.highlight, style="reverse $text-accent")
        rest = attach_findings(blocks, findings)
        head = [f"line {line}" if line is not None else "new example"]
        if tokens is not None:
            head.append(f"{tokens.total:,} tokens" + (" (estimated)" if tokens.estimated else "")
                        + f", {tokens.trained:,} trained")
        head.append(f"{len(findings)} finding{'s' if len(findings) != 1 else ''}" if findings else "no findings")
        summary_line = Content.assemble((" · ".join(head), "bold"))
        header = Block("", Content.assemble(summary_line, "\n", findings_content(rest)) if rest else summary_line,
                       classes="-header")
        self.parsed, self.raw_filled = parsed, False     # the raw text is made when p first shows it
        widgets = [MessageBlock(header)] + [MessageBlock(b) for b in blocks]
        raw_widget = Static("", classes="raw-json")
        cursor = self.message_cursor if keep_cursor else 0
        with self.app.batch_update():
            self.remove_children()
            self.blocks = widgets
            self.mount_all(widgets + [raw_widget])
            self.set_class(self.raw, "-raw")
            self.fill_raw()
            self.message_cursor = cursor
            if not keep_cursor:
                self.scroll_home(animate=False, immediate=True)
        # set_sender: show() runs inside the screen's handler, and a message stops at the node that was
        # running when it was made; the App must get it to select a message after a jump.
        self.post_message(ExampleShown(line, cursor_reset=not keep_cursor).set_sender(self))

    def _raw_text(self, parsed: bool) -> str:
        if parsed and len(self.data) <= MAX_RAW:
            text = json.dumps(self.obj, indent=2, ensure_ascii=False)
        else:        # a big row: its first bytes as they are (pretty-printing 20 MB took the UI thread)
            text = self.data[:MAX_RAW * 4].decode("utf-8", "replace")
        return clip(text, MAX_RAW)

    def fill_raw(self) -> None:
        """Put the raw JSON in its widget once it is shown (never for rows only looked at as messages)."""
        if not self.raw or self.raw_filled or not self.data:
            return
        for widget in self.query(".raw-json").results(Static):
            widget.update(Content(self._raw_text(self.parsed)))
        self.raw_filled = True

    def clear(self, message: str = "") -> None:
        self.data, self.line, self.obj = b"", None, None
        self.blocks = []
        with self.app.batch_update():
            self.remove_children()
            if message:
                self.mount(Static(message, classes="viewer-empty"))

    def watch_raw(self, raw: bool) -> None:
        self.set_class(raw, "-raw")
        self.fill_raw()
        self.scroll_home(animate=False)

    def watch_message_cursor(self, old: int, new: int) -> None:
        selectable = self.selectable_blocks()
        if not selectable:
            return
        clamped = max(0, min(new, len(selectable) - 1))
        if clamped != new:
            self.message_cursor = clamped
            return
        for i, block in enumerate(selectable):
            block.set_class(i == clamped, "-selected")
        if self.is_mounted and old != new:
            self.scroll_to_widget(selectable[clamped], animate=False, immediate=True)

    def action_next_message(self) -> None:
        self.message_cursor += 1

    def action_previous_message(self) -> None:
        self.message_cursor -= 1

    def action_toggle_raw(self) -> None:
        self.raw = not self.raw

    def action_close(self) -> None:
        self.post_message(self.Closed(self))
