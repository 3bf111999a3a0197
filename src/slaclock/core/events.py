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
from slaclock.core.model import CHANNELS, PRIORITIES, TICKET_STATUSES

__all__ = [
    "EVENT_FIELDS",
    "EVENT_TYPES",
    "Event",
    "format_instant",
    "instant_text",
    "new_event",
    "parse_event",
    "parse_instant",
    "parse_line",
    "read_events",
]

EVENT_TYPES: tuple[str, ...] = ("ticket.created", "ticket.updated", "message", "ticket.deleted")
CREATORS: tuple[str, ...] = ("customer", "agent", "system")
AUTHORS: tuple[str, ...] = ("customer", "agent", "system")

#: Ticket fields whose values are closed sets (events.md, "Tickets").
_ENUM_FIELDS: Mapping[str, tuple[str, ...]] = {
    "status": TICKET_STATUSES,
    "priority": PRIORITIES,
    "channel": CHANNELS,
}
_OBJECT_FIELDS = frozenset({"requester", "customer", "custom"})
_STRING_FIELDS = frozenset({"type", "subject", "group"})
_CHECKED_FIELDS = frozenset({*_ENUM_FIELDS, *_OBJECT_FIELDS, *_STRING_FIELDS, "tags", "assignee"})


class Event:
    """One validated ticket event; ``seq`` is the arrival order, the tie-break for ``at``.

    Immutable by convention and compared by value, like the named tuple it was. A class
    with slots rather than a named tuple: compiled, it is a C class (``events.pxd``), so
    the engine's many reads of an event's fields are struct reads, where a named
    tuple's are descriptor lookups; and a replay makes one per input line, which
    :func:`new_event` does without an argument-parsing call.
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


def new_event(
    event_id: str, ticket: str, at: datetime, event_type: str, seq: int, data: Any
) -> Event:
    """``Event(...)`` for the per-line paths: compiled, a C function that fills the C
    class's fields directly (no keyword parsing)."""
    event = Event.__new__(Event)
    event.id = event_id
    event.ticket = ticket
    event.at = at
    event.type = event_type
    event.seq = seq
    event.data = data
    return event


def parse_instant(text: Any, what: str = "at") -> datetime:
    """An ISO-8601 instant with an offset or ``Z``, as an aware UTC datetime."""
    if not isinstance(text, str):
        raise EventError(f"'{what}' must be an ISO-8601 string, got {text!r}")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise EventError(f"'{what}' is not an ISO-8601 instant: {text!r}") from None
    if value.tzinfo is UTC:
        return value  # "…Z" and "+00:00": already what we keep
    if value.tzinfo is None or value.utcoffset() is None:
        raise EventError(f"'{what}' has no offset (naive time): {text!r}; add 'Z' or '+01:00'")
    return value.astimezone(UTC)


def format_instant(value: datetime | None) -> str | None:
    """``YYYY-MM-DDTHH:MM:SSZ`` (whole seconds, UTC), the replay JSON's instant format.

    A replay writes millions of these, and the engine's instants are already in UTC:
    their wall-clock fields are the text. Compiled, ``value`` is a C datetime
    (``events.pxd``), so the fields are struct reads.
    """
    if value is None:
        return None
    return instant_text(value, False)


