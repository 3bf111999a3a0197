"""Reads of one ticket: its stored projection, or a fresh replay as of any instant.

``instances_as_of`` and ``explain`` (in ``app_state``) replay the ticket's events
with the engine, so they answer exactly what ``slaclock replay``/``explain`` would
for the configuration version in force at that instant and the same events — past
or future — except that an instance stopped under an earlier version is judged by
that version (:mod:`slaclock.service.history`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from slaclock.core.calendar.epoch import epoch_micros
from slaclock.service.cursors import decode_cursor, encode_cursor
from slaclock.service.views import EventPage, TicketView, TimelineEntry
from slaclock.store.database import Tx

if TYPE_CHECKING:
    from slaclock.core.engine import Explanation

__all__ = [
    "MAX_EVENTS_PAGE",
    "MAX_EXPLAIN_PAGE",
    "TICKET_EVENTS_SHOWN",
    "event_page",
    "explanation_page",
    "ticket_view",
]

#: The events a ticket's view carries (the first, in replay order); the rest are
#: paged through ``event_page``, so one long ticket cannot make a huge answer.
TICKET_EVENTS_SHOWN = 200
MAX_EVENTS_PAGE = 500
#: Instances of an explanation per page: each carries its whole life, step by step.
MAX_EXPLAIN_PAGE = 500
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ticket_view(tx: Tx, ticket_id: str) -> TicketView | None:
    """The ticket's fields, first events (replay order) and instances, or None if
    unknown."""
    ticket = tx.tickets.get(ticket_id)
    if ticket is None:
        return None
    first = event_page(tx, ticket_id, None, TICKET_EVENTS_SHOWN)
    count = tx.events.counts([ticket_id]).get(ticket_id, 0)
    return TicketView.of(ticket, first.rows, count, tx.instances.replay_json(ticket_id))


def event_page(tx: Tx, ticket_id: str, cursor: str | None, limit: int) -> EventPage:
    """Up to ``limit`` (1–500) of the ticket's events in replay order, after ``cursor``;
    ValueError for a bad cursor."""
    limit = max(1, min(limit, MAX_EVENTS_PAGE))
    after = None
    if cursor:
        micros, seq = decode_cursor(cursor, 2, "event")
        try:
            after = (_EPOCH + timedelta(microseconds=micros), seq)
        except OverflowError:
            raise ValueError(f"invalid event cursor {cursor!r}") from None
    stored = tx.events.page(ticket_id, after, limit + 1)
    rows = tuple(TimelineEntry.of(event) for event in stored[:limit])
    last = stored[limit - 1] if len(stored) > limit else None
    next_cursor = None if last is None else encode_cursor(epoch_micros(last.at), last.seq)
    return EventPage(rows, next_cursor)


def explanation_page(explanation: Explanation, cursor: str | None, limit: int) -> dict[str, Any]:
    """The explanation's JSON with ``limit`` (1–500) of its instances, from ``cursor``,
    and ``next_cursor``; ValueError for a bad cursor.

    An explanation is worked out afresh for each request, as of its instant, so the
    cursor is a position in its instance list (sorted kind, metric, cycle).
    """
    limit = max(1, min(limit, MAX_EXPLAIN_PAGE))
    (start,) = decode_cursor(cursor, 1, "explain") if cursor else (0,)
    if start < 0:
        raise ValueError(f"invalid explain cursor {cursor!r}")
    out = explanation.to_json()
    instances = out["instances"]
    out["instances"] = instances[start : start + limit]
    more = start + limit < len(instances)
    out["next_cursor"] = encode_cursor(start + limit) if more else None
    return out
