"""Token counts without an encoding file: an estimate that errs high, never low.

Used only when tiktoken's encoding is missing and the user allowed estimates. An estimate must
never reassure (a file that "fits" by estimate and is over the limit for real, a cost that is a
third of the truth), so this is built as an upper bound rather than a best guess:

- runs of 6 or more letters and digits mixed (hex, base64, ids, hashes) count one token per
  character;
- the rest is split with o200k_base's own pre-tokenizer pattern: every piece is at least one
  token (BPE never merges across pieces), so digit runs (at most 3 digits per piece) are counted piece by
  piece, not by length;
- a piece that looks like a word (vowels, no long consonant run) counts 1 + len/4 tokens; other
  ASCII letter runs (identifiers, random strings) 1 + len/1.7; punctuation runs 3 tokens per
  4 characters; whitespace 1 per 8 characters; non-ASCII characters 2 each (3 outside the BMP),
  Latin-with-diacritics 0.6 (cl100k_base, with fewer non-Latin merges: 3 and 1 + len/1.5);
- the result never exceeds the UTF-8 byte count, the hard bound of a byte-level BPE.

Measured against tiktoken o200k_base (tests/unit/tokens/test_estimate.py): no example of the
shared datasets is underestimated (their total comes out 1.8x the exact count), nor are runs of
digits, hex, base64, ids or random letters, nor runs of 40+ random CJK, emoji, Cyrillic or Thai
characters. It is not a proof: a single rare character can take 3 tokens (its UTF-8 bytes), so a
few rare characters alone can exceed it; the only strict bound is the byte count, which this never
exceeds.
"""

from __future__ import annotations

import math
from functools import cache


@cache
def _patterns():
    """(pieces, mixed runs, consonant runs): compiled on first use, since importing `regex` costs
    ~80 ms that every `tunescope check` paid though only a run without the encoding file estimates."""
    import regex

    # o200k_base's pre-tokenizer (tiktoken_ext.openai_public): tokens never span two of these pieces.
    pieces = regex.compile("|".join((
        r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
        r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
        r"\p{N}{1,3}", r" ?[^\s\p{L}\p{N}]+[\r\n/]*", r"\s*[\r\n]+", r"\s+(?!\S)", r"\s+",
    )))
    # Letters and digits mixed (hex, base64, ids, hashes): tokenizers cut these into very short tokens.
    mixed = regex.compile(r"(?=[A-Za-z0-9+/=_-]*[0-9])(?=[A-Za-z0-9+/=_-]*[A-Za-z])[A-Za-z0-9+/=_-]{6,}")
    return pieces, mixed, regex.compile(r"[^aeiouyAEIOUY]{3,}")

_VOWELS = frozenset("aeiouyAEIOUY")

WORD_CHARS_PER_TOKEN = 4          # a word-like piece: 1 token + 1 per 4 characters
OTHER_CHARS_PER_TOKEN = 1.7       # identifiers, random letters: ~0.6 token per character
OTHER_CHARS_PER_TOKEN_WIDE = 1.5
PUNCT_TOKENS_PER_CHAR = 0.75
SPACE_CHARS_PER_TOKEN = 8


# cl100k_base has far fewer non-Latin merges than o200k_base: random letters run ~0.63 token per
# character and rare CJK up to 3 (its byte count), so it gets wider margins.
_WIDE = frozenset({"cl100k_base", "p50k_base", "r50k_base"})


def estimate_tokens(text: str, encoding: str = "o200k_base") -> int:
    """An upper estimate of the token count of `text` in `encoding` (see the module docstring)."""
    if not text:
        return 0
    wide = encoding in _WIDE
    n = start = 0
    for run in _patterns()[1].finditer(text):
        if run.start() > start:
            n += _pieces_tokens(text[start:run.start()], wide)
        n += len(run.group())                 # hex, base64, ids: a token per character
        start = run.end()
    n += _pieces_tokens(text[start:], wide)
    return max(1, min(n, len(text.encode("utf-8", "surrogatepass"))))


def _pieces_tokens(text: str, wide: bool) -> int:
    return sum(_piece_tokens(piece, wide) for piece in _patterns()[0].findall(text)) if text else 0


def _piece_tokens(piece: str, wide: bool) -> int:
    if not piece.isascii():
        bmp = 3 if wide else 2
        cost = sum(0.34 if c < "\x80" else 0.6 if c < "\u0250" else bmp if c <= "\uffff" else 3 for c in piece)
        return max(1, math.ceil(cost))
    if piece.isspace():
        return 1 + len(piece) // SPACE_CHARS_PER_TOKEN
    if piece.isdigit():
        return 1
    core = piece if piece[:1].isalpha() else piece[1:]
    if core.isalpha():
        if _word_like(core):
            return 1 + len(core) // WORD_CHARS_PER_TOKEN
        return 1 + int(len(piece) // (OTHER_CHARS_PER_TOKEN_WIDE if wide else OTHER_CHARS_PER_TOKEN))
    return max(1, math.ceil(len(piece) * PUNCT_TOKENS_PER_CHAR))


def _word_like(core: str) -> bool:
    """Short, with vowels and no long consonant run: most such pieces are one or two tokens."""
    if len(core) > 14:
        return False
    vowels = sum(c in _VOWELS for c in core)
    return vowels >= 0.3 * len(core) and not _patterns()[2].search(core)