def instant_text(value: datetime, quoted: bool) -> str:
    """:func:`format_instant` of an instant, in double quotes when ``quoted`` (a JSON
    string). The date part and the time part are each made once and remembered: the
    same days and seconds of the day recur, and one concatenation of two remembered
    strings costs a fraction of formatting six numbers. They are remembered in lists
    indexed by the day and by the second of the day, not in dicts: an index is a C
    array read, where a dict lookup by a fresh int also compares the keys."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)  # another zone, or naive (local): never the engine's
    second = value.hour * 3600 + value.minute * 60 + value.second
    seconds = _QUOTED_SECONDS if quoted else _SECONDS
    time_text = seconds[second]
    if time_text is None:
        time_text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}Z"
        time_text = seconds[second] = time_text + '"' if quoted else time_text
    day = (value.year - _FIRST_YEAR) * 384 + value.month * 32 + value.day
    if not 0 <= day < _DAY_SLOTS:
        return _date_text(value, quoted) + time_text  # outside the remembered years
    days = _QUOTED_DAYS if quoted else _DAYS
    date_text = days[day]
    if date_text is None:
        date_text = days[day] = _date_text(value, quoted)
    return date_text + time_text


def _date_text(value: datetime, quoted: bool) -> str:
    text = f"{value.year:04d}-{value.month:02d}-{value.day:02d}T"
    return '"' + text if quoted else text


#: :func:`instant_text`'s parts by day (``(year - _FIRST_YEAR) * 384 + month * 32 +
#: day``, for the years 1970 to 2129) and by second of the day, plain and quoted, each
#: made when first needed. C lists when compiled (events.pxd).
_FIRST_YEAR = 1970
_DAY_SLOTS = 160 * 384
_DAYS: list[str | None] = [None] * _DAY_SLOTS
_QUOTED_DAYS: list[str | None] = [None] * _DAY_SLOTS
_SECONDS: list[str | None] = [None] * 86_400
_QUOTED_SECONDS: list[str | None] = [None] * 86_400

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
    """The event when every fast check passes, else None (the full checks then name
    the problem). Compiled, ``obj`` and the objects inside it that the checks read are
    C-typed dicts (``events.pxd``): each ``get`` is a C lookup, not a method call."""
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
    if event_type == "message":  # the usual types first, each a C call of its check
        plain = _fast_message(obj)
    elif event_type == "ticket.updated":
        plain = _fast_updated(obj)
    elif event_type == "ticket.created":
        plain = _fast_created(obj)
    else:
        plain = event_type == "ticket.deleted"
    if not plain:
        return None
    try:
        at = _fromisoformat(text)
    except ValueError:
        return None
    if at.tzinfo is not UTC:
        return None
    return new_event(event_id, ticket, at, event_type, seq, obj)


def _parse_event_checked(obj: Any, seq: int) -> Event:
    """Every check, one at a time, so an error names the first problem."""
    if type(obj) is not dict and not isinstance(obj, Mapping):
        raise EventError(f"an event must be a JSON object, got {type(obj).__name__}")
    event_id = _required_string(obj, "id")
    ticket = _required_string(obj, "ticket")
    event_type = obj.get("type")
    if event_type not in EVENT_TYPES:
        raise EventError(f"'type' must be one of {', '.join(EVENT_TYPES)}, got {event_type!r}")
    if "at" not in obj:
        raise EventError("missing 'at'")
    at = parse_instant(obj["at"])
    _VALIDATORS[event_type](obj)
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
    characters of a usual line are looked at (compiled, each is a C read), rather than
    encoding the line and translating every byte."""
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


# ------------------------------------------------------------------- per-type checks


def _check_created(obj: Mapping[str, Any]) -> None:
    by = obj.get("by", "customer")
    if by not in CREATORS:
        raise EventError(f"'by' must be one of {', '.join(CREATORS)}, got {by!r}")
    fields = obj.get("fields")
    if not isinstance(fields, Mapping):
        raise EventError("ticket.created needs 'fields', an object of the ticket's fields")
    for key, value in fields.items():
        _check_field_value(f"fields.{key}", key, value)


def _check_updated(obj: Mapping[str, Any]) -> None:
    changes = obj.get("changes")
    if not isinstance(changes, Mapping):
        raise EventError("ticket.updated needs 'changes', an object of new values by field")
    for key, value in changes.items():
        if not isinstance(key, str) or not key or "" in key.split("."):
            raise EventError(f"'changes' has an invalid field path {key!r}")
        if key in ("tags_added", "tags_removed"):
            _check_string_list(f"changes.{key}", value)
        elif key == "id":
            raise EventError("'changes.id': a ticket's id cannot change")
        else:
            _check_field_value(f"changes.{key}", key, value)


def _check_message(obj: Mapping[str, Any]) -> None:
    author = obj.get("author")
    if author not in AUTHORS:
        raise EventError(f"'author' must be one of {', '.join(AUTHORS)}, got {author!r}")
    public = obj.get("public", True)
    if not isinstance(public, bool):
        raise EventError(f"'public' must be true or false, got {public!r}")
    author_id = obj.get("author_id")
    if author_id is not None and not isinstance(author_id, str):
        raise EventError(f"'author_id' must be a string, got {author_id!r}")
    channel = obj.get("channel")
    if channel is not None and channel not in CHANNELS:
        raise EventError(f"'channel' must be one of {', '.join(CHANNELS)}, got {channel!r}")


def _check_deleted(obj: Mapping[str, Any]) -> None:
    """``ticket.deleted`` carries nothing beyond the common keys."""


_VALIDATORS = {
    "ticket.created": _check_created,
    "ticket.updated": _check_updated,
    "message": _check_message,
    "ticket.deleted": _check_deleted,
}


