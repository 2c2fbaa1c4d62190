"""Exact token counts of huge strings in bounded memory: encode them piece by piece, cut only
where tiktoken's pre-tokenizer is guaranteed to cut (and, inside one huge pre-token, where the
byte-pair merges are proven not to cross; see long_runs.py).

tiktoken first cuts text into pre-tokens with a regex and then runs BPE inside each one, so the
count of a text is the sum over its pre-tokens; cutting the text at a position p gives the same
count whenever (1) p is a pre-token boundary of the whole text and (2) the pre-tokens of
text[:p] and text[p:] are those of the whole on either side. The two patterns (o200k_base and
cl100k_base `pat_str` in tiktoken_ext/openai_public.py) have no lookbehind, so (2) holds on the
right of p; on the left the only looks past p are `(?!\\S)` and cl100k's `\\s++$`, both reached
only after a whitespace character. So with a = text[p-1] not whitespace, p is safe as soon as
no alternative of either pattern can consume b = text[p] right after a in one pre-token: every
match that reads a then never takes b, in the whole text as in text[:p]. Which pairs (a, b) can
sit in one pre-token (L letter, M mark, N number, S whitespace, P anything else):

- o200k: letters `[^\\r\\n\\p{L}\\p{N}]?[..L..M]*[..L..M]+('s|'t|...)?`: (a, L|M) for a not N, \\r,
  \\n; (L|M, "'"); numbers `\\p{N}{1,3}`: (N, N); punctuation ` ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*`:
  (" ", P), (P, P|\\r|\\n); whitespace: (S, S).
- cl100k: `[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++`: (a, L) for a not N, \\r, \\n; `\\p{N}{1,3}+`: (N, N);
  ` ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+` (marks count as P here): (" ", P|M), (P|M, P|M|\\r|\\n);
  contractions `'(?i:[sdmt]|ll|ve|re)`: ("'", L), (L, L); whitespace: (S, S).

Hence these cut points (each avoids every pair above for both encodings; the classes come from
the `regex` module's Unicode tables, and characters unassigned there never take part, as
tiktoken's tables may be newer; a character whose category changed between the two versions
could still mislead a rule):

- **number edges**: a not whitespace and exactly one of a, b a number (only number pre-tokens
  hold numbers);
- **letter then whitespace**, **letter then punctuation** other than "'" and **letter then
  "'" not followed by a letter or mark** (a contraction needs a letter after the "'");
- **punctuation then whitespace** other than \\r and \\n (the punctuation tails take only
  [\\r\\n/]);
- **two punctuation characters then a letter**, the first not "/": the punctuation run is one
  greedy pre-token (the letter pattern's one-character prefix would need a letter right after
  the first of them), so it ends before the letter; a "/" may instead be the end of o200k's tail
  `[\\r\\n/]*` after a newline ("/\\n/'a" is "/\\n/" then "'a");
- **digits in threes**: inside a run of numbers that starts at s (a pre-token boundary, as only
  number pre-tokens hold numbers), `\\p{N}{1,3}` cuts at s + 3k; s is the run's start or, as
  the text is walked from its start, any earlier cut inside the run;
- **after a newline, before a non-space that is not "/"**: no pre-token reaches across a
  newline into a following non-space (the letter patterns' prefix excludes \\r and \\n; the
  punctuation tail takes only [\\r\\n/] in o200k and [\\r\\n] in cl100k, hence no "/"; the
  whitespace patterns stop at the non-space), and on the left the whitespace run ending in that
  newline is one pre-token either way (`\\s*[\\r\\n]+`; cl100k's `\\s++$` takes the same run).

A stretch with none of these (a huge run of one letter class, punctuation or blanks: one huge
pre-token) goes to long_runs.py, which cuts inside the pre-token where the byte-pair merges
provably do not cross; anything else is encoded in one go (still exact). The property tests
(tests/unit/tokens/test_long_text.py) check the sum equals the whole-string count on generated
texts for both encodings.
"""

from __future__ import annotations

import regex

