"""Degenerate repetition: an assistant reply that repeats one phrase many times.

Generated data sometimes loops ("I'm sorry. I'm sorry. I'm sorry..."), and a model trained on it
learns to loop. Three cheap scans, each linear in the reply's length:

- a phrase of 1-8 words repeated back to back (at least 4 times, and over at least 12 words:
  a single word needs 12 repeats, so "very, very" emphasis passes);
- one sentence of 3+ words said 4 or more times anywhere in the reply, making up a third of it;
- for text with almost no spaces (CJK, Thai, runs of symbols): a 2-30 character unit with a
  letter in it, repeated 8+ times back to back.
Text in fenced code blocks is skipped (code repeats lines legitimately).

Where the optional C module is built (tunescope.quality._native), its `loop_gate` counts the words,
the repeated words and whether a back-to-back loop is possible in one pass over the string, so the
common reply (no loop) never becomes a list of Python words; the scans that confirm a loop still
run on real words here, so the findings are the same with or without it.
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from itertools import count, islice

from tunescope.checks.context import Ctx, one_line
from tunescope.checks.registry import W, check
from tunescope.quality.native import native as _native

REPEATED_PHRASE = check(
    "repeated_phrase", W, "content", "Repeated phrase",
    "An assistant reply repeats one phrase or sentence many times (degenerate, looping output).")

MAX_PHRASE_WORDS = 8
MIN_REPEATS = 4
MIN_SPAN_WORDS = 12
MIN_SENTENCE_REPEATS = 4
LOOP_RUN = MIN_SPAN_WORDS - MIN_REPEATS + 1   # 4 repeats over 12+ words: 9 words in a row repeat a near word
SCAN_CHARS = 20_000                  # the start of a very long reply is enough to see a loop
EDGE_WORDS = 600                     # words scanned at each end of a long reply
UNIT_SCAN_CHARS = 8_000              # the character-unit regex is the costly scan: less text

_FENCE = re.compile(r"```.*?(?:```|\Z)", re.S)
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+|\n+")
_UNIT = re.compile(r"(.{2,30}?)\1{7,}", re.S)
_SENTENCE_ENDS = tuple(".!?。！？\n")
_LETTER = re.compile(r"[^\W\d_]")


def repeated_phrase(text: str) -> tuple[str, int] | None:
    """(the repeated phrase, how many times) when `text` loops, else None."""
    if len(text) < 24:
        return None
    text = text[:SCAN_CHARS]
    if "```" in text:
        text = _FENCE.sub("\n", text)
    if _native is not None:
        n_words, repeated, may_loop = _native.loop_gate(text, EDGE_WORDS, MAX_PHRASE_WORDS, LOOP_RUN)
        words = None
    else:
        words = _words(text)
        n_words = len(words)
        # A loop repeats words: 4 repeats over 12+ words leave at least 9 repeated words, and a sentence
        # said 4 times as a third of the reply leaves at most 3/4 of the words distinct (set() is cheap).
        repeated = n_words - len(set(words))
        may_loop = repeated >= LOOP_RUN and _may_loop(words)
    if repeated >= LOOP_RUN:
        found = (_back_to_back(words if words is not None else _words(text)) if may_loop else None) \
            or (_same_sentence(text) if repeated * 4 >= n_words else None)
        if found:
            return found
    return _unit_run(text, n_words)


def _words(text: str) -> list[str]:
    """The words the scans compare: lower-cased, split at whitespace (punctuation stays: "sorry."
    repeats as "sorry." does); a long reply's first and last EDGE_WORDS (loops run to the end of a
    reply, or start it)."""
    words = text.lower().split()
    if len(words) > 2 * EDGE_WORDS:
        words = words[:EDGE_WORDS] + words[-EDGE_WORDS:]
    return words


def _may_loop(words: list[str]) -> bool:
    """False when no phrase of 1-8 words can repeat back to back: such a loop makes 9 or more words in a
    row each repeat a word at most 8 places back (the run _back_to_back looks for is that long at
    least). One pass in C: the distance of each word to its previous occurrence, from a stable sort
    of first-occurrence ids, instead of one comparison pass per phrase length."""
    import numpy as np   # heavy (~0.1 s): imported by the first reply long enough to loop, not by every command
    first: dict = {}
    ids = np.fromiter(map(first.setdefault, words, count()), dtype=np.int64, count=len(words))
    order = np.argsort(ids, kind="stable")
    same = ids[order[1:]] == ids[order[:-1]]
    near = np.zeros(len(words), dtype=bool)
    near[order[1:][same]] = (order[1:] - order[:-1])[same] <= MAX_PHRASE_WORDS
    return near.tobytes().find(b"\x01" * LOOP_RUN) >= 0


def _back_to_back(words: list[str]) -> tuple[str, int] | None:
    """A phrase of n words repeated back to back: words[k] == words[k + n] over a long run of k.

    The comparisons, the run search and the counting run in C (map, bytes, find): a reply of
    thousands of words costs microseconds, not a Python loop per word and phrase length.
    """
    best = None
    n_words = len(words)
    for n in range(1, MAX_PHRASE_WORDS + 1):
        need = max(MIN_REPEATS, -(-MIN_SPAN_WORDS // n))
        if n * need > n_words:
            break
        same = bytes(map(operator.eq, words, islice(words, n, None)))
        target = b"\x01" * (n * (need - 1))
        at = same.find(target)
        while at >= 0:
            end = at + len(target)
            while end < len(same) and same[end]:
                end += 1
            repeats = (end - at) // n + 1
            phrase = words[at:at + n]
            if any(c.isalpha() for w in phrase for c in w):
                if best is None or repeats * n > best[1] * len(best[0].split()):
                    best = (" ".join(phrase), repeats)
                break
            at = same.find(target, end)
    return best


def _same_sentence(text: str) -> tuple[str, int] | None:
    # each split point follows its own end mark or holds a newline: too few of them, too few parts
    if sum(map(text.count, _SENTENCE_ENDS)) < MIN_SENTENCE_REPEATS - 1:
        return None
    parts = _SENTENCE.split(text)
    if len(parts) < MIN_SENTENCE_REPEATS:
        return None
    sentences = [p.strip().lower() for p in parts if p.count(" ") >= 2 and _LETTER.search(p)]
    if len(sentences) < MIN_SENTENCE_REPEATS or len(set(sentences)) > len(sentences) - MIN_SENTENCE_REPEATS + 1:
        return None
    sentence, count = Counter(sentences).most_common(1)[0]
    if count >= MIN_SENTENCE_REPEATS and count * len(sentence) * 3 >= sum(len(s) for s in sentences):
        return sentence, count
    return None


def _unit_run(text: str, n_words: int) -> tuple[str, int] | None:
    if n_words * 20 > len(text):          # spaced text (prose, code): the word scans above apply
        return None
    for m in _UNIT.finditer(text[:UNIT_SCAN_CHARS]):
        unit = m.group(1)
        if any(c.isalpha() for c in unit) and unit.strip():
            return unit, len(m.group(0)) // len(unit)
    return None


def report_repetition(ctx: Ctx, text: str, message_index: int | None, path: str) -> None:
    found = repeated_phrase(text)
    if found is None:
        return
    phrase, count = found
    where = ctx.where(message_index) if message_index is not None else ctx.where()
    ctx.add(REPEATED_PHRASE,
            f"{where}: the assistant reply repeats \"{one_line(phrase, 60)}\" {count} times; a model trained on "
            "looping text learns to loop.",
            "Regenerate or trim the reply so each point is said once.", path=path, message_index=message_index)
