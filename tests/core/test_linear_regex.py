"""``matches`` on RE2: linear time, Python's syntax and errors, ``re.search``'s meaning."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from slaclock.core.conditions import evaluate
from slaclock.core.linear_regex import UnsupportedPattern, compile_search
from slaclock.core.model import Condition

# ------------------------------------------------------------------- linear time


@pytest.mark.parametrize("length", [40, 10_000])
def test_catastrophic_pattern_completes(length: int) -> None:
    """Python's ``re`` would need ~2**length steps: a hang shows as a test timeout."""
    subject = "a" * length + "!"
    assert evaluate(Condition("subject", "matches", "^(a+)+$"), {"subject": subject}) is False
    assert evaluate(Condition("tags", "matches", "^(a|aa)+$"), {"tags": [subject]}) is False
    assert evaluate(Condition("subject", "matches", "^(a+)+$"), {"subject": "a" * length})


# ------------------------------------------------------------- refusals and errors


@pytest.mark.parametrize(
    ("pattern", "names"),
    [
        (r"(a)\1", "backreferences"),
        (r"(?P<x>a)(?P=x)", "backreferences"),
        (r"a(?=b)", "lookahead"),
        (r"a(?!b)", "lookahead"),
        (r"(?<=a)b", "lookbehind"),
        (r"(?<!a)b", "lookbehind"),
        (r"a++", "possessive"),
        (r"a{1,3}+", "possessive"),
        (r"(?>a)", "atomic"),
        (r"(a)?(?(1)b)", "conditional"),
        ("\ud800", "surrogate"),
        (r"(?:a{100}){100}", "RE2 cannot run it"),
    ],
)
def test_patterns_re2_cannot_run_are_refused(pattern: str, names: str) -> None:
    re.compile(pattern)  # each is valid Python
    with pytest.raises(UnsupportedPattern, match=names) as caught:
        compile_search(pattern)
    assert "linear time" in str(caught.value)
    assert evaluate(Condition("s", "matches", pattern), {"s": "aab"}) is False


@pytest.mark.parametrize("pattern", ["down[(", "a)", "(?P<1>a)", "a{3,1}", r"\p{L}", "*a"])
def test_python_syntax_errors_are_python_s_own(pattern: str) -> None:
    with pytest.raises(re.error) as expected:
        re.compile(pattern)
    with pytest.raises(re.error) as caught:
        compile_search(pattern)
    assert str(caught.value) == str(expected.value)


# ------------------------------------------- where RE2's own syntax means otherwise


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("down$", "down\n"),  # $ before a final newline
        ("down$", "down\n\n"),
        ("down\\Z", "down\n"),  # \Z: the very end
        ("a{,3}b", "aab"),  # {,n}: Python's repeat, RE2's literal
        ("a{,3}b", "a{,3}b"),
        ("[[:alpha:]]", "x"),  # a set of '[', ':', ... and a ']' in Python
        ("[[:alpha:]]", ":]"),
        ("^\\w+$", "Ærøskøbing_٣"),  # Unicode \w, \d, \s as in Python
        ("\\d", "٣"),
        ("\\s", "\u2003"),
        ("\\s", "\x1c"),
        ("(?a)\\w", "é"),
        ("(?a:\\d)", "٣"),
        ("(?i)straße", "STRASSE"),
        ("(?i)é", "É"),
        ("(?x) a b  # spaces ignored", "ab"),
        ("(?m)^b$", "a\nb\nc"),
        ("(?s)a.b", "a\nb"),
        ("a.b", "a\nb"),
        ("[^\\ud800-\\udfff]", "x"),
        ("\\u00e9|\\N{EM DASH}", "—"),
    ],
)
def test_python_meaning_is_kept(pattern: str, text: str) -> None:
    assert compile_search(pattern)(text) is (re.search(pattern, text) is not None)


@pytest.mark.parametrize("category", ["\\d", "\\w", "\\s", "(?a)\\d", "(?a)\\w", "(?a)\\s"])
def test_character_classes_equal_python_s_on_every_code_point(category: str) -> None:
    flags, letter = category[:-2], category[-2:]
    everything = "".join(map(chr, [*range(0xD800), *range(0xE000, 0x110000)]))
    inside = "".join(re.findall(category, everything))
    outside = "".join(re.findall(flags + letter.upper(), everything))
    assert len(inside) + len(outside) == len(everything)
    assert compile_search(f"{flags}\\A{letter}+\\Z")(inside)
    assert compile_search(f"{flags}\\A{letter.upper()}+\\Z")(outside)
    assert compile_search(f"{flags}\\A[^{letter}]+\\Z")(outside)


def test_a_lone_surrogate_in_the_text_is_searched_not_raised() -> None:
    found = compile_search("a.c")
    assert found("a\ud800c")
    assert not found("x\ud800")


# ------------------------------------------------------- property: same as re.search

CHARS = ["a", "b", "A", "é", "É", "1", "٣", "_", " ", "\n", "-"]
ATOMS = [
    "a",
    "b",
    "é",
    "\\-",
    ".",
    "[ab]",
    "[^a]",
    "[a-c]",
    "[^\\n]",
    "\\d",
    "\\D",
    "\\w",
    "\\W",
    "\\s",
    "\\S",
    "[\\w-]",
    "[^\\d\\s]",
    "\\n",
    "(?m:^)",
    "(?m:$)",
    "\\A",
]
ASCII_ONLY_ATOMS = ["\\b", "\\B"]  # RE2's word boundary is ASCII (docs/configuration.md)


def _patterns(atoms: list[str]) -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.lists(inner, min_size=2, max_size=3).map("".join),
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: "(?:" + "|".join(xs) + ")"),
            st.tuples(inner, st.sampled_from(["*", "+", "?", "{2}", "{1,2}", "{,2}", "*?"])).map(
                lambda t: f"(?:{t[0]}){t[1]}"
            ),
            st.tuples(st.sampled_from(["i", "s", "a", "m"]), inner).map(
                lambda t: f"(?{t[0]}:{t[1]})"
            ),
            inner.map(lambda x: f"({x})"),
        )

    body = st.recursive(st.sampled_from(atoms), extend, max_leaves=6)
    start = st.sampled_from(["", "", "^", "\\A"])
    end = st.sampled_from(["", "", "$", "\\Z"])  # a non-multiline $ only at the end
    return st.tuples(start, body, end).map("".join)


@settings(max_examples=400, deadline=None)
@given(_patterns(ATOMS), st.text(st.sampled_from(CHARS), max_size=8))
def test_matches_agrees_with_re_search(pattern: str, text: str) -> None:
    try:
        found = compile_search(pattern)
    except UnsupportedPattern:
        assume(False)
        raise
    assert found(text) is (re.search(pattern, text) is not None), (pattern, text)


@settings(max_examples=200, deadline=None)
@given(
    _patterns(ATOMS + ASCII_ONLY_ATOMS),
    st.text(st.sampled_from([c for c in CHARS if c.isascii()]), max_size=8),
)
def test_matches_agrees_with_re_search_on_ascii_text(pattern: str, text: str) -> None:
    try:
        compile_search(pattern)
    except UnsupportedPattern:
        assume(False)
        raise
    ticket: dict[str, Any] = {"s": text}
    expected = re.search(pattern, text) is not None
    assert evaluate(Condition("s", "matches", pattern), ticket) is expected, (pattern, text)
