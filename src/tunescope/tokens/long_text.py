"""Exact token counts of huge strings in bounded memory: encode them piece by piece, split only
where tiktoken's pre-tokenizer is guaranteed to split.

tiktoken first cuts text into pieces with a regex and then runs BPE inside each piece, so the
count of a text is the sum over its pieces; cutting the text at a position p gives the same
count whenever (1) p is a piece boundary of the whole text and (2) the pieces of text[:p] and
text[p:] are those of the whole on either side. Neither pattern (o200k_base, cl100k_base) has a
lookbehind, so (2) holds on the right of p; on the left the only look past p is `(?!\\S)` and,
in cl100k, `\\s++$`. Two kinds of position qualify:

- **after a newline, before a non-space that is not "/"**: no piece reaches across a newline
  into a following non-space (the letter patterns' optional first character excludes \\r and
  \\n; the punctuation pattern's tail takes only [\\r\\n/] in o200k and [\\r\\n] in cl100k, hence
  no "/"; the whitespace patterns stop at the non-space), and on the left the whitespace run
  ending in that newline is one piece either way (`\\s*[\\r\\n]+`; cl100k's `\\s++$` at the end
  of text[:p] takes the same run);
- **at a space between two letters**: the letter run on the left ends at the space either way,
  and the space starts the next piece (" word") in both.

A text with neither for a whole window is encoded in one go (still exact). The property test
(tests/unit/tokens/test_long_text.py) checks the sum equals the whole-string count on generated
texts for both encodings.
"""

from __future__ import annotations

import re
from collections.abc import Callable

PIECE = 1 << 18              # characters encoded at once (a 30 MB string: about 120 calls)
WINDOW = 1 << 16             # how far past the target a split point is looked for
LONG = 2 * PIECE             # strings longer than this are counted piece by piece

_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d_]) (?=[^\W\d_])")


def split_point(text: str, target: int, end: int) -> int | None:
    """The first safe split position in [target, min(end, target + WINDOW)), or None."""
    stop = min(end, target + WINDOW)
    i = text.find("\n", target - 1, stop - 1)
    while i != -1:
        nxt = text[i + 1]
        if not nxt.isspace() and nxt != "/":
            return i + 1
        i = text.find("\n", i + 1, stop - 1)
    for m in _BETWEEN_LETTERS.finditer(text, target, stop):
        p = m.start()
        if text[p - 1].isalpha() and text[p + 1].isalpha():
            return p
    return None


def count_long(encode: Callable[[str], list], text: str, piece: int = PIECE) -> int:
    """len(encode(text)), computed on pieces of about `piece` characters cut at safe points."""
    total = 0
    start = 0
    n = len(text)
    while n - start > piece:
        p = split_point(text, start + piece, n)
        if p is None:                       # no safe point nearby: look further on
            p = _next_safe(text, start + piece + WINDOW, n)
        if p is None:
            break
        total += len(encode(text[start:p]))
        start = p
    return total + len(encode(text[start:] if start else text))


def _next_safe(text: str, target: int, n: int) -> int | None:
    while target < n:
        p = split_point(text, target, n)
        if p is not None:
            return p
        target += WINDOW
    return None
