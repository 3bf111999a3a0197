"""Reads of one ticket: its stored projection, or a fresh replay as of any instant.

``instances_as_of`` and ``explain`` (in ``app_state``) replay the ticket's events
with the engine, so they answer exactly what ``slaclock replay``/``explain`` would
for the configuration version in force at that instant and the same events — past
or future — except that an instance stopped under an earlier version is judged by
that version (:mod:`slaclock.service.history`).
"""

from __future__ import annotations

from slaclock.service.views import TicketView
from slaclock.store.database import Tx


def ticket_view(tx: Tx, ticket_id: str) -> TicketView | None:
    """The ticket's fields, events (replay order) and instances, or None if unknown."""
    ticket = tx.tickets.get(ticket_id)
    if ticket is None:
        return None
    return TicketView.of(ticket, tx.events.bodies(ticket_id), tx.instances.replay_json(ticket_id))
