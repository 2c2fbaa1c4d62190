"""Exact token counts of one huge pre-token (30 MB of "a", of CJK without punctuation, of "!",
of spaces) in bounded memory and linear time: tiktoken would run BPE over it in one go (memory
grows with it; on a long run of spaces its regex overflows the stack).

**Where the pre-token is.** long_text.py hands over a stretch text[h1:h2] between two proven
pre-token boundaries. It is handled here when it starts with a long *uniform run*: characters of
one class that every character class of both patterns either wholly contains or wholly excludes:
lowercase letters (Ll), upper/titlecase letters (Lu, Lt), caseless letters (Lm, Lo: CJK, kana,
Hangul...), punctuation/symbols (not L, N, M, whitespace), blanks (space, tab), newlines. A
letter run may follow one prefix character X (`[^\\r\\n\\p{L}\\p{N}]`, not "'", not a mark).
The pre-token P starting at h1 covers the run (a letter pattern with X as its optional prefix;
the punctuation pattern, as the letter patterns need a letter after their one-character prefix;
the whitespace patterns, whose quantifiers are greedy over the run), and for every q at least
two characters inside the run (r1 + 2 <= q <= r2 - 2):

- text[h1:q] is one pre-token (the same patterns match it to its end: the letter pattern for
  Lu runs falls back from o200k's first to its second alternative, `\\s+(?!\\S)` and
  `\\s++$` take all of a blank run);
- text[q:h2] starts with P[q:], followed by P's successors: a match from q sees the same
  characters as P's match from h1 beyond q, all quantifiers over the run are greedy, and the
  alternatives before P's fail at q as they failed at h1 (the letter prefix and " ?" need a
  letter or punctuation at q + 1, which is inside the run).

**Cutting inside the pre-token.** BPE inside P is exact when cut at a token boundary of BPE(P),
and such a boundary is proven locally (github/rust-gems crates/bpe README, corollaries II and
III: a sub-sequence of a valid encoding is valid; two valid encodings joined by a valid pair of
tokens are valid; a valid encoding of a text is its BPE): if E = BPE(P[h1:q]) and F = BPE(P[q:q'])
and the pair (last of E, first of F) is its own BPE (tiktoken's BPE of their joined bytes gives
back the two tokens), then BPE(P[h1:q']) = E + F. The walk extends the prefix chunk by chunk;
when a pair fails, the cut moves back to a token boundary in the middle of the last chunk (a
prefix of a valid encoding is valid, so nothing is re-encoded) and the walk goes on from there;
a last chunk of one token (tokens longer than a chunk: 128 spaces) is undone and taken again at
twice the length. BPE of one piece without the regex is tiktoken's `_encode_single_piece` (it
has no public name). A stretch that fits none of this, or a walk that keeps failing, returns
None: the caller then encodes it in one go (exact, unbounded).
"""

from __future__ import annotations

import regex

CHUNK = 1 << 14              # characters of the run encoded at once
MIN_RUN = 4 * CHUNK          # shorter runs are left to one tiktoken call
_RETRIES = 8                 # failed pairs in a row before giving up on a run
_MAX_CHUNK = 16 * CHUNK      # chunks grow (a run of tokens longer than a chunk) up to this

_PREFIX = regex.compile(r"[^\r\n\p{L}\p{N}\p{M}\p{Cn}\p{Cs}']")
_LETTER_RUNS = (regex.compile(r"\p{Ll}+"), regex.compile(r"[\p{Lu}\p{Lt}]+"), regex.compile(r"[\p{Lm}\p{Lo}]+"))
_OTHER_RUNS = (regex.compile(r"[^\p{L}\p{N}\p{M}\p{White_Space}\p{Cn}\p{Cs}]+"), regex.compile(r"[ \t]+"),
               regex.compile(r"\n+"))


