"""The locks that order writers: the configuration gate and the per-ticket row locks.

Two projections of one ticket must not interleave, and a configuration version must
not commit while a projection that read the previous one is still in flight
(docs/store.md, "Concurrency"). On SQLite every write transaction already holds the
database's write lock (``BEGIN IMMEDIATE``), so both are no-ops there but for the
placeholder ticket rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Table, select

from slaclock.store.bulk import bulk_insert
from slaclock.store.models import TicketRow
from slaclock.store.sql import chunks, one_of

TICKETS: Table = TicketRow.__table__  # type: ignore[assignment]

#: The advisory lock key that orders projections against configuration changes.
CONFIG_GATE_KEY = 0x51AC_C10C


class Locks:
    """Locks taken inside one write transaction, held until it ends."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def config_gate(self, exclusive: bool) -> None:
        """Hold the configuration gate until the transaction ends (PostgreSQL only).

        Every projecting transaction holds it shared; storing a configuration version
        holds it exclusively. So a version commits only when no projection that read
        the previous version is still in flight, and the list of tickets to re-project,
        read after that commit, sees all of them. One advisory key, so the lock table
        cannot overflow. On SQLite writers are serial anyway.
        """
        if self._conn.dialect.name != "postgresql":
            return
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        self._conn.exec_driver_sql(f"SELECT {function}({CONFIG_GATE_KEY})")

    def tickets(self, ticket_ids: Sequence[str]) -> set[str]:
        """Make sure a row exists for each ticket and lock them, in sorted order.

        Holds the configuration gate shared first. Sorted order means two batches
        sharing tickets queue up instead of deadlocking; row locks (not advisory
        locks) because a 10,000-ticket batch would overflow the shared lock table.
        Returns the tickets whose rows this call inserted (``created`` false).
        """
        conn = self._conn
        self.config_gate(exclusive=False)
        ordered = sorted(set(ticket_ids))
        placeholders = [{"id": t, "created": False, "deleted": False} for t in ordered]
        placed = bulk_insert(conn, TICKETS, placeholders, conflict=("id", None), returning=("id",))
        if conn.dialect.name == "postgresql":
            for part in chunks(ordered):
                conn.execute(
                    select(TicketRow.id)
                    .where(one_of(conn, TicketRow.id, part))
                    .order_by(TicketRow.id)
                    .with_for_update()
                ).all()
        return {ticket_id for (ticket_id,) in placed}
