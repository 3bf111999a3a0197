"""Reads of one ticket: its stored projection, or a fresh replay as of any instant.

``instances_as_of`` and ``explain`` (in ``app_state``) replay the ticket's events
with the engine, so they answer exactly what ``slaclock replay``/``explain`` would
for the configuration version in force at that instant and the same events — past
or future — except that an instance stopped under an earlier version is judged by
that version (:mod:`slaclock.service.history`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from slaclock.service.formats import iso_z
from slaclock.store.models import EventRow, InstanceRow, TicketRow


def ticket_view(conn: Connection, ticket_id: str) -> dict[str, Any] | None:
    """The ticket's fields, events (replay order) and instances, or None if unknown."""
    ticket = conn.execute(select(TicketRow.__table__).where(TicketRow.id == ticket_id)).first()
    if ticket is None:
        return None
    events = conn.execute(
        select(EventRow.seq, EventRow.received_at, EventRow.body)
        .where(EventRow.ticket_id == ticket_id)
        .order_by(EventRow.at, EventRow.seq)
    ).all()
    rows = conn.execute(
        select(InstanceRow.kind, InstanceRow.metric, InstanceRow.cycle, InstanceRow.json).where(
            InstanceRow.ticket_id == ticket_id
        )
    ).all()
    # Plain string order, as the replay sorts (a database collation may differ).
    instances = [r.json for r in sorted(rows, key=lambda r: (r.kind, r.metric, r.cycle))]
    return {
        "id": ticket.id,
        "created": ticket.created,
        "deleted": ticket.deleted,
        "status": ticket.status,
        "priority": ticket.priority,
        "group": ticket.group_id,
        "assignee": ticket.assignee,
        "customer": ticket.customer_id,
        "plan": ticket.customer_plan,
        "subject": ticket.subject,
        "created_at": iso_z(ticket.created_at),
        "next_change_at": iso_z(ticket.next_change_at),
        "projected_at": iso_z(ticket.projected_at),
        "fields": ticket.fields,
        "events": [dict(e.body) for e in events],
        "instances": instances,
    }
