"""A ticket's fields, and the facts each event states about it.

The engine never looks at raw events again after this module: an event becomes a new
set of fields plus a short list of :class:`Fact` values (``created``, ``agent_reply``,
``status_changed`` …), the vocabulary of metric predicates (policies.md, "Metrics").
That keeps the metric rules a table lookup instead of event-shape logic.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from slaclock.core.bounded_cache import BoundedCache, cached
from slaclock.core.events import Event

__all__ = [
    "KNOWN_FIELDS",
    "SOLVED_STATUSES",
    "Fact",
    "apply_changes",
    "initial_fields",
    "value_at",
]

KNOWN_FIELDS = frozenset(
    {
        "id", "status", "priority", "channel", "type", "group", "assignee", "tags",
        "subject", "requester", "customer", "custom",
    }
)  # fmt: skip
#: A ticket in one of these statuses is done: entering one fires ``solved``, leaving one
#: fires ``reopened``.
SOLVED_STATUSES = frozenset({"solved", "closed"})


_NO_ATTRS: Mapping[str, Any] = MappingProxyType({})


class Fact:
    """One thing an event says happened, in predicate words: ``group_entered(engineering)``.

    ``attrs`` holds the values predicate parameters test (``by``, ``group``, ``from``,
    ``to``, ``field``); ``groups`` the author's groups for ``by_group``. Immutable by
    convention and compared by value; the same facts are made once and shared (see
    the caches below).
    """

    __slots__ = ("attrs", "groups", "name")

    def __init__(
        self,
        name: str,
        attrs: Mapping[str, Any] = _NO_ATTRS,
        groups: frozenset[str] = frozenset(),
    ) -> None:
        self.name = name
        self.attrs = attrs
        self.groups = groups

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fact):
            return NotImplemented
        return (self.name, self.attrs, self.groups) == (other.name, other.attrs, other.groups)

    def __hash__(self) -> int:
        return hash((self.name, self.groups))

    def __repr__(self) -> str:
        return f"Fact(name={self.name!r}, attrs={dict(self.attrs)!r}, groups={self.groups!r})"


#: Facts without parameters are values: made once, shared by every event that states them.
_SOLVED = Fact("solved")
_REOPENED = Fact("reopened")
_CUSTOMER_MESSAGE = Fact("customer_message")


def _message_fact(key: tuple[str, Any, frozenset[str]]) -> Fact:
    name, author_id, groups = key
    return Fact(name, {"author_id": author_id}, groups)


#: Agent messages' facts by (kind, author, author's groups): the same few people reply
#: to every ticket, so the same facts repeat.
_MESSAGE_FACTS: BoundedCache[tuple[str, Any, frozenset[str]], Fact] = BoundedCache(_message_fact)


#: Marks a missing key in :func:`value_at`.
_MISSING = object()


def initial_fields(ticket_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The ticket of a ``ticket.created`` event; unknown keys go under ``custom``.

    Nested values are shared with the event, never copied: the engine treats them as
    immutable and copies a nested object only when a change writes into it.
    """
    ticket = {key: value for key, value in fields.items() if key in KNOWN_FIELDS}
    extra = {key: value for key, value in fields.items() if key not in KNOWN_FIELDS}
    if extra:
        ticket["custom"] = {**(fields.get("custom") or {}), **extra}
    ticket["id"] = ticket_id
    ticket.setdefault("status", "new")
    ticket.setdefault("tags", [])
    return ticket


def creation_facts(ticket: Mapping[str, Any], by: str) -> list[Fact]:
    """``created``, plus entering the initial group and the initial assignment.

    The same creators, groups and assignees recur: the facts are made once per
    combination and shared."""
    group, assignee = ticket.get("group"), ticket.get("assignee")
    plain_group = type(group) is str or group is None
    if type(by) is str and plain_group and (type(assignee) is str or assignee is None):
        shared: tuple[Fact, ...] = cached(_CREATION_FACTS, (by, group, assignee))
        return list(shared)
    return _creation_facts((by, group, assignee))


def _creation_facts(key: tuple[Any, Any, Any]) -> list[Fact]:
    by, group, assignee = key
    facts = [Fact("created", {"by": by})]
    if group is not None:
        facts.append(Fact("group_entered", {"group": group}))
    if assignee is not None:
        facts.append(Fact("assigned", {"to": assignee}))
    return facts


_CREATION_FACTS: BoundedCache[tuple[str, str | None, str | None], tuple[Fact, ...]] = BoundedCache(
    lambda key: tuple(_creation_facts(key))
)


