"""Regular expressions of ``matches`` conditions, run in linear time on RE2.

A policy's pattern is the admin's but the text it searches is the customer's, so a
backtracking engine lets one ticket subject stall the engine (``^(a+)+$`` against
``"a" * 30 + "!"`` doubles its time with every ``a``). Patterns are therefore written in
Python's syntax and parsed by Python's own parser (so a syntax error reads exactly as
``re.compile`` says it), then translated node by node into an equivalent RE2 pattern
(``google-re2``), which runs in time linear in the text.

The translation keeps ``re.search`` semantics where RE2 can express them: ``\\d``, ``\\w``
and ``\\s`` are the same Unicode sets as Python's (computed from Python's own ``re``);
``$`` also matches before a final newline; ``\\Z`` is the end; the flags ``i``, ``m``,
``s``, ``a`` and ``x`` mean what they mean in Python. What RE2 cannot run in linear
time is refused with :class:`UnsupportedPattern`, naming the construct: backreferences,
lookahead and lookbehind, conditional groups, atomic groups and possessive quantifiers.
Two narrow differences remain (docs/configuration.md lists them): ``\\b``/``\\B`` count
only ASCII letters, digits and ``_`` as word characters, and a pattern that consumes
text after a non-multiline ``$`` (``a$\\n``) does not match there.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

import re2

__all__ = ["UnsupportedPattern", "compile_search", "translate"]

_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

#: The reason given with every refusal.
LINEAR = "patterns run on RE2, in linear time, so that no ticket's text can stall the engine"

_I, _M, _S, _A = re.IGNORECASE, re.MULTILINE, re.DOTALL, re.ASCII
_EMPTY_TEXT = 1 << 20  # not a flag of re: the translation for the text ''
_NEVER = "[^\\x00-\\x{10ffff}]"
_SURROGATES = re.compile("[\ud800-\udfff]")

_REFUSED: dict[Any, str] = {
    _c.GROUPREF: "backreferences (\\1, (?P=name))",
    _c.GROUPREF_EXISTS: "conditional groups ((?(1)...|...))",
    _c.ATOMIC_GROUP: "atomic groups ((?>...))",
    _c.POSSESSIVE_REPEAT: "possessive quantifiers (*+, ++, ?+, {m,n}+)",
}


class UnsupportedPattern(ValueError):
    """A valid Python pattern that RE2 cannot run: the message names what and why."""


def _refuse(what: str) -> UnsupportedPattern:
    return UnsupportedPattern(f"{what} are not supported ({LINEAR})")


@cache
def _all_characters() -> str:
    return "".join(map(chr, range(0x110000)))


@cache
def _unicode_ranges(category: str) -> tuple[tuple[int, int], ...]:
    """The code point ranges Python's ``re`` puts in ``\\d``, ``\\w`` or ``\\s`` (str, Unicode)."""
    found = re.finditer(f"\\{category}+", _all_characters())
    return tuple((m.start(), m.end() - 1) for m in found)


_ASCII_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    "d": ((0x30, 0x39),),
    "w": ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)),
    "s": ((0x09, 0x0D), (0x20, 0x20)),
}


