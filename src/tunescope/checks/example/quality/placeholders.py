"""Unfilled template placeholders: `{{name}}`, `{name}`, `<PLACEHOLDER>`, `[Your Name]` left in message text.

A prompt template rendered without its variables trains the model on the literal placeholder
(and an assistant reply holding one teaches the model to emit it). Code and JSON legitimately
contain braces, so: fenced and inline code are skipped; `{name}` needs a bare identifier not
glued to a word, `$`, `\\`, an f-string quote or another brace (LaTeX `\\frac{a}{b}`, JS `${x}`, JSON objects and
`{{ }}` already reported stay out); a text that looks like code (many braces, semicolons or
`def`/`function`/`return` lines) is scanned for `{{...}}` and `<...>` only; `<NAME>` must be
upper case, at least 3 characters and not an HTML tag or tokenizer token.
"""

from __future__ import annotations

import re

from tunescope.checks.context import Ctx
from tunescope.checks.registry import W, check

UNFILLED_PLACEHOLDER = check(
    "unfilled_placeholder", W, "content", "Unfilled template placeholder",
    "Text holds a template variable that was never filled in: {{name}}, {name}, <PLACEHOLDER> or [Your Name].")

_CODE = re.compile(r"```.*?(?:```|\Z)|`[^`\n]+`", re.S)
_DOUBLE = re.compile(r"\{\{\s*[A-Za-z_][\w.\- ]{0,40}?\s*\}\}")
_SINGLE = re.compile(r"(?<![\w$\\{}%#])(?<!f[\"'])\{[A-Za-z_][A-Za-z0-9_]{0,40}\}(?![}\w])")   # not f"{x}"
_ANGLE = re.compile(r"<([A-Z][A-Z0-9_]{2,40})>")
_BRACKET = re.compile(r"\[(?:your|insert|enter|add)\s[^\]\n]{1,40}\]", re.I)
_CODE_LINE = re.compile(r"^\s*(?:def |class |function |return |import |from \S+ import |const |let |var |#include)",
                        re.M)
NOT_PLACEHOLDERS = frozenset({
    "HTML", "HEAD", "BODY", "DIV", "SPAN", "TABLE", "TR", "TD", "TH", "BR", "HR", "IMG", "PRE", "CODE", "SCRIPT",
    "STYLE", "TITLE", "META", "LINK", "FORM", "INPUT", "BUTTON", "LABEL", "SELECT", "OPTION", "UL", "OL", "LI",
    "EOS", "BOS", "PAD", "UNK", "SEP", "CLS", "MASK", "EOT", "SOS", "NUL", "EOF", "CR", "LF", "TAB", "ESC",
    "ENTER", "CTRL", "ALT", "SHIFT", "DEL", "INS", "HOME", "END", "PGUP", "PGDN", "TODO", "NOTE", "SVG",
})


def find_placeholders(text: str) -> list[str]:
    """The placeholders in `text` (at most a few), outside code."""
    if "{" not in text and "<" not in text and "[" not in text:
        return []
    prose = _CODE.sub(" ", text) if "`" in text else text
    found = [m.group(0) for m in _DOUBLE.finditer(prose)]
    found += [m.group(0) for m in _ANGLE.finditer(prose) if m.group(1) not in NOT_PLACEHOLDERS]
    found += [m.group(0) for m in _BRACKET.finditer(prose)]
    if "{" in prose and not _looks_like_code(prose):
        found += [m.group(0) for m in _SINGLE.finditer(prose)]
    return list(dict.fromkeys(found))[:4]


def _looks_like_code(text: str) -> bool:
    code_chars = text.count("{") + text.count(";") + text.count("=")
    return code_chars > max(6, len(text) // 80) or bool(_CODE_LINE.search(text)) or text.lstrip()[:1] in "{["


def report_placeholders(ctx: Ctx, text: str, message_index: int | None, path: str) -> None:
    found = find_placeholders(text)
    if not found:
        return
    where = ctx.where(message_index) if message_index is not None else ctx.where()
    ctx.add(UNFILLED_PLACEHOLDER,
            f"{where} contains what looks like an unfilled template placeholder: {', '.join(found)}. The model "
            "learns the placeholder text literally.",
            "Fill in the template variables when generating the data (or remove them); if the braces are meant "
            "literally, ignore this warning.", path=path, message_index=message_index)
