"""Text-content checks: special-token text, chat-template leaks, mojibake, empty text.

Every scan starts with a C-level substring test (`"<|" in s`), so ordinary
content costs a few hundred nanoseconds however long it is.
"""

from __future__ import annotations

import re

from tunescope.checks.context import Ctx
from tunescope.checks.registry import E, W, I, check

SPECIAL_TOKEN_TEXT = check("special_token_text", E, "content", "Special-token text",
                           "Text such as <|endoftext|> or <|fim_suffix|>; OpenAI rejects the file (J04).", ref="J04")
CHAT_TEMPLATE_TEXT = check("chat_template_text", W, "content", "Chat-template markers",
                           "Text contains another model's template markers (<|im_start|>, [INST], Human:).")
REPLACEMENT_CHARACTER = check("replacement_character", W, "content", "Replacement characters",
                              "U+FFFD in text: characters were lost to a wrong encoding.", tags=("encoding",))
SURROUNDING_WHITESPACE = check("surrounding_whitespace", I, "content", "Leading/trailing whitespace",
                               "Message text starts or ends with whitespace.")

# Tokens tiktoken treats as special (o200k: endoftext/endofprompt; cl100k adds the FIM three).
# OpenAI's server rejects content containing them ("message contains an invalid token: <|fim_suffix|>").
SPECIAL_TOKENS = ("<|endoftext|>", "<|endofprompt|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>")
_TEMPLATE_TOKEN = re.compile(r"<\|[a-z_]{2,30}\|>")
_TEMPLATE_MARKERS = ("[INST]", "<<SYS>>", "\n\nHuman:", "\n\nAssistant:")


def scan_text(ctx: Ctx, text: str, message_index: int | None, path: str) -> None:
    """Special tokens (error), other chat-template markers (warning), U+FFFD (warning)."""
    if "<|" in text:
        found = [t for t in SPECIAL_TOKENS if t in text]
        if found:
            where = ctx.where(message_index) if message_index is not None else ctx.where()
            ctx.add(SPECIAL_TOKEN_TEXT,
                    f"Invalid file format. {where} contains an invalid token: {found[0]}"
                    + (f" (and {', '.join(found[1:])})" if len(found) > 1 else "") + ".",
                    "Remove or escape the special-token text (e.g. write '<| endoftext |>'); OpenAI rejects "
                    "training files whose text contains tokenizer special tokens.",
                    path=path, message_index=message_index)
        else:
            match = _TEMPLATE_TOKEN.search(text)
            if match:
                _template_leak(ctx, match.group(0), message_index, path)
                return
    for marker in _TEMPLATE_MARKERS:
        if marker in text:
            _template_leak(ctx, marker.strip(), message_index, path)
            break
    if "\ufffd" in text:
        ctx.add(REPLACEMENT_CHARACTER,
                "Text contains U+FFFD replacement characters ('\ufffd'): some characters were lost when the data "
                "was decoded with the wrong encoding.",
                "Re-export the source data as UTF-8 and regenerate this example.",
                path=path, message_index=message_index)


def _template_leak(ctx: Ctx, marker: str, message_index: int | None, path: str) -> None:
    ctx.add(CHAT_TEMPLATE_TEXT,
            f"Text contains the chat-template marker {marker!r}: the data seems to include another model's "
            "prompt template. OpenAI formats messages itself, so the model would learn to print these markers.",
            "Split the text into proper messages (role/content) and remove the template markers.",
            path=path, message_index=message_index)


def is_padded(text: str) -> bool:
    """Leading or trailing whitespace (cheap: looks at two characters)."""
    return bool(text) and (text[0].isspace() or text[-1].isspace())


def report_padding(ctx: Ctx, indices: list[int]) -> None:
    """One info per example listing messages whose text starts or ends with whitespace."""
    numbers = ", ".join(str(i + 1) for i in indices[:8]) + (" ..." if len(indices) > 8 else "")
    ctx.add(SURROUNDING_WHITESPACE,
            f"{ctx.where()}: the text of message(s) {numbers} starts or ends with whitespace or newlines. "
            "The model learns to reproduce trailing whitespace in assistant replies.",
            "Strip leading/trailing whitespace unless it is intended (legacy completions conventionally start "
            "with one space).",
            path=f"$.messages[{indices[0]}].content", message_index=indices[0])