def apply_changes(ticket: dict[str, Any], changes: Mapping[str, Any]) -> list[Fact]:
    """Apply a ``ticket.updated`` event's changes in place; the facts they state."""
    facts: list[Fact] = []
    for raw, value in changes.items():
        if raw == "tags_added" or raw == "tags_removed":
            facts.extend(_change_tags(ticket, raw, value))
            continue
        path, steps = cached(_PATHS, raw)
        old = value_at(ticket, steps)
        if old == value and type(old) is type(value):
            continue
        _set(ticket, steps, value)
        facts.extend(field_facts(path, old, value))
    return facts


def _path(raw: str) -> tuple[str, tuple[str, ...]]:
    """Unknown top-level keys live under ``custom`` (events.md, "Tickets")."""
    path = raw if raw.split(".", 1)[0] in KNOWN_FIELDS else "custom." + raw
    return (path, tuple(path.split(".")))


#: A change's key -> (its path in the ticket, the path's steps): keys repeat endlessly.
_PATHS: BoundedCache[str, tuple[str, tuple[str, ...]]] = BoundedCache(_path)


def field_facts(path: str, old: Any, new: Any) -> list[Fact]:
    """What a field going from ``old`` to ``new`` means in predicate words.

    Changes between strings (or null) repeat endlessly (status, group, assignee,
    priority): their facts are made once and shared (facts are never mutated).
    """
    if (type(old) is str or old is None) and (type(new) is str or new is None):
        shared: tuple[Fact, ...] = cached(_FIELD_FACTS, (path, old, new))
        return list(shared)
    return _field_facts(path, old, new)


def _field_facts(path: str, old: Any, new: Any) -> list[Fact]:
    facts = [Fact("field_changed", {"field": path, "to": new})]
    if path == "status":
        facts.append(Fact("status_changed", {"from": old, "to": new}))
        if new in SOLVED_STATUSES and old not in SOLVED_STATUSES:
            facts.append(_SOLVED)
        elif old in SOLVED_STATUSES and new not in SOLVED_STATUSES:
            facts.append(_REOPENED)
    elif path == "group":
        if old is not None:
            facts.append(Fact("group_left", {"group": old}))
        if new is not None:
            facts.append(Fact("group_entered", {"group": new}))
    elif path == "assignee":
        facts.append(Fact("assigned", {"to": new}))
    return facts


_FIELD_FACTS: BoundedCache[tuple[str, str | None, str | None], tuple[Fact, ...]] = BoundedCache(
    lambda change: tuple(_field_facts(*change))
)


def message_facts(
    ticket: dict[str, Any], event: Event, author_groups: frozenset[str]
) -> list[Fact]:
    """A message's facts; a customer message on pending/solved reopens it (events.md)."""
    data = as_dict(event.data)
    author = data.get("author")
    status = ticket.get("status")
    if author == "customer":
        if status == "closed":
            return []  # recorded, changes no clock
        facts = [_CUSTOMER_MESSAGE]
        if status in ("pending", "solved"):
            ticket["status"] = "open"
            facts.extend(field_facts("status", status, "open"))
        return facts
    if author == "agent":
        name = "agent_reply" if data.get("public", True) else "note"
        return [cached(_MESSAGE_FACTS, (name, data.get("author_id"), author_groups))]
    return []


def as_dict(data: Mapping[str, Any]) -> dict[str, Any]:
    """An event's object as a dict, which it is when read from JSON (else a copy)."""
    return data if type(data) is dict else dict(data)


def _change_tags(ticket: dict[str, Any], key: str, tags: list[str]) -> list[Fact]:
    old = list(ticket.get("tags") or [])
    if key == "tags_added":
        new = old + [t for t in dict.fromkeys(tags) if t not in old]
    else:
        new = [t for t in old if t not in tags]
    if new == old:
        return []
    ticket["tags"] = new
    return [Fact("field_changed", {"field": "tags", "to": new})]


def value_at(ticket: Mapping[str, Any], steps: tuple[str, ...]) -> Any:
    """The value at a dotted path (pre-split); None when missing, as conditions see it."""
    current: Any = ticket
    for step in steps:
        if type(current) is not dict and not isinstance(current, Mapping):
            return None  # (the type test first: the Mapping ABC's test is slow)
        current = current.get(step, _MISSING)
        if current is _MISSING:
            return None
    return current


def _set(ticket: dict[str, Any], steps: tuple[str, ...], value: Any) -> None:
    """Set a dotted path, copying (or creating) each parent object on the way: copy on
    write, so values shared with events are never mutated."""
    if len(steps) == 1:  # a top-level field: most changes
        ticket[steps[0]] = value
        return
    *parents, last = steps
    current = ticket
    for step in parents:
        child = current.get(step)
        child = dict(child) if isinstance(child, Mapping) else {}
        current[step] = child
        current = child
    current[last] = value


def copy_json(value: Any) -> Any:
    """A deep copy of JSON data, so the ticket never aliases the caller's event."""
    if isinstance(value, Mapping):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value