def _check_field_value(where: str, key: str, value: Any) -> None:
    """Known fields get their type checked; unknown ones are free (they go to ``custom``)."""
    if key not in _CHECKED_FIELDS:
        return
    if key in _ENUM_FIELDS:
        allowed = _ENUM_FIELDS[key]
        if value not in allowed and not (key == "priority" and value is None):
            raise EventError(f"'{where}' must be one of {', '.join(allowed)}, got {value!r}")
    elif key == "tags":
        _check_string_list(where, value)
    elif key in _OBJECT_FIELDS:
        if not isinstance(value, Mapping):
            raise EventError(f"'{where}' must be an object, got {value!r}")
    elif (key in _STRING_FIELDS or key == "assignee") and not (
        value is None or isinstance(value, str)
    ):
        raise EventError(f"'{where}' must be a string or null, got {value!r}")


def _check_string_list(where: str, value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EventError(f"'{where}' must be a list of strings, got {value!r}")


def _required_string(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise EventError(f"'{key}' must be a non-empty string, got {value!r}")
    return value


# ------------------------------------------------------- fast checks (valid or doubt)

_STATUS_SET = frozenset(TICKET_STATUSES)
_PRIORITY_SET = frozenset(PRIORITIES)
_CHANNEL_SET = frozenset(CHANNELS)
_AUTHOR_SET = frozenset(AUTHORS)
_CREATOR_SET = frozenset(CREATORS)
_NONE = type(None)
#: How each checked field's value is tested: 1 enum, 2 string or null, 3 object, 4 tags.
_FIELD_KIND = {
    "status": 1, "priority": 1, "channel": 1, "type": 2, "subject": 2, "group": 2,
    "assignee": 2, "requester": 3, "customer": 3, "custom": 3, "tags": 4,
}  # fmt: skip
_ENUM_SETS: Mapping[str, frozenset[Any]] = {
    "status": _STATUS_SET,
    "priority": _PRIORITY_SET | {None},
    "channel": _CHANNEL_SET,
}


#: ``_FIELD_KIND``'s pairs, for a loop over them.
_FIELD_KINDS: tuple[tuple[str, int], ...] = tuple(_FIELD_KIND.items())


def _plain_value(key: str, value: Any) -> bool:
    """True when a field value plainly passes :func:`_check_field_value`."""
    kinds: dict[str, int] = _FIELD_KIND  # a C-typed dict when compiled (events.pxd)
    kind = kinds.get(key)
    if kind is None:
        return True
    return _plain_kind(key, kind, value)


def _plain_kind(key: str, kind: int, value: Any) -> bool:
    """:func:`_plain_value` for a checked field of a known kind."""
    kind_of = type(value)
    if kind == 1:
        return (kind_of is str or value is None) and value in _ENUM_SETS[key]
    if kind == 2:
        return kind_of is str or kind_of is _NONE
    if kind == 3:
        return kind_of is dict
    return kind_of is list and _all_strings(value)


def _all_strings(values: list[Any]) -> bool:
    """Whether every item is a ``str`` (a loop, not ``all()`` over a generator: compiled
    as a C function, which may hold no closure)."""
    for value in values:  # noqa: SIM110 (see above)
        if type(value) is not str:
            return False
    return True


def _fast_created(obj: dict[str, Any]) -> bool:
    by = obj.get("by", "customer")
    found = obj.get("fields")
    if type(by) is not str or by not in _CREATOR_SET or type(found) is not dict:
        return False
    fields: dict[str, Any] = found  # a C-typed dict when compiled (events.pxd)
    # The checked fields one by one (unchecked ones are free): a creation carries a dozen
    # fields, and a generator over them all cost twice as much.
    for key, kind in _FIELD_KINDS:
        value = fields.get(key, _ABSENT)
        if value is not _ABSENT and not _plain_kind(key, kind, value):
            return False
    return True


_ABSENT = object()


def _fast_updated(obj: dict[str, Any]) -> bool:
    found = obj.get("changes")
    if type(found) is not dict:
        return False
    changes: dict[str, Any] = found  # a C-typed dict when compiled (events.pxd)
    for key, value in changes.items():
        if (
            type(key) is not str
            or not key
            or key[0] == "."
            or key[-1] == "."
            or ".." in key
            or key == "id"
        ):
            return False
        if key == "tags_added" or key == "tags_removed":
            if type(value) is not list or not _all_strings(value):
                return False
        elif not _plain_value(key, value):
            return False
    return True


def _fast_message(obj: dict[str, Any]) -> bool:
    author = obj.get("author")
    channel = obj.get("channel")
    return (
        type(author) is str
        and author in _AUTHOR_SET
        and type(obj.get("public", True)) is bool
        and type(obj.get("author_id")) in (str, _NONE)
        and (channel is None or (type(channel) is str and channel in _CHANNEL_SET))
    )