def uniform_run(text: str, h1: int, h2: int) -> tuple[int, int] | None:
    """(r1, r2) of the uniform run text[h1:h2] starts with (after a letter prefix), or None."""
    r1 = h1 + 1 if _PREFIX.match(text, h1, h2) else h1
    for pattern in _LETTER_RUNS:
        m = pattern.match(text, r1, h2)
        if m:
            return m.span()
    for pattern in _OTHER_RUNS:
        m = pattern.match(text, h1, h2)
        if m:
            return m.span()
    return None


def count_run_stretch(encoding, text: str, h1: int, h2: int, piece: int = CHUNK) -> int | None:
    """Tokens of text[h1:h2] (h1, h2 pre-token boundaries) when it starts with a long uniform
    run, else None."""
    if not hasattr(encoding, "_encode_single_piece"):     # tiktoken has no public BPE of one piece
        return None
    chunk = max(3, min(piece, CHUNK))
    span = uniform_run(text, h1, h2)
    if span is None or span[1] - span[0] < max(4 * chunk, 16):
        return None
    return _Walk(encoding, text, h1, h2, (span[0] + 2, span[1] - 2), chunk).run()


class _Walk:
    """BPE of the pre-token starting at h1, extended a chunk at a time (see the module doc)."""

    def __init__(self, encoding, text: str, h1: int, h2: int, cuts: tuple[int, int], chunk: int):
        self.encoding, self.text, self.h2, self.chunk = encoding, text, h2, chunk
        self.first_cut, self.last_cut = cuts     # soft cuts stay two characters inside the run
        self.start = h1
        self.total = 0                       # tokens of text[h1:start]
        self.tokens: list[int] = []          # BPE of the last chunk (its last token ends at start)
        self.pairs: dict[tuple[int, int], bool] = {}
        self.previous: tuple[int, list[int], int] | None = None    # the state before the last chunk

    def run(self) -> int | None:
        failures = 0
        grow = 1                             # chunks are taken longer after one had to be undone
        while True:
            end = self.start + self.chunk * grow
            final = end > self.last_cut
            piece = self.text[self.start:self.h2 if final else end]
            tokens = (self.encoding.encode_ordinary(piece) if final
                      else self.encoding._encode_single_piece(piece))
            if not self.tokens or self._valid_pair(self.tokens[-1], tokens[0]):
                if final:
                    return self.total + len(tokens)
                self.previous = (self.total, self.tokens, self.start)
                self.total += len(tokens)
                self.tokens, self.start, failures = tokens, end, 0
                continue
            failures += 1
            if failures > _RETRIES:
                return None
            if not self._back_off():         # the last chunk is one token: undo it, redo it longer
                if self.previous is None or self.chunk * grow > _MAX_CHUNK:
                    return None
                self.total, self.tokens, self.start = self.previous
                self.previous, grow = None, grow * 2

    def _valid_pair(self, left: int, right: int) -> bool:
        key = (left, right)
        if key not in self.pairs:
            joined = self.encoding.decode_single_token_bytes(left) + self.encoding.decode_single_token_bytes(right)
            self.pairs[key] = self.encoding._encode_single_piece(joined) == [left, right]
        return self.pairs[key]

    def _back_off(self) -> bool:
        """Move the cut back to a token boundary near the middle of the last chunk."""
        tokens = self.tokens
        if len(tokens) < 2:
            return False
        lengths = [len(self.encoding.decode_single_token_bytes(t)) for t in tokens]
        raw = b"".join(self.encoding.decode_single_token_bytes(t) for t in tokens)
        keep = len(tokens) // 2
        offset = sum(lengths[:keep])
        while keep > 0 and (raw[offset] & 0xC0) == 0x80:      # not at a character boundary
            keep -= 1
            offset -= lengths[keep]
        dropped_chars = len(raw[offset:].decode("utf-8"))
        if keep == 0 or self.start - dropped_chars < self.first_cut:
            return False
        self.total -= len(tokens) - keep
        self.tokens = tokens[:keep]
        self.start -= dropped_chars
        return True
