"""A line's ticket read from its bytes (:func:`slaclock.service.replay.ticket_of`), which
decides the part and the group a line goes to, agrees with ``json.loads``."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from slaclock.service.replay import ticket_of


def test_ticket_of_reads_the_ticket_key_without_parsing_a_plain_line():
    assert ticket_of(b'{"id":"e1","ticket":"T-1","at":"2026-03-02T08:00:00Z"}\n') == b"T-1"
    assert ticket_of(b'{"id": "e1", "ticket" :  "T-\xc3\xa9", "type": "message"}') == "T-é".encode()
    # "ticket" as a value, not a key, is not the ticket
    assert ticket_of(b'{"id":"e1","type":"ticket","ticket":"T-2"}') == b"T-2"


def test_ticket_of_parses_lines_it_cannot_read_for_sure():
    # an escape in the key or the value: parsed
    assert ticket_of(b'{"id":"e1","tick\\u0065t":"T-3"}') == b"T-3"
    assert ticket_of(b'{"id":"e1","ticket":"T-\\"4"}') == b'T-"4'
    # two ticket keys (one nested): parsed, the top-level one counts
    assert ticket_of(b'{"fields":{"ticket":"X"},"ticket":"T-5"}') == b"T-5"
    # no ticket, not a string, empty, not JSON, not an object
    assert ticket_of(b'{"id":"e1"}') is None
    assert ticket_of(b'{"id":"e1","ticket":7}') is None
    assert ticket_of(b'{"id":"e1","ticket":""}') == b""
    assert ticket_of(b"{not json") is None
    assert ticket_of(b'["ticket"]') is None


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_value = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=6,
)


@given(
    ticket=_text,
    extra=st.dictionaries(_text.filter(lambda k: k != "ticket"), _value, max_size=4),
    nested=st.booleans(),
    separators=st.sampled_from([(",", ":"), (", ", ": "), (" ,", " : ")]),
    ascii_only=st.booleans(),
    first=st.booleans(),
)
def test_ticket_of_agrees_with_json_loads(ticket, extra, nested, separators, ascii_only, first):
    """Whatever the spacing, escapes, key order or nesting, the ticket is the one
    ``json.loads`` reads."""
    obj = {"ticket": ticket, **extra} if first else {**extra, "ticket": ticket}
    if nested:
        obj["fields"] = {"ticket": "elsewhere", "tags": ["ticket"]}
    line = json.dumps(obj, separators=separators, ensure_ascii=ascii_only).encode()
    assert ticket_of(line) == ticket.encode("utf-8")
