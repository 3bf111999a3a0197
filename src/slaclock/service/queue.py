"""The work queue: open SLA/OLA clocks by time left, a page at a time.

The store reads the open clocks in ``(sort_key, pk)`` order after a key
(:mod:`slaclock.store.queue`); the cursor is that key, opaque to clients (base64 of
JSON), so a page is one index range scan whatever the page number.

The projection is as of the last event; "now" is applied at read time: a running
clock whose calendar has run past its ``due_at`` (``overdue_from``) is shown (and
filtered, :mod:`slaclock.store.clock_state`) as breached. One due at closing time
shows as due, 0 left, until the next opening (policies.md: a breach is elapsed open
time beyond the target).
"""

from __future__ import annotations

from datetime import datetime

from slaclock.service.cursors import decode_cursor as decode_cursor_of
from slaclock.service.cursors import encode_cursor
from slaclock.service.views import QueuePage, QueueRow
from slaclock.store.clock_state import OPEN_STATES
from slaclock.store.database import Tx
from slaclock.store.queue import OpenClock, QueueFilters

__all__ = ["MAX_LIMIT", "QUEUE_STATES", "QueueFilters", "QueuePage", "QueueRow", "queue_page"]

QUEUE_STATES = OPEN_STATES
MAX_LIMIT = 500


def decode_cursor(cursor: str) -> tuple[int, int]:
    """The (sort_key, pk) in a queue cursor; ValueError names a bad one."""
    sort_key, pk = decode_cursor_of(cursor, 2, "queue")
    return sort_key, pk


def queue_page(
    tx: Tx, filters: QueueFilters, cursor: str | None, limit: int, now: datetime
) -> QueuePage:
    """One page of the queue, at most ``limit`` rows (capped at MAX_LIMIT).
    ValueError for a bad cursor or state."""
    limit = max(1, min(limit, MAX_LIMIT))
    after = decode_cursor(cursor) if cursor else None
    clocks, more = tx.queue.page(filters, after, limit, now)
    next_cursor = encode_cursor(clocks[-1].sort_key, clocks[-1].pk) if more else None
    return QueuePage(tuple(queue_row(c, now) for c in clocks), next_cursor)


def queue_row(clock: OpenClock, now: datetime) -> QueueRow:
    """The clock as of ``now``, with the ticket's subject, customer and assignee."""
    instance = clock.json
    state = read_state(clock.state, clock.overdue_from, now)
    overdue = state == "breached" and clock.state == "running"
    return QueueRow(
        **clock.copies(),
        instance=instance,
        state=state,
        breached=True if overdue else instance["breached"],
        breached_at=instance.get("due_at") if overdue else instance["breached_at"],
        seconds_to_due=seconds_to_due(clock.due_at, clock.overdue_from, now),
        overdue_from=clock.overdue_from,
    )


def read_state(state: str, overdue_from: datetime | None, now: datetime) -> str:
    """A projected state as of ``now``: a running clock past ``overdue_from`` is breached."""
    if state == "running" and overdue_from is not None and overdue_from < now:
        return "breached"
    return state


def seconds_to_due(due_at: datetime | None, overdue: datetime | None, now: datetime) -> int | None:
    """Real seconds to ``due_at``; 0 (due, none left) while the calendar is closed
    between ``due_at`` and the breach instant, negative once breached."""
    if due_at is None:
        return None
    if overdue is not None and due_at <= now <= overdue:
        return 0
    if overdue is not None and now > overdue:
        return min(-1, int((due_at - now).total_seconds()))
    return int((due_at - now).total_seconds())
