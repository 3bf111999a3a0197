"""Hypothesis strategies for hostile input (issue 26, part 5): text, instants, numbers,
durations, cursors and JSON a viewer, an agent or an ingest client could send.

Everything is produced as *text*, the way it travels: a JSON body is a string of JSON
(so it can hold ``NaN``, ``1e400`` or an integer of 5,000 digits, which no Python value
serialises to), a query value is a string that :func:`url_piece` percent-encodes (a lone
surrogate is encoded from its UTF-8-with-surrogates bytes, as a broken client would).
Pieces that must reach the server byte for byte (``%2F``, ``%00``, a stray ``%``) are
:class:`RawUrl` values, put into the URL unencoded.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

__all__ = [
    "HOSTILE_TEXTS",
    "PATH_PARAMETER",
    "RAW_URL_PIECES",
    "WORST_JSON_VALUES",
    "WORST_TEXTS",
    "WORST_URL_VALUES",
    "Raw",
    "RawUrl",
    "deep_json",
    "fill",
    "garbage_bodies",
    "hostile_cursors",
    "hostile_durations",
    "hostile_instants",
    "hostile_json",
    "hostile_number_texts",
    "hostile_object",
    "hostile_query_values",
    "hostile_texts",
    "hostile_urls",
    "hostile_value",
    "json_text",
    "spoiled",
    "url_piece",
    "utf8",
]

Strategy = st.SearchStrategy

#: Strings that have broken servers: NUL (PostgreSQL text cannot hold it), lone
#: surrogates (not UTF-8), controls, bidi and zero-width marks, path syntax, digits that
#: are digits only to Unicode, emoji sequences, injection classics, long runs.
HOSTILE_TEXTS: tuple[str, ...] = (
    "",
    " ",
    "\t",
    "\x00",
    "a\x00b",
    "\x00" * 3,
    "\ud800",
    "\udfff",
    "a\udc80b",
    "\ud83d",
    "\x01\x02\x1b[31m",
    "\x7f",
    "\x85",
    "\u2028",
    "\r\n",
    "\n",
    "\u202eevil\u202c",
    "\u200f",
    "\u200b",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\U0010ffff",
    "/",
    "//",
    "%2F",
    "%00",
    "..",
    "../..",
    "./",
    "\\",
    "%",
    "?",
    "#",
    "&",
    "=",
    ";",
    "²",
    "¹²³",
    "٣",
    "१२",
    "𝟘𝟙",
    "Ⅻ",
    "½",
    "😀",
    "👩\u200d👩\u200d👧\u200d👦",
    "🇳🇴",
    "null",
    "true",
    "false",
    "NaN",
    "Infinity",
    "-0",
    "1e400",
    "[]",
    "{}",
    '"',
    "'",
    "' OR '1'='1",
    "'; DROP TABLE tickets; --",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "%s%n",
    "x" * 201,
    "x" * 501,
    "x" * 10_000,
    "é" * 300,
    "İ",
    "ß",
    "A\u030a",
    "T-1",
    "T-1\x00",
    " T-1",
    "t-1",
    "helpdesk",
    "support",
)

#: JSON number (and number-like) tokens that Python or a database mishandle.
HOSTILE_JSON_NUMBERS: tuple[str, ...] = (
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "-1e400",
    "1e-400",
    "-0",
    "-0.0",
    "0e0",
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    str(2**64),
    str(-(2**63) - 1),
    "9" * 4301,
    "1" + "0" * 5000,
    "0." + "1" * 5000,
    "123456789012345678901234567890.5",
    "true",
    "false",
)

#: The same, as they appear in a URL or a header: plus Python's and Unicode's ideas.
HOSTILE_NUMBER_TEXTS: tuple[str, ...] = (
    *HOSTILE_JSON_NUMBERS,
    "nan",
    "inf",
    "-inf",
    "0",
    "-1",
    "1.5",
    "+1",
    " 1",
    "1 ",
    "0x10",
    "1_000",
    "²",
    "١٢",
    "𝟙",
    "",
    "٣" * 5000,
)


class Raw(str):
    """A JSON text fragment to insert as it is (``NaN``, ``1e400``, ``[[[...]]]``)."""


class RawUrl(str):
    """A URL fragment to insert as it is, unencoded (``%2F``, ``%00``, ``%ZZ``, ``%``)."""


RAW_URL_PIECES: tuple[str, ...] = (
    "%2F",
    "%2f",
    "%00",
    "a%00b",
    "%ZZ",
    "%",
    "%%",
    "%C0%AF",
    "%ED%A0%80",
    "%FF%FE",
    "%2E%2E",
    "%2E%2E%2F%2E%2E",
    "..%2F..%2Fetc%2Fpasswd",
    "%252F",
    "%0D%0A",
    "%E2%80%AE",
    "+",
    "a+b",
)


def json_text(value: Any) -> str:
    """``value`` as JSON text, with :class:`Raw` fragments inserted verbatim."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, Mapping):
        return (
            "{" + ",".join(f"{json.dumps(str(k))}:{json_text(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, list | tuple):
        return "[" + ",".join(json_text(item) for item in value) + "]"
    return json.dumps(value)


def utf8(text: str) -> bytes:
    """``text`` as UTF-8, lone surrogates too (as a broken client would send them)."""
    return text.encode("utf-8", "surrogatepass")


PATH_PARAMETER = re.compile(r"{(\w+)(?::\w+)?}")


def fill(path: str, values: Mapping[str, str]) -> str:
    """A route's path template with its parameters' values put in (:func:`url_piece`)."""
    return PATH_PARAMETER.sub(lambda found: url_piece(values[found[1]]), path)


def url_piece(value: str) -> str:
    """``value`` as it goes into a URL: a :class:`RawUrl` as it is, else percent-encoded
    (lone surrogates from their UTF-8-with-surrogates bytes)."""
    if isinstance(value, RawUrl):
        return str(value)
    return quote(utf8(value), safe="")


#: The few that broke slaclock before: drawn more often than the rest.
WORST_TEXTS: tuple[str, ...] = ("\x00", "a\x00b", "\ud800", "a\udc80b", "²", "x" * 10_000)


@cache
def hostile_texts() -> Strategy[str]:
    """A hostile string: one of :data:`HOSTILE_TEXTS` (:data:`WORST_TEXTS` more often),
    any code points (surrogates included), or a few of those run together."""
    anything = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)
    piece = st.one_of(st.sampled_from(HOSTILE_TEXTS), anything)
    joined = st.lists(piece, min_size=2, max_size=4).map("".join)
    return st.one_of(st.sampled_from(WORST_TEXTS), st.sampled_from(HOSTILE_TEXTS), anything, joined)


@cache
def hostile_number_texts() -> Strategy[str]:
    """A number as text: the classics, any integer (also beyond 64 bits), any float."""
    return st.one_of(
        st.sampled_from(HOSTILE_NUMBER_TEXTS),
        st.integers().map(str),
        st.integers(min_value=2**62, max_value=2**70).map(str),
        st.floats().map(repr),
    )


_YEARS = ("0001", "0000", "1899", "1900", "1970", "2026", "2199", "2200", "9999", "10000")
_YEARS_ODD = ("-001", "+2026", "²⁰²⁶", "٢٠٢٦", "26")
_MONTHS = ("01", "02", "03", "12", "00", "13", "1")
_DAYS = ("01", "02", "03", "28", "29", "30", "31", "00", "32")
_HOURS = ("00", "09", "12", "23", "24", "99")
_MINUTES = ("00", "30", "59", "60")
_SECONDS = ("00", "59", "60", "61")
_FRACTIONS = ("", ".5", ".123456", ".1234567", "." + "9" * 30, "." + "1" * 1000, ",5", ".")
_ZONES = (
    "Z",
    "z",
    "+00:00",
    "-00:00",
    "+23:59",
    "-23:59",
    "+24:00",
    "+99:99",
    "+0100",
    "+01",
    "",
    " UTC",
    "+01:00:30",
    "+01:00:00.5",
    "Europe/Amsterdam",
)
_SEPARATORS = ("T", "t", " ", "_")
HOSTILE_INSTANTS: tuple[str, ...] = (
    "",
    "now",
    "2026-03-02",
    "2026-W10-1T00:00:00Z",
    "2026-061T00:00:00Z",
    "20260302T120000Z",
    "2026-03-02T12:00:00Z\x00",
    "1e400",
    "NaN",
    "9" * 5000,
    "-1",
    "0",
    "1772452800",
)


@cache
def hostile_instants() -> Strategy[str]:
    """An ISO-8601-ish instant: extreme years, impossible fields, leap seconds, offsets
    of ±23:59, naive times, long fractions, odd digits; or any aware or naive datetime."""
    composed = st.builds(
        lambda y, mo, d, sep, h, mi, s, frac, zone: f"{y}-{mo}-{d}{sep}{h}:{mi}:{s}{frac}{zone}",
        st.sampled_from(_YEARS + _YEARS_ODD),
        st.sampled_from(_MONTHS),
        st.sampled_from(_DAYS),
        st.sampled_from(_SEPARATORS),
        st.sampled_from(_HOURS),
        st.sampled_from(_MINUTES),
        st.sampled_from(_SECONDS),
        st.sampled_from(_FRACTIONS),
        st.sampled_from(_ZONES),
    )
    generated = st.datetimes(timezones=st.none() | st.timezones()).map(lambda at: at.isoformat())
    return st.one_of(st.sampled_from(HOSTILE_INSTANTS), composed, generated)


_UNITS = ("s", "m", "h", "d", "w", "S", "H", "y", "ms", "µs", "")
HOSTILE_DURATIONS: tuple[str, ...] = (
    "2h",
    "90m",
    "PT30M",
    "P2W",
    "P",
    "PT",
    "P1Y",
    "P1M",
    "-1h",
    "0",
    "0s",
    "1h30",
    "h",
    "1.5h",
    "1_0h",
    "99999999999999d",
    "9999999999999999999999w",
    "PT" + "9" * 5000 + "S",
    "9" * 5000,
    "²h",
    "٣h",
    "1e400s",
    "inf",
    "NaN",
    "1h 1h",
    "1d2h3m4s5s",
)


@cache
def hostile_durations() -> Strategy[str]:
    """A duration: the accepted forms pushed past a timedelta, and near misses."""
    composed = st.builds(
        lambda number, unit: number + unit,
        hostile_number_texts(),
        st.sampled_from(_UNITS),
    )
    return st.one_of(st.sampled_from(HOSTILE_DURATIONS), composed)


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode("utf-8", "surrogatepass")).decode()


