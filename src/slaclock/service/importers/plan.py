"""A plan: how the rows of one kind of export become ticket events.

The built-in sources (``servicenow``, ``bpi2013``, ``helpdesk-csv``) and the ``csv``
importer's YAML mapping file all describe their source with the same frozen values, so
one mapper (:mod:`slaclock.service.importers.mapper`) turns any of them into events and
every source gets the same rules for ids, order, vocabularies and what is unmapped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Generic, TypeVar

__all__ = ["MESSAGE_KINDS", "Action", "Column", "Plan", "Vocabulary"]

T = TypeVar("T")

#: What a row can say was written on the ticket: a public agent reply, a customer
#: message, or an agent's internal note.
MESSAGE_KINDS = ("agent_reply", "customer_message", "note")


@dataclass(frozen=True)
class Vocabulary(Generic[T]):
    """Source values to slaclock values. A key with ``*`` or ``?`` is a pattern
    (``"Awaiting *"``), tried in order after the exact keys."""

    exact: Mapping[str, T]
    patterns: tuple[tuple[str, T], ...] = ()

    @classmethod
    def of(cls, entries: Mapping[str, T]) -> Vocabulary[T]:
        exact = {k: v for k, v in entries.items() if not _is_pattern(k)}
        patterns = tuple((k, v) for k, v in entries.items() if _is_pattern(k))
        return cls(exact, patterns)

    def get(self, text: str) -> T | None:
        found = self.exact.get(text)
        if found is not None:
            return found
        for pattern, value in self.patterns:
            if fnmatchcase(text, pattern):
                return value
        return None


def _is_pattern(key: str) -> bool:
    return "*" in key or "?" in key


@dataclass(frozen=True)
class Column:
    """A ticket field read from a column, through a vocabulary when it has one."""

    name: str
    values: Vocabulary[str] | None = None


@dataclass(frozen=True)
class Action:
    """What a row is, beyond the fields it carries: a status it sets, a message it
    records (one of :data:`MESSAGE_KINDS`), the ticket's deletion, or nothing at all
    (``skip``: the row is left out, on purpose)."""

    status: str | None = None
    message: str | None = None
    deleted: bool = False
    skip: bool = False


@dataclass(frozen=True)
class Plan:
    """How one export's rows become events.

    - ``source`` begins every event id; ``ticket`` and ``at`` name the columns of the
      ticket id and the row's instant (``time_format``: a ``strptime`` format, or None
      for ISO 8601; ``zone``: the zone of times without an offset, when the plan
      declares one).
    - ``fields``: ticket fields (dotted paths: ``customer.id``, ``custom.product``) by
      column; ``constants``: fields every ticket is created with.
    - ``action`` names the column whose values ``actions`` maps to what a row is;
      ``hold``: statuses that last only until the ticket's next row (an activity log's
      "Wait"), which reopens the ticket unless it sets a status itself.
    - ``created_at``: a column with the ticket's creation instant (else its first row's).
    - ``order``: a numeric column giving the order of a ticket's rows (an update
      counter); rows are then applied in that order, never earlier than the row before.
    - ``row_id``: a column that identifies a row within its ticket (else ``order``,
      else the row's instant) — what makes event ids stable.
    - ``missing``: cell texts that mean "no value".
    - ``partial``: rows state only what they change (a change log, such as a JSON
      export's): a column absent from a row leaves its field as it was, where a CSV
      row states every field.
    - ``creator``: a column with ``by`` of ``ticket.created`` (customer, agent or
      system; else ``created_by``); ``author``: a column with a message's
      ``author_id`` (else an agent's message is the assignee's).
    - ``tags``: a column with the ticket's whole list of tags (a JSON array of
      strings, or words separated by spaces); a change of it becomes ``tags_added``
      and ``tags_removed``.
    - ``creates``: a column that is non-empty on the rows that create their ticket;
      with it, a ticket whose first row does not create it is taken to exist already
      (its creation is before the export, or in an earlier import): that row is an
      update, not the ticket's creation.
    """

    source: str
    ticket: str
    at: str
    time_format: str | None = None
    zone: str | None = None
    fields: Mapping[str, Column] = field(default_factory=dict)
    constants: Mapping[str, Any] = field(default_factory=dict)
    action: str | None = None
    actions: Vocabulary[Action] = field(default_factory=lambda: Vocabulary[Action]({}))
    hold: frozenset[str] = frozenset()
    created_at: str | None = None
    created_by: str = "customer"
    order: str | None = None
    row_id: str | None = None
    missing: frozenset[str] = frozenset({""})
    delimiter: str = ","
    encoding: str = "utf-8"
    partial: bool = False
    creator: str | None = None
    author: str | None = None
    creates: str | None = None
    tags: str | None = None

    @property
    def columns(self) -> list[str]:
        """Every column the plan reads (a file must have them all)."""
        named = [self.ticket, self.at, *(c.name for c in self.fields.values())]
        named += [c for c in (self.action, self.created_at, self.order, self.row_id) if c]
        named += [c for c in (self.creator, self.author, self.creates, self.tags) if c]
        return list(dict.fromkeys(named))
