"""Which tickets a time window holds, for replays that must not miss any (what-if).

A what-if replays the stored events of ``[start, end)`` under another configuration,
so it needs every ticket whose clocks could be judged, or start, in the window under
*some* configuration: the tickets alive during it. A ticket is alive in the window
when it was created before ``end`` (and by ``as_of``) and either has an event at or
after ``start`` (it was still moving then) or is not closed (a clock may still run,
with no event, past a due time in the window). A ticket closed before ``start`` with
nothing after it is left out: the engine stops its clocks at the close.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, exists, or_, select

from slaclock.store.database import Database, Tx
from slaclock.store.models import EventRow, TicketRow

__all__ = ["WindowTickets", "reading_window"]


class WindowTickets:
    """The tickets of a window, inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def alive(self, start: datetime, end: datetime, as_of: datetime) -> list[str]:
        """Ids of the tickets alive in ``[start, end)`` as the module says, sorted: created
        before ``end`` and at or before ``as_of``, with an event at or after ``start`` or
        not closed. (One pass over the tickets; the event test is an index probe.)"""
        t = TicketRow
        moving = exists().where(EventRow.ticket_id == t.id, EventRow.at >= start)
        query = (
            select(t.id)
            .where(
                t.created_at.is_not(None),
                t.created_at < end,
                t.created_at <= as_of,
                or_(t.status.is_(None), t.status != "closed", moving),
            )
            .order_by(t.id)
        )
        return [ticket_id for (ticket_id,) in self._conn.execute(query)]


@contextmanager
def reading_window(database: Database) -> Iterator[tuple[Tx, WindowTickets]]:
    """One read transaction (one snapshot) with the usual repositories and
    :class:`WindowTickets`."""
    with database.engine.connect() as conn:
        yield Tx(conn), WindowTickets(conn)