@cache
def hostile_cursors() -> Strategy[str]:
    """A queue cursor (base64 of a JSON pair): numbers beyond a BIGINT, booleans, floats,
    NaN, other shapes, padding games, and strings that are not base64 at all."""
    pair = st.lists(
        st.one_of(st.sampled_from(HOSTILE_JSON_NUMBERS), st.integers().map(str)),
        min_size=0,
        max_size=3,
    ).map(lambda items: "[" + ",".join(items) + "]")
    payload = st.one_of(pair, hostile_json())
    encoded = payload.map(_b64)
    trimmed = encoded.map(lambda text: text.rstrip("="))
    return st.one_of(encoded, trimmed, hostile_texts(), st.sampled_from(("=", "====", "*", "a")))


@cache
def _leaf_json() -> Strategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE_JSON_NUMBERS),
        hostile_texts().map(json.dumps),
        hostile_texts().map(lambda text: json.dumps(text, ensure_ascii=False)),
        hostile_instants().map(json.dumps),
        st.sampled_from(("true", "false", "null", '""', "[]", "{}")),
        st.integers().map(str),
    )


@cache
def deep_json() -> Strategy[str]:
    """Arrays or objects nested around the limits (32), and far past them."""
    return st.builds(
        lambda depth, opener: opener[0] * depth + "1" + opener[1] * depth,
        st.sampled_from((31, 32, 33, 100, 1000, 100_000)),
        st.sampled_from((("[", "]"), ('{"a":', "}"))),
    )


