"""The optional C word scans (quality/_native.c) against the pure-Python code they replace.

Each property compares the C result with the Python definition on generated text, Unicode
whitespace, ASCII punctuation, CJK and loops included; the findings must be the same with the C
module and without it (TUNESCOPE_NO_NATIVE=1 turns it off in a fresh process).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunescope.checks.example.quality import repetition
from tunescope.quality import similarity
from tunescope.quality.native import native

needs_native = pytest.mark.skipif(native is None, reason="the C module is not built here")

PIECES = ["the", "cat", "sat", "Sorry.", "sorry", "I", "am", "a", "b", "x1", "naïve", "ÉCOLE", "École", "東京", "ok!",
          "don't", "e-mail", "--", "...", "<tag>", "(", ")", "\"q\"", "ß", "İ", "🙂", "ÀÞ×", "µ", "ÿ", "THE", "Cat"]
SPACES = [" ", "  ", "\n", "\t", "\u3000", "\xa0", "\u2028", "\x1c", "\x85", "\u2009", "", "-", "."]


@st.composite
def texts(draw):
    pieces = draw(st.lists(st.sampled_from(PIECES), max_size=60))
    if draw(st.booleans()):      # a loop somewhere
        phrase = draw(st.lists(st.sampled_from(PIECES[:6]), min_size=1, max_size=4))
        at = draw(st.integers(0, len(pieces)))
        pieces[at:at] = phrase * draw(st.integers(2, 14))
    seps = draw(st.lists(st.sampled_from(SPACES), min_size=len(pieces) + 1, max_size=len(pieces) + 1))
    return seps[0] + "".join(p + s for p, s in zip(pieces, seps[1:]))


@needs_native
@settings(max_examples=400, deadline=None)
@given(texts(), st.sampled_from([3, 5, 600]))
def test_loop_gate_counts_like_the_python_scan(text, edge):
    low = text.lower()
    words = low.split()
    if len(words) > 2 * edge:
        words = words[:edge] + words[-edge:]
    n, repeated, may_loop = native.loop_gate(text, edge, repetition.MAX_PHRASE_WORDS, repetition.LOOP_RUN)
    assert n == len(words)
    assert repeated == len(words) - len(set(words))
    assert may_loop == (bool(words) and repetition._may_loop(words))


@needs_native
@settings(max_examples=400, deadline=None)
@given(texts(), texts())
def test_shingles_follow_the_normalised_words(a, b):
    wa, wb = similarity.normalise(a), similarity.normalise(b)
    ha = array("Q", native.shingle_hashes(a, similarity.MAX_WORDS))
    hb = array("Q", native.shingle_hashes(b, similarity.MAX_WORDS))
    assert native.shingle_hashes(a.lower(), similarity.MAX_WORDS) == ha.tobytes()   # it lowers as str.lower()
    assert len(ha) == (len(wa) - 1 if len(wa) > 1 else len(wa))
    # equal bigrams hash equal, different ones (almost surely) differ
    bigrams_a = list(zip(wa, wa[1:])) if len(wa) > 1 else [(w,) for w in wa]
    bigrams_b = list(zip(wb, wb[1:])) if len(wb) > 1 else [(w,) for w in wb]
    for x, hx in zip(bigrams_a, ha):
        for y, hy in zip(bigrams_b, hb):
            assert (x == y) == (hx == hy)


@needs_native
def test_max_words_cuts_the_shingles():
    text = " ".join(f"w{i}" for i in range(50))
    assert len(native.shingle_hashes(text, 10)) == 9 * 8


@settings(max_examples=300, deadline=None)
@given(texts())
def test_repeated_phrase_is_the_same_with_and_without_the_c_module(text):
    with_c = repetition.repeated_phrase(text)
    saved = repetition._native
    repetition._native = None
    try:
        without = repetition.repeated_phrase(text)
    finally:
        repetition._native = saved
    assert with_c == without


@needs_native
def test_native_and_python_signatures_estimate_the_same_similarity():
    base = ("the model answers every question about the refund policy and cites the section it used "
            "then offers to escalate the case to a human agent when it is not sure")
    pairs = [(base, base + " today"), (base, base.replace("refund", "return")), (base, "a different text entirely")]
    saved = similarity._native
    try:
        estimates = []
        for engine in (native, None):
            similarity._native = engine
            estimates.append([similarity.similarity(similarity.signature(x), similarity.signature(y))
                              for x, y in pairs])
    finally:
        similarity._native = saved
    for c, py in zip(*estimates):
        assert abs(c - py) < 0.2
    assert estimates[0][0] > 0.8 and estimates[0][2] < 0.2


@pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None, reason="no C compiler here")
def test_the_c_module_is_built_where_a_compiler_is():
    # the speed figures in benchmarks/ assume it: an install that silently failed to build it must show
    from tunescope.quality import _native  # noqa: F401


def test_tunescope_no_native_turns_it_off():
    code = "from tunescope.quality.native import native; print(native is None)"
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, TUNESCOPE_NO_NATIVE="1"),
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


BYTE_PIECES = [b"sk-", b"AKIA", b"ecret", b"eyJ", b"-----BEGIN", b"-----BEGI", b"hooks.slack.co", b"hooks.slack.com",
               b"ghp_", b"gh_", b"xo", b"xox", b"@", b"5", b"55", b"(", b")", b"-", b".", b" ", b"a", b"\\u0040",
               "é".encode(), b'"', b"123456789", b"0"]


@needs_native
@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(BYTE_PIECES), max_size=40), st.booleans())
def test_line_gates_match_the_python_gates(pieces, personal):
    from tunescope.quality import sensitive
    data = b"".join(pieces)
    with_c = sensitive.gates(data, personal)
    saved = sensitive._native
    sensitive._native = None
    try:
        without = sensitive.gates(data, personal)
    finally:
        sensitive._native = saved
    assert with_c == without
