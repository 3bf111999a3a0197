"""A cheap reading of "has anything the pages show changed?": the change marker.

The dashboard's live updates (``docs/dashboard.md``, "Live updates") poll this once a
second per process, whatever the number of open pages, so it must cost next to nothing
and it must see the writes of every process on the database, not only its own. It is
one statement of index lookups over columns every write of the projection moves:

- the newest event (``events.seq``) — an ingest, and an escalation's own events;
- how many events arrived within the last :data:`LATE_WINDOW` sequence numbers: on
  PostgreSQL two ingests draw their ``seq`` in one order and may commit in the other,
  so the newest ``seq`` can be seen before an older one commits; the count still moves;
- the newest configuration version (a policy change re-projects every open ticket);
- the newest fire record (a reminder, breach or escalation fired: a new notification);
- the soonest ``tickets.next_change_at`` (a ticket re-projected because its time came).

The marker says only that something may have changed, never what: readers compare it
with the one they saw before.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, select

from slaclock.store.models import ConfigVersionRow, EventRow, FireRow, TicketRow

__all__ = ["LATE_WINDOW", "Changes", "MarkerParts"]

#: Sequence numbers behind the newest within which a late commit is still noticed.
LATE_WINDOW = 1000

MarkerParts = tuple[int, int, int, int, datetime | None]


class Changes:
    """The change marker, inside one (read) transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def marker(self) -> MarkerParts:
        """``(newest seq, events in the late window, newest configuration version,
        newest fire, soonest next_change_at)``: equal readings mean no projection,
        configuration or fire was written in between (see the module's docstring)."""
        newest = select(func.coalesce(func.max(EventRow.seq), 0)).scalar_subquery()
        late = (
            select(func.count())
            .select_from(EventRow)
            .where(EventRow.seq > newest - LATE_WINDOW)
            .scalar_subquery()
        )
        version = select(func.coalesce(func.max(ConfigVersionRow.version), 0)).scalar_subquery()
        fire = select(func.coalesce(func.max(FireRow.pk), 0)).scalar_subquery()
        soonest = select(func.min(TicketRow.next_change_at)).scalar_subquery()
        row = self._conn.execute(select(newest, late, version, fire, soonest)).one()
        return int(row[0]), int(row[1]), int(row[2]), int(row[3]), row[4]