@cache
def hostile_json() -> Strategy[str]:
    """A JSON text (or a near miss) built from hostile leaves, nested a little, or very."""
    nested = st.recursive(
        _leaf_json(),
        lambda children: st.one_of(
            st.lists(children, max_size=4).map(lambda items: "[" + ",".join(items) + "]"),
            st.lists(st.tuples(hostile_texts(), children), max_size=4).map(
                lambda pairs: "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in pairs) + "}"
            ),
        ),
        max_leaves=8,
    )
    return st.one_of(nested, deep_json())


@cache
def hostile_value() -> Strategy[Raw]:
    """A hostile JSON value, to put where a field's value goes: as often a string as
    anything else, since most fields are strings."""
    strings = hostile_texts().map(json.dumps)
    return st.one_of(strings, strings, hostile_json()).map(Raw)


def hostile_object(
    templates: tuple[Mapping[str, Any], ...],
    paths: tuple[str, ...],
) -> Strategy[str]:
    """One of ``templates`` (valid JSON objects, say events) as JSON text, with a few
    fields (dotted ``paths``, or a key of any hostile name) set to hostile values or
    dropped."""

    known = st.sampled_from(paths).map(lambda path: path.split("."))
    names = st.one_of(known, known, known, hostile_texts().map(lambda key: [key]))

    @st.composite
    def build(draw: Callable[..., Any]) -> str:
        value = json.loads(json.dumps(draw(st.sampled_from(templates))))
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            where = draw(names)
            if draw(st.integers(min_value=0, max_value=3)) == 0:
                _drop(value, where)
            else:
                _put(value, where, draw(hostile_value()))
        return json_text(value)

    return build()


def spoiled(template: Mapping[str, Any], path: str, value: str) -> str:
    """``template`` as JSON text with the field at dotted ``path`` set to the JSON text
    ``value`` (for the grids of worst values, field by field)."""
    copy = json.loads(json.dumps(template))
    _put(copy, path.split("."), Raw(value))
    return json_text(copy)


def _child(node: Any, name: str) -> Any:
    if isinstance(node, dict):
        return node.get(name)
    if isinstance(node, list) and name.isdigit() and int(name) < len(node):
        return node[int(name)]
    return None


