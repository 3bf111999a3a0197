"""The event log: append events, read them back in replay order.

``events`` is the only source of truth. ``seq`` is arrival order, the replay's
tie-break after ``at``; its unique ``id`` makes a redelivery a no-op.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, case, func, null, or_, select

from slaclock.core.events import Event, parse_event
from slaclock.store.bulk import bulk_insert
from slaclock.store.models import EventRow, TokenRow
from slaclock.store.sql import chunks, one_of

EVENTS: Table = EventRow.__table__  # type: ignore[assignment]


def with_seq(event: Event, seq: int) -> Event:
    """The event with its stored ``seq`` (cheaper than ``dataclasses.replace``)."""
    return Event(id=event.id, ticket=event.ticket, at=event.at, type=event.type, seq=seq,
                 data=event.data)  # fmt: skip


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as stored: its body as received, and when and from whom it came."""

    seq: int
    at: datetime
    received_at: datetime
    source: str | None  # the sending token's id
    source_name: str | None  # that token's name, while the token exists
    body: dict[str, Any]


class Events:
    """The log, inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def append(
        self,
        events: Sequence[tuple[Event, Mapping[str, Any], str | None]],
        received_at: datetime,
    ) -> dict[str, int]:
        """Store ``(event, body, source)`` in the order given, so ``seq`` is arrival order.
        ``source`` names the sender (a token id), None when unknown.

        ``INSERT ... ON CONFLICT (id) DO NOTHING``: returns the ids actually inserted,
        with their ``seq``; the others were stored before (duplicates). Events of one
        ticket cannot race (the caller holds the ticket locked); the same id sent for
        two tickets at once may deadlock, which the write transaction retries.
        """
        rows = [
            {
                "id": event.id,
                "ticket_id": event.ticket,
                "at": event.at,
                "type": event.type,
                "body": dict(body),
                "received_at": received_at,
                "source": source,
            }
            for event, body, source in events
        ]
        returned = bulk_insert(
            self._conn, EVENTS, rows, conflict=("id", None), returning=("id", "seq")
        )
        return dict(returned)

    def load(
        self, ticket_ids: Sequence[str], known: Mapping[str, Event] | None = None
    ) -> dict[str, list[Event]]:
        """Every stored event of these tickets, parsed, in replay order ``(at, seq)``.

        ``known`` holds events already parsed (a batch's new ones): for those only the
        stored ``seq`` is read, not the body, which saves decoding and validating them
        twice.
        """
        conn = self._conn
        known = known or {}
        out: dict[str, list[Event]] = defaultdict(list)
        body: Any = EventRow.body
        if known:
            body = case((one_of(conn, EventRow.id, list(known)), null()), else_=EventRow.body)
        for part in chunks(sorted(set(ticket_ids))):
            rows = conn.execute(
                select(EventRow.ticket_id, EventRow.seq, EventRow.id, body)
                .where(one_of(conn, EventRow.ticket_id, part))
                .order_by(EventRow.ticket_id, EventRow.at, EventRow.seq)
            )
            for ticket_id, seq, event_id, data in rows:
                parsed = known.get(event_id)
                event = parse_event(data, seq=seq) if parsed is None else with_seq(parsed, seq)
                out[ticket_id].append(event)
        return out

    def counts(self, ticket_ids: Sequence[str]) -> dict[str, int]:
        """How many events each of these tickets has stored (absent: none)."""
        conn = self._conn
        stored: dict[str, int] = {}
        for part in chunks(sorted(ticket_ids)):
            counted = conn.execute(
                select(EventRow.ticket_id, func.count())
                .where(one_of(conn, EventRow.ticket_id, part))
                .group_by(EventRow.ticket_id)
            )
            stored.update({ticket_id: int(n) for ticket_id, n in counted})
        return stored

    def page(
        self, ticket_id: str, after: tuple[datetime, int] | None, limit: int
    ) -> list[StoredEvent]:
        """Up to ``limit`` of the ticket's events in replay order ``(at, seq)``, those
        after the key ``after`` (one index range scan, however deep the page)."""
        query = (
            select(EventRow.seq, EventRow.at, EventRow.received_at, EventRow.source,
                   TokenRow.name, EventRow.body)
            .outerjoin(TokenRow, TokenRow.id == EventRow.source)
            .where(EventRow.ticket_id == ticket_id)
            .order_by(EventRow.at, EventRow.seq)
            .limit(limit)
        )  # fmt: skip
        if after is not None:
            at, seq = after
            query = query.where(or_(EventRow.at > at, and_(EventRow.at == at, EventRow.seq > seq)))
        return [
            StoredEvent(seq, at, received, source, name, dict(body))
            for seq, at, received, source, name, body in self._conn.execute(query)
        ]

    def bodies_of_type(self, ticket_id: str, event_type: str) -> list[dict[str, Any]]:
        """The ticket's events of one type, as received, in replay order (for the few
        that matter after the fact: acknowledgements)."""
        rows = self._conn.execute(
            select(EventRow.body)
            .where(EventRow.ticket_id == ticket_id, EventRow.type == event_type)
            .order_by(EventRow.at, EventRow.seq)
        )
        return [dict(body) for (body,) in rows]

    def count(self) -> int:
        return int(self._conn.execute(select(func.count()).select_from(EventRow)).scalar_one())
