"""Huge strings are counted piece by piece, cut only where tiktoken's pre-tokenizer cuts: the sum
equals the whole-string count (a property test over texts built from the characters the
pre-tokenizer patterns treat differently), for both encodings, in bounded memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunescope.tokens.count import TokenCounter
from tunescope.tokens.encodings import get_encoding
from tunescope.tokens.long_runs import count_run_stretch
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
        encoding = get_encoding(name)
        assert count_long(encoding, text, piece=piece) == len(encoding.encode_ordinary(text)), (name, text)


# runs of every class the cut rules and the in-run walk tell apart: letters of each case class, CJK and kana,
# digits (and a non-decimal number), punctuation, emoji (with a variation selector and a joiner), marks, blanks,
# newlines, "/", "'"; repeated so long runs (one huge pre-token) appear next to every kind of neighbour
RUN_UNITS = list("aZéǅ日カー한ж\u0301") + list("05½") + list("!./'\"{}:,=+-_😀") + ["\ufe0f", "\u200d", "😀\ufe0f"] + \
    [" ", "\t", "\n", "\r\n", "'s", "ab", "Ab", "aB", "12", "日本"]
runs = st.lists(st.tuples(st.sampled_from(RUN_UNITS), st.integers(min_value=1, max_value=80)),
                min_size=1, max_size=12).map(lambda parts: "".join(unit * count for unit, count in parts))
BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
base64_texts = st.text(alphabet=BASE64, min_size=1, max_size=400).map(lambda t: t + "=" * (len(t) % 3))
json_texts = st.recursive(st.one_of(st.integers(), st.text(alphabet="ab日😀 '\\/\n1", max_size=12), st.booleans()),
                          lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                  st.dictionaries(st.text(alphabet="kx_", max_size=4), inner,
                                                                  max_size=4)),
                          max_leaves=30).map(lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":")))


@settings(max_examples=300, deadline=None)
@given(st.one_of(runs, base64_texts, json_texts), st.integers(min_value=1, max_value=40))
def test_runs_base64_and_json_count_the_same_piece_by_piece(text, piece):
    for name in ENCODINGS:
        encoding = get_encoding(name)
        assert count_long(encoding, text, piece=piece) == len(encoding.encode_ordinary(text)), (name, text, piece)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["a", "Z", "日本語", "カ", "!", "😀", "=", " ", "\t", "\n", "ab"]),
       st.sampled_from(["", " ", "x ", "\"", "1", ":\""]), st.sampled_from(["", ".", " x", "1", "B", "\n", "'s"]),
       st.integers(min_value=40, max_value=400), st.integers(min_value=3, max_value=9))
def test_a_huge_pre_token_is_walked_inside_and_counted_exactly(unit, before, after, count, piece):
    """One long run (one pre-token) between any neighbours; the walk inside it cuts where BPE provably does not
    merge across, backing off when a pair of tokens is not its own encoding (e.g. piece 9 inside "aaaa")."""
    text = before + unit * count + after
    for name in ENCODINGS:
        encoding = get_encoding(name)
        assert count_long(encoding, text, piece=piece) == len(encoding.encode_ordinary(text)), (name, text, piece)


def test_the_walk_handles_long_runs_itself():
    """The in-run walk is what counts these (not a fallback to one tiktoken call)."""
    encoding = get_encoding("o200k_base")
    for text in ("a" * 5000, " " * 5000, "日本" * 2000, "!" * 5000, "\"" + "A" * 5000, "\n" * 5000):
        assert count_run_stretch(encoding, text, 0, len(text), 101) == len(encoding.encode_ordinary(text)), text[:3]
    assert count_run_stretch(encoding, "a1" * 5000, 0, 10000, 101) is None       # no run: not handled here


def test_split_points_are_where_the_rules_say():
    assert split_point("abc\ndef", 4, 7) == 4                 # after a newline, before a letter
    assert split_point("abc\ndef", 1, 7) == 3                 # a letter, then whitespace
    assert split_point("abc\n/def", 4, 8) is None             # not before "/" (o200k glues "\n/")
    assert split_point("abc\n def", 4, 8) is None             # "\n " is one whitespace run: no rule applies
    assert split_point("ab cd", 1, 5) == 2                     # a space between two letters
    assert split_point("12 34", 1, 5) == 2                    # out of a number (" " is its own pre-token)
    assert split_point("it's", 1, 4) is None                  # o200k keeps "'s" with the word
    assert split_point("it'", 1, 4) == 2                      # a "'" with no letter after is no contraction
    assert split_point("!!ab", 1, 4) == 2                     # two punctuation, then a letter
    assert split_point("x!ab", 2, 4) is None                  # one punctuation is the letter pre-token's prefix
    assert split_point("1234567", 1, 7, 0) == 3               # digits in threes from the run's start
    assert split_point("x1234567", 3, 8, 0) == 4
    assert split_point("ab日本", 1, 4) is None                 # letters of any script stay together


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


_BASE64_30MB = ("import base64, random\n"
                "text = base64.b64encode(random.Random(5).randbytes(22_500_000)).decode('ascii')\n"
                "assert len(text) == 30_000_000\n"
                "from tunescope.tokens.encodings import get_encoding\n"
                "encoding = get_encoding('o200k_base')\n")


def _status_kb(field: str) -> str:
    return (f"int(next(l for l in open('/proc/self/status') if l.startswith('{field}:')).split()[1])")


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="needs Linux to reset the peak RSS")
def test_30_mb_of_base64_is_counted_exactly_in_under_200_mb():
    """Peak RSS (Rust's allocations included, which tracemalloc does not see) while counting, over the RSS once
    the string is built; the count equals tiktoken's one-call count, made in another process."""
    piecewise = (_BASE64_30MB +
                 "from tunescope.tokens.count import TokenCounter\n"
                 "counter = TokenCounter('o200k_base', cache_size=0)\n"
                 "open('/proc/self/clear_refs', 'w').write('5')\n"
                 f"before = {_status_kb('VmRSS')}\n"
                 "n = counter.count_text(text)\n"
                 f"print(n, ({_status_kb('VmHWM')} - before) // 1024)\n")
    whole = _BASE64_30MB + "print(len(encoding.encode_ordinary(text)))\n"
    outs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ),
                           timeout=900) for code in (piecewise, whole)]
    assert all(out.returncode == 0 for out in outs), [out.stderr[-500:] for out in outs]
    tokens, grown_mb = map(int, outs[0].stdout.split())
    assert tokens == int(outs[1].stdout) and tokens > 15_000_000
    assert grown_mb < 200, grown_mb