def _put(target: dict[str, Any], names: list[str], value: Any) -> None:
    """Set the value at ``names`` (list items by their index), making objects on the way."""
    *parents, leaf = names
    node: Any = target
    for name in parents:
        child = _child(node, name)
        if not isinstance(child, dict | list):
            if not isinstance(node, dict):
                return  # no such list item: nothing to set
            child = node[name] = {}
        node = child
    if isinstance(node, list) and leaf.isdigit() and int(leaf) < len(node):
        node[int(leaf)] = value
    elif isinstance(node, dict):
        node[leaf] = value


def _drop(target: dict[str, Any], names: list[str]) -> None:
    *parents, leaf = names
    node: Any = target
    for name in parents:
        node = _child(node, name)
    if isinstance(node, dict):
        node.pop(leaf, None)


#: Bodies that are not JSON, or not UTF-8, or nearly nothing.
GARBAGE_BODIES: tuple[bytes, ...] = (
    b"",
    b" ",
    b"\x00",
    b"\xff\xfe{\x00}\x00",
    b"\xef\xbb\xbf{}",
    b"\xed\xa0\x80",
    b"\xc0\xaf",
    b'{"a":"\xff"}',
    b"{",
    b"[1,]",
    b"{'a': 1}",
    b"null",
    b"0",
    b'"text"',
    b"a: b",
    b"<xml/>",
    b"\r\n\r\n",
)


@cache
def garbage_bodies() -> Strategy[bytes]:
    return st.one_of(st.sampled_from(GARBAGE_BODIES), st.binary(max_size=64))


#: The grids: each field of a body, and each path and query parameter, gets each of
#: these once (besides what Hypothesis draws), so the classes that broke slaclock
#: before are tried everywhere on every run.
WORST_JSON_VALUES: tuple[str, ...] = (
    *(json.dumps(text) for text in WORST_TEXTS),
    "NaN",
    "1e400",
    "-0",
    str(2**63),
    str(-(2**63) - 1),
    "9" * 4301,
    "true",
    "null",
    "[]",
    "{}",
    "[" * 1000 + "]" * 1000,
)
WORST_URL_VALUES: tuple[str, ...] = (
    *WORST_TEXTS,
    RawUrl("%00"),
    RawUrl("%ED%A0%80"),
    RawUrl("%2F"),
    RawUrl("%ZZ"),
    "NaN",
    "1e400",
    "-0",
    str(2**63),
    "9" * 4301,
    "true",
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:60Z",
    "2026-03-02T12:00:00",
    "2026-03-02T12:00:00." + "1" * 1000 + "Z",
    "99999999999999d",
    "PT" + "9" * 5000 + "S",
)


@cache
def hostile_query_values(name: str) -> Strategy[str]:
    """A value for query parameter ``name``: hostile in the way its name invites
    (instants for ``as_of``, numbers for ``limit``...), or hostile in any way."""
    special: Mapping[str, Callable[[], Strategy[str]]] = {
        "as_of": hostile_instants,
        "due_within": hostile_durations,
        "at_risk_within": hostile_durations,
        "cursor": hostile_cursors,
        "limit": hostile_number_texts,
        "from": hostile_number_texts,
        "to": hostile_number_texts,
    }
    raw = st.sampled_from(RAW_URL_PIECES).map(RawUrl)
    general = st.one_of(hostile_texts(), hostile_number_texts(), hostile_instants(), raw)
    if name in special:
        return st.one_of(special[name](), general)
    return general


#: A longer URL the test client refuses to send (httpx: 65,536 characters with the
#: host); servers refuse far shorter ones.
MAX_URL_CHARS = 64_000


def hostile_urls(
    path: str, known: Mapping[str, tuple[str, ...]], declared: list[str]
) -> Strategy[str]:
    """URLs of a route: each path parameter a ``known`` value (one that gets past the
    404) or hostile, then up to three query parameters, named as the route ``declared``
    or not, with hostile values."""
    params = st.fixed_dictionaries(
        {
            name: st.one_of(
                st.sampled_from(known.get(name) or ("x",)),
                hostile_texts(),
                st.sampled_from(RAW_URL_PIECES).map(RawUrl),
            )
            for name in PATH_PARAMETER.findall(path)
        }
    )
    names = st.sampled_from(declared) if declared else hostile_texts()
    names = st.one_of(names, names, hostile_texts())

    @st.composite
    def build(draw: Callable[..., Any]) -> str:
        pairs = []
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            name = draw(names)
            pairs.append(f"{url_piece(name)}={url_piece(draw(hostile_query_values(name)))}")
        url = fill(path, draw(params)) + ("?" + "&".join(pairs) if pairs else "")
        return url[:MAX_URL_CHARS]

    return build()