def _complement(ranges: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    start = 0
    for low, high in ranges:
        if low > start:
            out.append((start, low - 1))
        start = high + 1
    if start <= 0x10FFFF:
        out.append((start, 0x10FFFF))
    return tuple(out)


_CATEGORIES: dict[Any, tuple[str, bool]] = {
    _c.CATEGORY_DIGIT: ("d", False),
    _c.CATEGORY_NOT_DIGIT: ("d", True),
    _c.CATEGORY_WORD: ("w", False),
    _c.CATEGORY_NOT_WORD: ("w", True),
    _c.CATEGORY_SPACE: ("s", False),
    _c.CATEGORY_NOT_SPACE: ("s", True),
}


def _category(code: Any, flags: int) -> tuple[tuple[int, int], ...]:
    letter, negated = _CATEGORIES[code]
    ranges = _ASCII_RANGES[letter] if flags & _A else _unicode_ranges(letter)
    return _complement(ranges) if negated else ranges


def _char(code: int) -> str:
    if 0xD800 <= code <= 0xDFFF:
        raise _refuse("surrogate code points (\\ud800-\\udfff)")
    return f"\\x{{{code:x}}}"


def _span(low: int, high: int) -> str:
    """One range of a class; surrogates (which RE2 cannot name) are cut out."""
    parts = []
    if low < 0xD800:
        parts.append((low, min(high, 0xD7FF)))
    if high > 0xDFFF:
        parts.append((max(low, 0xE000), high))
    return "".join(_char(a) if a == b else f"{_char(a)}-{_char(b)}" for a, b in parts)


def _fold(text: str, flags: int) -> str:
    return f"(?i:{text})" if flags & _I else text


def _class(items: list[tuple[Any, Any]], flags: int) -> str:
    negate = bool(items) and items[0][0] is _c.NEGATE
    body = []
    for op, av in items[1:] if negate else items:
        if op is _c.LITERAL:
            body.append(_char(av))
        elif op is _c.RANGE:
            body.append(_span(*av))
        elif op is _c.CATEGORY:
            body.extend(_span(a, b) for a, b in _category(av, flags))
        else:  # pragma: no cover - the parser puts nothing else in a class
            raise _refuse(f"{op} in a character class")
    text = "".join(body)
    if not text:
        return _NEVER if not negate else "(?s:.)"
    return _fold(f"[{'^' if negate else ''}{text}]", flags)


def _at(code: Any, flags: int) -> str:
    if code is _c.AT_BEGINNING:
        return "(?m:^)" if flags & _M else "\\A"
    if code is _c.AT_BEGINNING_STRING:
        return "\\A"
    if code is _c.AT_END:
        return "(?m:$)" if flags & _M else "(?:\\n?\\z)"
    if code is _c.AT_END_STRING:
        return "\\z"
    if code is _c.AT_BOUNDARY:
        return "\\b"
    if code is _c.AT_NON_BOUNDARY:  # Python's \B never matches in the text ''
        return _NEVER if flags & _EMPTY_TEXT else "\\B"
    raise _refuse(f"anchors {code}")  # pragma: no cover - every anchor is listed above


def _repeat(op: Any, av: tuple[int, Any, Any], flags: int) -> str:
    low, high, item = av
    inner = _sequence(item, flags)
    if high is _c.MAXREPEAT:
        count = {0: "*", 1: "+"}.get(low, f"{{{low},}}")
    else:
        count = f"{{{low}}}" if low == high else f"{{{low},{high}}}"
    lazy = "?" if op is _c.MIN_REPEAT else ""
    return f"(?:{inner}){count}{lazy}"


def _node(op: Any, av: Any, flags: int) -> str:
    if op in _REFUSED:
        raise _refuse(_REFUSED[op])
    if op is _c.ASSERT or op is _c.ASSERT_NOT:
        raise _refuse("lookbehind assertions" if av[0] < 0 else "lookahead assertions")
    if op is _c.LITERAL:
        return _fold(_char(av), flags)
    if op is _c.NOT_LITERAL:
        return _fold(f"[^{_char(av)}]", flags)
    if op is _c.ANY:
        return "(?s:.)" if flags & _S else "."
    if op is _c.IN:
        return _class(av, flags)
    if op is _c.AT:
        return _at(av, flags)
    if op is _c.BRANCH:
        return "(?:" + "|".join(_sequence(branch, flags) for branch in av[1]) + ")"
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, item = av
        return "(?:" + _sequence(item, (flags | add_flags) & ~del_flags) + ")"
    if op is _c.MAX_REPEAT or op is _c.MIN_REPEAT:
        return _repeat(op, av, flags)
    raise _refuse(f"{op} nodes")  # pragma: no cover - every node of the parser is above


def _sequence(items: Any, flags: int) -> str:
    return "".join(_node(op, av, flags) for op, av in items)


def translate(pattern: str, *, empty_text: bool = False) -> str:
    """The RE2 pattern that searches like ``re.search(pattern, ...)``.

    With ``empty_text``, the pattern for the text ``""`` (where Python's ``\\B`` fails).
    Raises ``re.error`` for a Python syntax error (exactly as ``re.compile``) and
    :class:`UnsupportedPattern` for a construct RE2 cannot run.
    """
    re.compile(pattern)  # Python's own error, with its position
    parsed = _parser.parse(pattern)
    return _sequence(parsed, parsed.state.flags | (_EMPTY_TEXT if empty_text else 0))


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False
    return options


@lru_cache(maxsize=1024)
def compile_search(pattern: str) -> Callable[[str], bool]:
    """A function ``text -> bool`` equal to ``re.search(pattern, text) is not None``.

    Raises as :func:`translate`, and :class:`UnsupportedPattern` when RE2 refuses the
    translation (a repeat count above 1000, a program too large).
    """
    try:
        text_pattern, empty_pattern = translate(pattern), translate(pattern, empty_text=True)
        search = re2.compile(text_pattern, _options()).search
        search_empty = (
            search
            if empty_pattern == text_pattern
            else re2.compile(empty_pattern, _options()).search
        )
    except re2.error as exc:
        raise UnsupportedPattern(f"RE2 cannot run it: {_reason(exc)} ({LINEAR})") from exc

    def found(text: str) -> bool:
        if not text:
            return search_empty(text) is not None
        try:
            return search(text) is not None
        except UnicodeEncodeError:  # a lone surrogate: RE2 reads UTF-8
            return search(_SURROGATES.sub("\ufffd", text)) is not None

    return found


def _reason(exc: Exception) -> str:
    message = exc.args[0] if exc.args else exc
    if isinstance(message, bytes):
        return message.decode("utf-8", "replace")
    return str(message)
