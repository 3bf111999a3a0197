"""Ticket rows: each ticket's current fields, as of its last projection.

A row exists from a ticket's first stored event (``created`` false until
``ticket.created`` arrives); it is also the row that serialises projections of the
ticket (:meth:`slaclock.store.locks.Locks.tickets`).
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, func, select, union

from slaclock.store.bulk import bulk_insert
from slaclock.store.models import EventRow, TicketRow
from slaclock.store.sql import chunks, one_of

TICKETS: Table = TicketRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class TicketCopies:
    """The ticket's fields each of its instance rows copies, so that the queue reads one
    table; under the names the API uses (``group``, ``customer``, ``plan``)."""

    priority: str | None
    group: str | None
    assignee: str | None
    customer: str | None
    plan: str | None
    subject: str | None
    customer_name: str | None

    def copies(self) -> dict[str, str | None]:
        """These fields by name (to build another value that carries them)."""
        return {name: getattr(self, name) for name in _COPIED}


_COPIED = tuple(f.name for f in dataclasses.fields(TicketCopies))


@dataclass(frozen=True, slots=True)
class TicketRecord(TicketCopies):
    """A ticket's row."""

    id: str
    created: bool
    deleted: bool
    status: str | None
    created_at: datetime | None
    next_change_at: datetime | None
    projected_at: datetime | None
    fields: dict[str, Any] | None


#: Each field's column: the same name, but for these three.
_RENAMED = {"group": "group_id", "customer": "customer_id", "plan": "customer_plan"}
_COLUMN_OF = {f.name: _RENAMED.get(f.name, f.name) for f in dataclasses.fields(TicketRecord)}
#: Every column a projection rewrites (all but the key).
_REWRITTEN = tuple(column for column in _COLUMN_OF.values() if column != "id")
#: A row read as a record's fields.
_AS_FIELDS = [TICKETS.c[column].label(name) for name, column in _COLUMN_OF.items()]
_COLUMNS = tuple(_COLUMN_OF.values())
_FIELD_VALUES = operator.attrgetter(*_COLUMN_OF)


def _values(ticket: TicketRecord) -> dict[str, Any]:
    """The record as a row (a ticket is written on every projection: kept cheap)."""
    return dict(zip(_COLUMNS, _FIELD_VALUES(ticket), strict=True))


class Tickets:
    """Ticket rows, inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def write(self, tickets: Sequence[TicketRecord]) -> None:
        """Insert or rewrite these tickets' rows (one statement per chunk)."""
        rows = [_values(t) for t in tickets]
        bulk_insert(self._conn, TICKETS, rows, conflict=("id", _REWRITTEN))

    def get(self, ticket_id: str) -> TicketRecord | None:
        row = self._conn.execute(select(*_AS_FIELDS).where(TicketRow.id == ticket_id)).first()
        return None if row is None else TicketRecord(**row._mapping)

    def get_many(self, ticket_ids: Sequence[str]) -> dict[str, TicketRecord]:
        """These tickets' rows by id, one statement per chunk (absent ids left out)."""
        out: dict[str, TicketRecord] = {}
        for part in chunks(sorted(set(ticket_ids))):
            rows = self._conn.execute(
                select(*_AS_FIELDS).where(one_of(self._conn, TicketRow.id, part))
            )
            out.update((row.id, TicketRecord(**row._mapping)) for row in rows)
        return out

    def drop(self, ticket_ids: Sequence[str]) -> None:
        """Delete these tickets' rows (with their instances)."""
        for part in chunks(sorted(ticket_ids)):
            self._conn.execute(delete(TicketRow).where(one_of(self._conn, TicketRow.id, part)))

    def drop_without_events(self) -> None:
        """Delete the ticket rows no stored event names: a ticket exists from its first
        stored event (a repeated id naming another ticket once left such rows)."""
        has_event = select(EventRow.id).where(EventRow.ticket_id == TicketRow.id).exists()
        self._conn.execute(delete(TicketRow).where(~has_event))

    def customer_names(self, customer_ids: Sequence[str]) -> dict[str, str]:
        """The name each of these customers goes by on its tickets (the greatest, should
        tickets disagree); customers without a name are left out."""
        out: dict[str, str] = {}
        for part in chunks(sorted(set(customer_ids))):
            rows = self._conn.execute(
                select(TicketRow.customer_id, func.max(TicketRow.customer_name))
                .where(one_of(self._conn, TicketRow.customer_id, part))
                .where(TicketRow.customer_name.is_not(None))
                .group_by(TicketRow.customer_id)
            )
            out.update((str(customer), str(name)) for customer, name in rows)
        return out

    def known_ids(self) -> list[str]:
        """Every ticket with a row or a stored event, sorted."""
        ids = self._conn.execute(union(select(TicketRow.id), select(EventRow.ticket_id)))
        return sorted(ids.scalars().all())

    def due(self, now: datetime, limit: int) -> list[str]:
        """Tickets whose ``next_change_at`` has come by ``now``, soonest first."""
        found = self._conn.execute(
            select(TicketRow.id)
            .where(TicketRow.next_change_at <= now)
            .order_by(TicketRow.next_change_at)
            .limit(limit)
        )
        return list(found.scalars())

    def open_ids(self) -> list[str]:
        """Tickets a configuration change can affect: neither deleted nor closed."""
        found = self._conn.execute(
            select(TicketRow.id).where(
                TicketRow.deleted.is_(False),
                (TicketRow.status.is_(None)) | (TicketRow.status != "closed"),
            )
        )
        return list(found.scalars())