from tunescope.tokens.long_runs import count_run_stretch

PIECE = 1 << 18              # characters encoded at once (a 30 MB string: about 120 calls)
WINDOW = 1 << 16             # how far past the target a split point is looked for
LONG = 2 * PIECE             # strings longer than this are counted piece by piece

_P = r"[^\p{L}\p{N}\p{M}\p{White_Space}\p{Cn}\p{Cs}]"          # punctuation, symbols, emoji...
_CUT = regex.compile(
    r"(?<=\n)(?=[^\p{White_Space}\p{Cn}\p{Cs}/])"                # after a newline
    r"|(?<=[^\p{White_Space}\p{N}\p{Cn}\p{Cs}])(?=\p{N})"         # into a number
    r"|(?<=\p{N})(?=[^\p{N}\p{Cn}\p{Cs}])"                        # out of a number
    r"|(?<=\p{L})(?=\p{White_Space}|" + _P[:-1] + "'])"           # letter, then space or punctuation
    r"|(?<=\p{L})(?='(?:[^\p{L}\p{M}\p{Cn}\p{Cs}]|\Z))"           # letter, then "'" not before a letter
    r"|(?<=" + _P + r")(?=(?![\r\n])\p{White_Space})"             # punctuation, then a blank
    r"|(?<=" + _P[:-1] + "/]" + _P + r")(?=\p{L})")               # two punctuation, then a letter
_UNIFORM = regex.compile(r"\p{L}++|" + _P + r"++|[ \t]++|\n++")
_NOT_NUMBER_BEFORE = regex.compile(r"\P{N}", flags=regex.REVERSE)
_CUT_BEFORE = regex.compile(_CUT.pattern, flags=regex.REVERSE)


def split_point(text: str, target: int, end: int, start: int = 0) -> int | None:
    """The first safe cut in [target, min(end, target + WINDOW)), or None. `start`: a known
    pre-token boundary at or before target (the walk's last cut), for the digit groups."""
    stop = min(end, target + WINDOW)
    if target >= stop:
        return None
    best = None
    if _is_number(text, target - 1) and _is_number(text, target):     # inside a run of numbers
        before = _NOT_NUMBER_BEFORE.search(text, start, target)
        run_start = before.end() if before else start
        p = target + (run_start - target) % 3
        if p < stop and _is_number(text, p - 1) and _is_number(text, p):
            best = stop = p
    if best != target and _CUT.match(text, target, stop):
        return target
    run = _UNIFORM.match(text, target, stop)         # no rule cuts inside these: skip them at C speed
    m = _CUT.search(text, run.end() if run else target, stop)
    return m.start() if m else best


def _is_number(text: str, i: int) -> bool:
    return 0 <= i < len(text) and regex.match(r"\p{N}", text[i]) is not None


def count_long(encoding, text: str, piece: int = PIECE) -> int:
    """len(encoding.encode_ordinary(text)), computed on pieces of about `piece` characters."""
    encode = encoding.encode_ordinary
    total = 0
    start = 0
    n = len(text)
    while n - start > piece:
        p = split_point(text, start + piece, n, start)
        if p is None:
            further = start + piece + WINDOW                       # no cut nearby: a huge pre-token, or cuts further on
            last = _CUT_BEFORE.search(text, start, start + piece)
            if last is not None and last.start() > start:   # count up to the last cut, then what follows
                total += len(encode(text[start:last.start()]))
                start = last.start()
            p = _next_safe(text, further, n, start)
            stretch_end = n if p is None else p
            counted = count_run_stretch(encoding, text, start, stretch_end, piece)
            if counted is None and p is None:
                break
            total += len(encode(text[start:p])) if counted is None else counted
            start = stretch_end
            continue
        total += len(encode(text[start:p]))
        start = p
    return total + (len(encode(text[start:] if start else text)) if start < n else 0)


def _next_safe(text: str, target: int, n: int, start: int) -> int | None:
    while target < n:
        p = split_point(text, target, n, start)
        if p is not None:
            return p
        target += WINDOW
    return None
