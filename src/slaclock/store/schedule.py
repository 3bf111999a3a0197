"""The notification schedule and the fire records (notifications.md, "Fire times").

A ``schedule`` row is a reminder or escalation of one instance still to fire; the
projection re-plans a ticket's rows in the transaction that projects it. Firing
moves a row to ``fires``, whose unique (instance, entry) key makes each entry fire
at most once: a second worker, a replayed plan or a restart finds the key taken.
Workers claim due rows with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
share the work and none waits for another; SQLite has one writer and one worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Table, delete, func, select

from slaclock.store.bulk import bulk_insert
from slaclock.store.models import FireRow, ScheduleRow
from slaclock.store.sql import chunks, one_of

SCHEDULE: Table = ScheduleRow.__table__  # type: ignore[assignment]
FIRES: Table = FireRow.__table__  # type: ignore[assignment]
#: Who is woken when a nearer fire time is planned (PostgreSQL ``LISTEN``).
WAKE_CHANNEL = "slaclock_schedule"


@dataclass(frozen=True, slots=True)
class Planned:
    """One entry of one instance and when it fires."""

    ticket_id: str
    kind: str
    metric: str
    cycle: int
    entry: str  # "reminders[0]", "escalations[2]"
    policy: str
    policy_version: int
    fire_at: datetime

    @property
    def key(self) -> tuple[str, str, str, int, str]:
        return (self.ticket_id, self.kind, self.metric, self.cycle, self.entry)


class Schedule:
    """Pending entries, inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def pending(self, ticket_ids: Sequence[str]) -> dict[tuple[str, str, str, int, str], Planned]:
        """The planned entries of these tickets, by key."""
        out: dict[tuple[str, str, str, int, str], Planned] = {}
        for part in chunks(sorted(set(ticket_ids))):
            rows = self._conn.execute(
                select(*_PLANNED_COLUMNS).where(one_of(self._conn, ScheduleRow.ticket_id, part))
            )
            out.update({p.key: p for p in (Planned(*row) for row in rows)})
        return out

    def replace(self, ticket_ids: Sequence[str], planned: Sequence[Planned]) -> None:
        """Make these tickets' pending entries exactly ``planned``; on PostgreSQL, wake
        the workers (``NOTIFY``, delivered at commit) when anything was planned."""
        for part in chunks(sorted(set(ticket_ids))):
            self._conn.execute(
                delete(ScheduleRow).where(one_of(self._conn, ScheduleRow.ticket_id, part))
            )
        rows = [
            {"ticket_id": p.ticket_id, "kind": p.kind, "metric": p.metric, "cycle": p.cycle,
             "entry": p.entry, "policy": p.policy, "policy_version": p.policy_version,
             "fire_at": p.fire_at}
            for p in planned
        ]  # fmt: skip
        bulk_insert(self._conn, SCHEDULE, rows)
        if rows and self._conn.dialect.name == "postgresql":
            self._conn.exec_driver_sql(f"NOTIFY {WAKE_CHANNEL}")

    def claim_due(self, now: datetime, limit: int) -> list[Planned]:
        """Up to ``limit`` entries due at ``now``, soonest first, locked for this
        transaction (rows another worker holds are skipped) and deleted from the plan."""
        query = (
            select(ScheduleRow.pk, *_PLANNED_COLUMNS)
            .where(ScheduleRow.fire_at <= now)
            .order_by(ScheduleRow.fire_at, ScheduleRow.pk)
            .limit(limit)
        )
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = self._conn.execute(query).all()
        pks = [row[0] for row in rows]
        for part in chunks(pks):
            self._conn.execute(delete(ScheduleRow).where(one_of(self._conn, ScheduleRow.pk, part)))
        return [Planned(*row[1:]) for row in rows]

    def drop_due(self, now: datetime) -> int:
        """Forget every entry due at ``now`` (fired or not): for an import of history
        that should notify only what comes due from now on. Returns how many."""
        result = self._conn.execute(delete(ScheduleRow).where(ScheduleRow.fire_at <= now))
        return int(result.rowcount or 0)

    def next_fire_at(self) -> datetime | None:
        """The soonest planned fire time, if any."""
        return self._conn.execute(select(func.min(ScheduleRow.fire_at))).scalar_one()

    def count(self) -> int:
        return int(self._conn.execute(select(func.count()).select_from(ScheduleRow)).scalar_one())


_PLANNED_COLUMNS = (
    ScheduleRow.ticket_id, ScheduleRow.kind, ScheduleRow.metric, ScheduleRow.cycle,
    ScheduleRow.entry, ScheduleRow.policy, ScheduleRow.policy_version, ScheduleRow.fire_at,
)  # fmt: skip


_KEY_COLUMNS = (FireRow.ticket_id, FireRow.kind, FireRow.metric, FireRow.cycle, FireRow.entry)


class Fires:
    """Fire records, inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def record(self, planned: Planned, kind: str, fired_at: datetime) -> int | None:
        """Record that ``planned`` fired; its pk, or None when it had fired before."""
        return self.record_many([(planned, kind)], fired_at).get(planned.key)

    def record_many(
        self, fired: Sequence[tuple[Planned, str]], fired_at: datetime
    ) -> dict[tuple[str, str, str, int, str], int]:
        """Record that each ``(planned, type)`` fired, in one statement per chunk; the
        new records' pks by key (an entry that had fired before is left out)."""
        rows = [
            {"ticket_id": p.ticket_id, "kind": p.kind, "metric": p.metric, "cycle": p.cycle,
             "entry": p.entry, "policy": p.policy, "policy_version": p.policy_version,
             "type": kind, "fire_at": p.fire_at, "fired_at": fired_at}
            for p, kind in fired
        ]  # fmt: skip
        key = ("ticket_id", "kind", "metric", "cycle", "entry")
        found = bulk_insert(self._conn, FIRES, rows, conflict=(key, None), returning=("pk", *key))
        return {tuple(row[1:]): int(row[0]) for row in found}

    def keys(self, ticket_ids: Sequence[str]) -> set[tuple[str, str, str, int, str]]:
        """The (ticket, kind, metric, cycle, entry) keys that fired, of these tickets."""
        out: set[tuple[str, str, str, int, str]] = set()
        for part in chunks(sorted(set(ticket_ids))):
            rows = self._conn.execute(
                select(*_KEY_COLUMNS).where(one_of(self._conn, FireRow.ticket_id, part))
            )
            out.update(tuple(row) for row in rows)  # type: ignore[misc]
        return out

    def count(self) -> int:
        return int(self._conn.execute(select(func.count()).select_from(FireRow)).scalar_one())
