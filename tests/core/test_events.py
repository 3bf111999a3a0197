"""Event parsing and validation (events.md, "Events")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock.core.errors import EventError
from slaclock.core.events import parse_event, read_events

BASE: dict[str, Any] = {"id": "e1", "ticket": "T-1", "at": "2026-03-02T08:15:00Z"}
CREATED = {**BASE, "type": "ticket.created", "by": "customer", "fields": {"status": "new"}}


def test_a_valid_event_keeps_its_whole_object_and_an_aware_utc_instant():
    event = parse_event(CREATED, seq=3)
    assert (event.id, event.ticket, event.type, event.seq) == ("e1", "T-1", "ticket.created", 3)
    assert event.at == datetime(2026, 3, 2, 8, 15, tzinfo=UTC)
    assert event.data is CREATED


def test_an_offset_is_converted_to_utc():
    event = parse_event({**CREATED, "at": "2026-03-02T09:15:00+01:00"})
    assert event.at == datetime(2026, 3, 2, 8, 15, tzinfo=UTC)


def test_a_naive_time_is_an_error():
    with pytest.raises(EventError, match="no offset"):
        parse_event({**CREATED, "at": "2026-03-02T08:15:00"})


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": None}, "'id' must be a non-empty string"),
        ({"ticket": ""}, "'ticket' must be a non-empty string"),
        ({"type": "ticket.moved"}, "'type' must be one of"),
        ({"at": "yesterday"}, "not an ISO-8601 instant"),
        ({"at": 12}, "must be an ISO-8601 string"),
        ({"by": "robot"}, "'by' must be one of customer, agent, system"),
        ({"fields": []}, "needs 'fields'"),
        ({"fields": {"status": "done"}}, "'fields.status' must be one of"),
        ({"fields": {"priority": "asap"}}, "'fields.priority' must be one of"),
        ({"fields": {"channel": "fax"}}, "'fields.channel' must be one of"),
        ({"fields": {"tags": "a,b"}}, "'fields.tags' must be a list of strings"),
        ({"fields": {"customer": "acme"}}, "'fields.customer' must be an object"),
    ],
)
def test_a_malformed_creation_names_the_reason(change, reason):
    with pytest.raises(EventError, match=reason):
        parse_event({**CREATED, **change})


def test_a_missing_at_is_an_error():
    obj = dict(CREATED)
    del obj["at"]
    with pytest.raises(EventError, match="missing 'at'"):
        parse_event(obj)


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ({"type": "ticket.updated"}, "needs 'changes'"),
        ({"type": "ticket.updated", "changes": {"status": "gone"}}, "'changes.status'"),
        ({"type": "ticket.updated", "changes": {"tags_added": [1]}}, "list of strings"),
        ({"type": "ticket.updated", "changes": {"a..b": 1}}, "invalid field path"),
        ({"type": "message", "author": "bot"}, "'author' must be one of"),
        ({"type": "message", "author": "agent", "public": "yes"}, "'public' must be true"),
        ({"type": "message", "author": "agent", "channel": "fax"}, "'channel' must be one of"),
    ],
)
def test_malformed_updates_and_messages_name_the_reason(event, reason):
    with pytest.raises(EventError, match=reason):
        parse_event({**BASE, **event})


def test_an_event_must_be_an_object():
    with pytest.raises(EventError, match="JSON object"):
        parse_event([1, 2])


def test_valid_update_message_and_deletion():
    assert parse_event({**BASE, "type": "ticket.updated", "changes": {"customer.plan": "x"}})
    assert parse_event({**BASE, "type": "message", "author": "customer"}).data["author"]
    assert parse_event({**BASE, "type": "ticket.deleted"}).type == "ticket.deleted"


def test_read_events_numbers_lines_skips_blanks_and_names_file_and_line():
    good = '{"id":"e1","ticket":"T","at":"2026-03-02T08:00:00Z","type":"ticket.deleted"}'
    events = list(read_events([good, "", good.replace("e1", "e2")], "ev.jsonl"))
    assert [e.seq for e in events] == [1, 3]
    with pytest.raises(EventError, match=r"^ev\.jsonl:2: invalid JSON"):
        list(read_events([good, "{nope"], "ev.jsonl"))
    with pytest.raises(EventError, match=r"^ev\.jsonl:1: 'type' must be one of"):
        list(read_events([good.replace("ticket.deleted", "x")], "ev.jsonl"))


# ---------------------------------------------- the fast path agrees with every check

_MESSAGE = {**BASE, "type": "message", "author": "agent", "author_id": "a1", "public": False}
_UPDATED = {**BASE, "type": "ticket.updated", "changes": {"status": "open", "tags_added": ["x"]}}
_ODD_VALUES: list[Any] = [
    None, True, 1, 1.5, "", "new", "open", "low", "email", "agent", "customer", [], ["a"],
    [1], {}, {"a": 1}, "2026-03-02T08:15:00", "2026-03-02T08:15:00+01:00", "x", "a..b",
]  # fmt: skip
_FIELDS = [
    "id", "ticket", "at", "type", "by", "fields", "changes", "author", "author_id", "public",
    "channel", "status", "priority", "group", "assignee", "tags", "customer", "subject",
    "tags_added", "tags_removed", ".x", "x.", "a..b", "customer.plan", "custom",
]  # fmt: skip


def _outcome(obj: Any) -> Any:
    from slaclock.core.events import _parse_event_checked

    try:
        fast: Any = parse_event(obj, seq=7)
    except EventError as exc:
        fast = str(exc)
    try:
        checked: Any = _parse_event_checked(obj, 7)
    except EventError as exc:
        checked = str(exc)
    return fast, checked


@pytest.mark.parametrize("template", [CREATED, _MESSAGE, _UPDATED, {**BASE, "type": "x"}])
def test_the_fast_path_accepts_and_rejects_exactly_what_the_checks_do(template):
    """Each key of the event (and of its fields or changes) set to each odd value."""
    cases: list[Any] = [template, {**template, "type": "ticket.deleted"}, [template], "x"]
    for key in _FIELDS:
        for value in _ODD_VALUES:
            cases.append({**template, key: value})
            for inner in ("fields", "changes"):
                if isinstance(template.get(inner), dict):
                    cases.append({**template, inner: {**template[inner], key: value}})
    for obj in cases:
        fast, checked = _outcome(obj)
        assert fast == checked, obj


def test_format_instant_is_the_utc_iso_text_cut_to_whole_seconds():
    import random
    from datetime import timedelta, timezone
    from zoneinfo import ZoneInfo

    from slaclock.core.events import format_instant

    rng = random.Random(3)
    zones = [UTC, timezone(timedelta(hours=5, minutes=30)), ZoneInfo("America/New_York")]
    start = datetime(1900, 1, 1, tzinfo=UTC)
    for _ in range(20_000):
        value = start + timedelta(microseconds=rng.randrange(300 * 365 * 86400 * 10**6))
        value = value.astimezone(rng.choice(zones))
        expected = value.astimezone(UTC).isoformat()[:19] + "Z"
        assert format_instant(value) == expected, value
    assert format_instant(datetime(2026, 3, 2, 8, 15, 59, 999999, tzinfo=UTC)) == (
        "2026-03-02T08:15:59Z"
    )
    assert format_instant(None) is None


@pytest.mark.parametrize(
    "line",
    [
        '{"a": 1}\n', '{"a": 1}', '  {"a": 1}\n', '{"a": 1}  \t\r\n', '{"a": 1}\u00a0\n',
        '{"a": 1} {"b": 2}\n', '{"a": 1}x', '{"a": }', "", "\n", "[1, 2]\n", '"x"\n',
        "\ufeff{}\n", '{"a": NaN}\n', '{"a": "\\u00e9"}\n', "nul", "1e400\n",
        '{"a": 123456789012345678901234567890}\n', '{"a": "\\ud800"}\n', '{"a": 1, "a": 2}\n',
        '{"a": -0.0, "b": 1E5, "c": 0.1, "d": -9223372036854775809}\n', '{"a": Infinity}\n',
        '{"a": [18446744073709551616]}\n', '{"a": 9223372036854775807}\n',
        '{"a": "1234567890123456789012", "b": 1}\n', '{"a": 1.5e308, "b": 5e-324}\n',
    ],
)  # fmt: skip
def test_line_decoding_equals_json_loads_in_results_and_errors(line):
    import json

    from slaclock.core.events import _decode

    try:
        expected: Any = ("ok", json.loads(line))
    except json.JSONDecodeError as exc:
        expected = ("error", str(exc))
    try:
        got: Any = ("ok", _decode(line))
    except json.JSONDecodeError as exc:
        got = ("error", str(exc))
    assert got == expected


@settings(max_examples=400, deadline=None)
@given(
    parts=st.lists(
        st.text(alphabet="0123456789", min_size=1, max_size=40)
        | st.text(alphabet='ab"\\ :,{}é\u2603', min_size=1, max_size=30),
        max_size=8,
    )
)
def test_the_long_digit_scan_finds_exactly_the_runs_of_19_digits(parts):
    """The scan reads one character in 19; a regex over every character is the truth."""
    import re

    from slaclock.core.events import _has_long_digits

    text = "".join(parts)
    assert _has_long_digits(text) == bool(re.search("[0-9]{19}", text))


def test_a_line_with_a_big_integer_anywhere_is_decoded_exactly():
    import json

    from slaclock.core.events import _decode

    for pad in range(40):
        line = "{" + " " * pad + '"n": 12345678901234567890123}'
        assert _decode(line) == json.loads(line) == {"n": 12345678901234567890123}


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(value=_JSON, ascii_only=st.booleans())
def test_decoding_any_json_value_equals_json_loads(value, ascii_only):
    """orjson, with its fallback to json, builds exactly what json.loads builds."""
    import json
    import math

    from slaclock.core.events import _decode

    line = json.dumps(value, ensure_ascii=ascii_only) + "\n"
    got, expected = _decode(line), json.loads(line)
    assert got == expected or (isinstance(got, float) and math.isnan(got))
    assert repr(got) == repr(expected)


def test_an_event_is_a_value_copied_with_replace_and_pickled_whole():
    """``Event`` is a class with slots (a C class when compiled), not the named tuple it
    was: it still compares by value, copies with ``_replace`` and survives pickling."""
    import pickle

    event = parse_event(CREATED, seq=3)
    same = parse_event(dict(CREATED), seq=3)
    assert event == same and hash(event) == hash(same)
    assert event != parse_event(CREATED, seq=4)
    later = event._replace(seq=9, at=datetime(2026, 3, 3, tzinfo=UTC))
    assert (later.seq, later.at, later.id, later.data) == (
        9,
        datetime(2026, 3, 3, tzinfo=UTC),
        "e1",
        CREATED,
    )
    assert event.seq == 3  # the original is unchanged
    assert pickle.loads(pickle.dumps(event)) == event
    assert repr(event).startswith("Event(id='e1', ticket='T-1', at=")
    assert event.sort_key == (event.at, 3)


def test_an_instant_outside_the_supported_years_is_an_error_naming_it():
    """issue 26: the calendars compute 1900-2200; an event outside (or one whose offset
    overflows when turned into UTC) is refused where it is read, on every path."""
    from slaclock.core.events import parse_event

    base = {"id": "e", "ticket": "T", "type": "ticket.deleted"}
    for at in ("1899-12-31T23:59:59Z", "2200-01-01T00:00:00Z", "0001-01-01T00:30:00+01:00",
               "9999-12-31T23:30:00-01:00"):  # fmt: skip
        with pytest.raises(EventError, match="outside the years 1900-2199"):
            parse_event({**base, "at": at})
    assert parse_event({**base, "at": "1900-01-01T00:00:00Z"}).at.year == 1900
    assert parse_event({**base, "at": "2199-12-31T23:59:59+00:00"}).at.year == 2199
