"""Text from files, names and servers placed inside Textual markup, shown as written.

`textual.markup.escape` only escapes what looks like a lower-case tag: "[EMAIL]" or "[REDACTED_API_KEY]"
(our own redaction placeholders) still read as tags and vanish, so every "[" is escaped here.
"""

from __future__ import annotations


def literal(text: str) -> str:
    """`text` as markup that renders it unchanged (every "[" escaped). A backslash right before a
    bracket stays a backslash: Textual only reads the one next to the bracket as its escape."""
    return text.replace("[", "\\[")
