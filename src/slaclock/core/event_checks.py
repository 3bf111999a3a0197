"""What a valid event of each type looks like (events.md): the checks behind
:func:`slaclock.core.events.parse_event`.

Two ways to ask, on purpose, because this is the edge every input line passes: the
*plain* checks (:func:`plainly_valid`) answer with cheap type tests whether an event is
certainly valid, which nearly every event is; the *full* checks (:func:`check_body`)
run on anything the plain checks doubt and name the first problem. A property test
keeps them in agreement (``tests/core/test_events.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slaclock.core.errors import EventError
from slaclock.core.model import CHANNELS, PRIORITIES, TICKET_STATUSES

__all__ = [
    "AUTHORS",
    "CREATORS",
    "EVENT_TYPES",
    "MAX_DEPTH",
    "check_body",
    "check_storable",
    "plainly_valid",
    "required_string",
]

EVENT_TYPES: tuple[str, ...] = (
    "ticket.created", "ticket.updated", "message", "ticket.deleted", "sla.acknowledged",
)  # fmt: skip
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


def check_body(obj: Mapping[str, Any], event_type: str) -> None:
    """Raise :class:`EventError` naming the first problem of an event of ``event_type``
    beyond its common keys (``id``, ``ticket``, ``type``, ``at``)."""
    _VALIDATORS[event_type](obj)


def plainly_valid(obj: dict[str, Any], event_type: str) -> bool:
    """Whether an event of ``event_type`` certainly passes :func:`check_body` (False:
    maybe not; the full checks then say)."""
    if event_type == "message":
        return _fast_message(obj)
    if event_type == "ticket.updated":
        return _fast_updated(obj)
    if event_type == "ticket.created":
        return _fast_created(obj)
    return event_type == "ticket.deleted"


#: How deeply an event's objects and lists may nest.
MAX_DEPTH = 32


def check_storable(obj: Any) -> None:
    """Raise :class:`EventError` naming the place when an event holds what a store
    cannot keep alike on SQLite and PostgreSQL: a NUL character or a lone surrogate in
    a string (or a key), a number JSON cannot carry (NaN, infinity), or objects nested
    more than :data:`MAX_DEPTH` deep. The service checks each event before it writes,
    so one such event is rejected alone and never fails the others it is written with.
    """
    _check_storable(obj, "", 0)


def _check_storable(value: Any, where: str, depth: int) -> None:
    if isinstance(value, str):
        _check_text(value, where or "the event")
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise EventError(f"'{where}' is not a number JSON can carry: {value!r}")
    elif isinstance(value, Mapping | list):
        if depth >= MAX_DEPTH:
            raise EventError(f"'{where or 'the event'}' nests more than {MAX_DEPTH} levels deep")
        if isinstance(value, Mapping):
            for key, item in value.items():
                path = f"{where}.{key}" if where else str(key)
                _check_text(str(key), path)
                _check_storable(item, path, depth + 1)
        else:
            for index, item in enumerate(value):
                _check_storable(item, f"{where}[{index}]", depth + 1)


def _check_text(text: str, where: str) -> None:
    if "\x00" in text:
        raise EventError(f"'{where}' holds a NUL character, which cannot be stored")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise EventError(f"'{where}' is not valid Unicode text (a lone surrogate)") from None


# ----------------------------------------------------------------------- full checks


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


def _check_acknowledged(obj: Mapping[str, Any]) -> None:
    """``sla.acknowledged`` (notifications.md): someone is on an instance — its
    ``metric`` and ``cycle`` (``kind`` sla or ola, default sla), ``by`` a person id."""
    for key in ("metric", "by"):
        value = obj.get(key)
        if not isinstance(value, str) or not value:
            raise EventError(f"sla.acknowledged needs '{key}', a string, got {value!r}")
    cycle = obj.get("cycle", 0)
    if type(cycle) is not int or cycle < 0:
        raise EventError(f"'cycle' must be a whole number ≥ 0, got {cycle!r}")
    kind = obj.get("kind", "sla")
    if kind not in ("sla", "ola"):
        raise EventError(f"'kind' must be sla or ola, got {kind!r}")


_VALIDATORS = {
    "ticket.created": _check_created,
    "ticket.updated": _check_updated,
    "message": _check_message,
    "ticket.deleted": _check_deleted,
    "sla.acknowledged": _check_acknowledged,
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


def required_string(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise EventError(f"'{key}' must be a non-empty string, got {value!r}")
    return value


# ---------------------------------------------------------------------- plain checks

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
    kind = _FIELD_KIND.get(key)
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
    """Whether every item is a ``str``."""
    return all([type(value) is str for value in values])


def _fast_created(obj: dict[str, Any]) -> bool:
    by = obj.get("by", "customer")
    found = obj.get("fields")
    if type(by) is not str or by not in _CREATOR_SET or type(found) is not dict:
        return False
    # The checked fields one by one (unchecked ones are free): a creation carries a dozen
    # fields.
    for key, kind in _FIELD_KINDS:
        value = found.get(key, _ABSENT)
        if value is not _ABSENT and not _plain_kind(key, kind, value):
            return False
    return True


_ABSENT = object()


def _fast_updated(obj: dict[str, Any]) -> bool:
    found = obj.get("changes")
    if type(found) is not dict:
        return False
    for key, value in found.items():
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
