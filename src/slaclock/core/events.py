"""Ticket events: parse and validate one event of events.md, or a JSON Lines stream.

An :class:`Event` keeps the whole JSON object (``data``) so nothing the sender said is
lost, plus the few fields the engine sorts and routes by. Validation happens here, once,
so the engine can trust every event it is given: required keys, an ``at`` with an
offset (a naive time is an error: we cannot guess its zone), and the enumerations of
events.md (status, priority, channel, author, by).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from slaclock.core.errors import EventError
from slaclock.core.event_checks import EVENT_TYPES, check_body, plainly_valid, required_string
from slaclock.core.instants import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    format_instant,
    instant_text,
    parse_instant,
)

__all__ = [
    "EVENT_FIELDS",
    "EVENT_TYPES",
    "Event",
    "format_instant",
    "instant_text",
    "parse_event",
    "parse_instant",
    "parse_line",
    "read_events",
]


class Event:
    """One validated ticket event; ``seq`` is the arrival order, the tie-break for ``at``.

    Immutable by convention and compared by value.
    """

    __slots__ = ("at", "data", "id", "seq", "ticket", "type")

    def __init__(
        self, id: str, ticket: str, at: datetime, type: str, seq: int, data: Mapping[str, Any]
    ) -> None:
        self.id = id
        self.ticket = ticket
        self.at = at
        self.type = type
        self.seq = seq
        self.data = data

    @property
    def sort_key(self) -> tuple[datetime, int]:
        """Events apply in ``(at, arrival order)`` order, whatever order they came in."""
        return (self.at, self.seq)

    def _fields(self) -> tuple[str, str, datetime, str, int, Mapping[str, Any]]:
        return (self.id, self.ticket, self.at, self.type, self.seq, self.data)

    def _replace(self, **changes: Any) -> Event:
        """A copy with some fields changed (as a named tuple's ``_replace``)."""
        values: dict[str, Any] = dict(zip(EVENT_FIELDS, self._fields(), strict=True))
        values.update(changes)
        return Event(**values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Event):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((self.id, self.ticket, self.at, self.type, self.seq))

    def __repr__(self) -> str:
        return (
            f"Event(id={self.id!r}, ticket={self.ticket!r}, at={self.at!r}, "
            f"type={self.type!r}, seq={self.seq!r}, data={self.data!r})"
        )

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (Event, self._fields())


#: The fields of an :class:`Event`, in the order its constructor takes them.
EVENT_FIELDS: tuple[str, ...] = ("id", "ticket", "at", "type", "seq", "data")


#: ``datetime.fromisoformat``, read once rather than looked up on the type per line.
_fromisoformat = datetime.fromisoformat


def parse_event(obj: Any, seq: int = 0) -> Event:
    """Validate one decoded JSON event; raise :class:`EventError` naming the reason.

    Well-formed events (nearly all of them) pass cheap inline type checks; anything the
    fast checks doubt goes through the full checks, which name what is wrong.
    """
    if type(obj) is dict:
        event = _parse_plain(obj, seq)
        if event is not None:
            return event
    return _parse_event_checked(obj, seq)


def _parse_plain(obj: dict[str, Any], seq: int) -> Event | None:
    """The event when every plain check passes, else None (the full checks then name
    the problem)."""
    event_id = obj.get("id")
    ticket = obj.get("ticket")
    event_type = obj.get("type")
    text = obj.get("at")
    if not (
        type(event_id) is str
        and event_id
        and type(ticket) is str
        and ticket
        and type(text) is str
        and type(event_type) is str
    ):
        return None
    if not plainly_valid(obj, event_type):
        return None
    try:
        at = _fromisoformat(text)
    except ValueError:
        return None
    if at.tzinfo is not UTC or not EARLIEST_YEAR <= at.year <= LATEST_YEAR:
        return None
    return Event(event_id, ticket, at, event_type, seq, obj)


def _parse_event_checked(obj: Any, seq: int) -> Event:
    """Every check, one at a time, so an error names the first problem."""
    if type(obj) is not dict and not isinstance(obj, Mapping):
        raise EventError(f"an event must be a JSON object, got {type(obj).__name__}")
    event_id = required_string(obj, "id")
    ticket = required_string(obj, "ticket")
    event_type = obj.get("type")
    if event_type not in EVENT_TYPES:
        raise EventError(f"'type' must be one of {', '.join(EVENT_TYPES)}, got {event_type!r}")
    if "at" not in obj:
        raise EventError("missing 'at'")
    at = parse_instant(obj["at"])
    check_body(obj, event_type)
    return Event(id=event_id, ticket=ticket, at=at, type=event_type, seq=seq, data=obj)


def read_events(lines: Iterable[str], filename: str = "<events>") -> Iterator[Event]:
    """Events of a JSON Lines stream; blank lines are skipped; ``seq`` is the line number.

    Raises :class:`EventError` with ``file:line: reason`` at the first bad line.
    """
    for number, line in enumerate(lines, start=1):
        event = parse_line(line, number, filename)
        if event is not None:
            yield event


def parse_line(line: str, number: int, filename: str = "<events>") -> Event | None:
    """Line ``number`` of a JSON Lines stream as an event (``seq`` is the number); None
    for a blank line. Raises :class:`EventError` with ``file:line: reason``."""
    try:
        obj = _decode(line)
    except json.JSONDecodeError as exc:
        if not line.strip():
            return None  # a blank line (asked only when a line fails: most are not blank)
        raise EventError(f"{filename}:{number}: invalid JSON: {exc.msg}") from None
    try:
        return parse_event(obj, seq=number)
    except EventError as exc:
        raise EventError(f"{filename}:{number}: {exc}") from None


_loads = orjson.loads


def _decode(line: str) -> Any:
    """``json.loads(line)``, three times faster for the usual line: orjson parses it.

    orjson reads an integer beyond 64 bits as a float (json keeps it exact), so a line
    with a run of 19 digits goes to ``json.loads``; so does anything orjson refuses
    (NaN, 1e400, lone surrogates, a byte-order mark …). Results and errors are exactly
    ``json.loads``'s (a property test compares them)."""
    if type(line) is str:  # always, from a text file: typed, a C loop looks for digits
        text: str = line
    else:  # a str subclass, as a str (anything else fails here, as it always did)
        text = line.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")
    if not _has_long_digits(text):
        try:
            return _loads(text)
        except ValueError:  # orjson.JSONDecodeError, or a str it cannot encode as UTF-8
            pass
    return json.loads(text)


def _has_long_digits(text: str) -> bool:
    """Whether ``text`` holds 19 ASCII digits in a row.

    Any run of 19 covers one of every 19 positions, so only positions 18, 37, 56 … are
    read, and the run around one that is a digit is measured: about a tenth of the
    characters of a usual line are looked at."""
    n = len(text)
    i = 18
    while i < n:
        c = text[i]
        if "0" <= c <= "9":
            start = i - 1
            while start >= 0 and "0" <= text[start] <= "9":
                start -= 1
            end = i + 1
            while end < n and "0" <= text[end] <= "9":
                end += 1
            if end - start - 1 >= 19:
                return True
            i = end + 19  # the next run starts after ``end``; its 19th character is here
        else:
            i += 19
    return False
