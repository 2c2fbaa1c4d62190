"""Huge strings are counted piece by piece, cut only where tiktoken's pre-tokenizer cuts: the sum
equals the whole-string count (a property test over texts built from the characters the
pre-tokenizer patterns treat differently), for both encodings, in bounded memory."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunescope.tokens.count import TokenCounter
from tunescope.tokens.encodings import get_encoding
from tunescope.tokens.long_text import count_long, split_point

# letters (upper, lower, titlecase, other, non-Latin), a combining mark, digits (and a non-decimal one),
# whitespace of every kind the patterns name, "/" (o200k's punctuation tail), apostrophes for contractions
ALPHABET = list("aZéßǅ日ж\u0301") + list("0123½") + [" ", "  ", "\n", "\r\n", "\t", "\n\n", " \n"] + \
    list("/'!.-_😀") + ["'s", "'LL", " word", "Word", "\n/", "\n ", "\n1", "\nA"]
ENCODINGS = ("o200k_base", "cl100k_base")

texts = st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=300).map("".join)


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(min_value=1, max_value=40))
def test_piecewise_count_equals_the_whole_string_count(text, piece):
    for name in ENCODINGS:
        encode = get_encoding(name).encode_ordinary
        assert count_long(encode, text, piece=piece) == len(encode(text)), (name, text)


def test_split_points_are_where_the_rules_say():
    assert split_point("abc\ndef", 1, 7) == 4                 # after a newline, before a letter
    assert split_point("abc\n/def", 1, 8) is None             # not before "/" (o200k glues "\n/")
    assert split_point("abc\n def", 1, 8) is None             # "\n " is one whitespace run: no rule applies
    assert split_point("ab cd", 1, 5) == 2                     # a space between two letters
    assert split_point("12 34", 1, 5) is None                 # a space between digits is no boundary


def test_a_long_string_is_counted_exactly_through_the_counter():
    text = ("Line of text with some words, numbers 12345 and punctuation!\n" * 20000
            + "word " * 100000)                               # ~1.7 MB: over the piecewise threshold
    counter = TokenCounter("o200k_base", cache_size=0)
    assert counter.count_text(text) == len(get_encoding("o200k_base").encode_ordinary(text))


@pytest.mark.slow
def test_a_30_mb_string_in_bounded_memory():
    """The whole-string encode of 30 MB peaks far above 200 MB; piece by piece stays under it."""
    code = (
        "import resource, time\n"
        "from tunescope.tokens.count import TokenCounter\n"
        "text = ('Some words, a number 123 and more words here.\\n' * 50 + 'x' * 40 + ' ') * 13000\n"
        "assert len(text) > 30_000_000\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "n = TokenCounter('o200k_base', cache_size=0).count_text(text)\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(n, (after - before) // 1024)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ),
                         timeout=600)
    assert out.returncode == 0, out.stderr
    tokens, grown_mb = map(int, out.stdout.split())
    assert tokens > 5_000_000 and grown_mb < 200, out.stdout
