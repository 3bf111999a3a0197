"""Instance rows: one per SLA/OLA clock, as of its ticket's last projection.

A row holds the engine's values, the replay JSON, the instant a running clock turns
breached (``overdue_from``), whether the clock is open, and copies of the ticket
fields the queue filters on, so the queue is one index range scan with no join.
Two storage details live here and nowhere else: ``sort_key``, the queue order
without "now", and ``digest``, which lets a re-projection skip unchanged rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, func, or_, select

from slaclock.store.bulk import copy_rows
from slaclock.store.models import PAUSED_SORT_BASE, InstanceRow
from slaclock.store.sql import chunks, one_of
from slaclock.store.tickets import TicketRecord

INSTANCES: Table = InstanceRow.__table__  # type: ignore[assignment]


def instance_row(
    inst: Any,
    ticket: TicketRecord,
    overdue_from: datetime | None,
    is_open: bool,
    judged: Sequence[str | None],
) -> dict[str, Any]:
    """The row of the engine's instance ``inst`` of ``ticket``.

    ``overdue_from`` (a running clock's breach instant), ``is_open`` (whether the
    queue shows it) and ``judged`` (the report dimensions at its judgement instant, in
    :data:`DIM_COLUMNS` order) are the projection's to decide; the rest is the
    engine's values.
    """
    row = {
        "ticket_id": inst.ticket,
        "kind": inst.kind,
        "metric": inst.metric,
        "cycle": inst.cycle,
        "policy": inst.policy,
        "policy_version": inst.policy_version,
        "calendar": inst.calendar,
        "state": inst.state,
        "open": is_open,
        "breached": bool(inst.breached),
        "goal_breached": inst.goal_breached,
        "started_at": inst.started_at,
        "due_at": inst.due_at,
        "goal_due_at": inst.goal_due_at,
        "stopped_at": inst.stopped_at,
        "breached_at": inst.breached_at,
        "overdue_from": overdue_from,
        "target_seconds": inst.target_seconds,
        "goal_seconds": inst.goal_seconds,
        "elapsed_seconds": inst.elapsed_seconds,
        "paused_seconds": inst.paused_seconds,
        "remaining_seconds": inst.remaining_seconds,
        "sort_key": sort_key(inst.due_at, inst.remaining_seconds),
        "group_id": ticket.group,
        "assignee": ticket.assignee,
        "customer_id": ticket.customer,
        "customer_plan": ticket.plan,
        "priority": ticket.priority,
        "subject": ticket.subject,
        "customer_name": ticket.customer_name,
        **dict(zip(DIM_COLUMNS, judged, strict=True)),
        "json": inst.to_json(),
    }
    row["digest"] = digest(row)
    return row


#: The report dimensions at the judgement instant (service/judged_fields.py's order).
DIM_COLUMNS = (
    "dim_group", "dim_assignee", "dim_customer", "dim_plan", "dim_priority", "dim_channel",
    "dim_type",
)  # fmt: skip
#: The instance row's values that its replay JSON does not already determine.
_DIGEST_EXTRA = (
    "group_id", "assignee", "customer_id", "customer_plan", "priority", "subject", "customer_name",
    *DIM_COLUMNS,
)  # fmt: skip


def digest(row: Mapping[str, Any]) -> str:
    """A short fingerprint of every value of an instance row.

    The replay JSON determines all the clock's columns (``open``, ``sort_key`` and
    ``overdue_from`` derive from it and the configuration version it names); the copied
    ticket fields are added.
    """
    values = (*row["json"].values(), *(row[name] for name in _DIGEST_EXTRA))
    return hashlib.blake2b(repr(values).encode(), digest_size=8).hexdigest()


def sort_key(due_at: datetime | None, remaining_seconds: float | None) -> int:
    """Queue order without "now": the epoch second of ``due_at``; a clock with no
    ``due_at`` (paused) after all others, by its remaining target."""
    if due_at is not None:
        return int(due_at.timestamp())
    return PAUSED_SORT_BASE + int(remaining_seconds or 0)


class Instances:
    """Instance rows, inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def replace(self, ticket_ids: Sequence[str], rows: Sequence[dict[str, Any]]) -> int:
        """Make these tickets' instance rows exactly ``rows``, touching only what changed.

        A row whose ``digest`` is unchanged is left alone (and keeps its ``pk``, so
        queue cursors stay valid): a new event rewrites the one or two clocks it moved,
        not the ticket's history. Returns how many rows were written.
        """
        conn = self._conn
        stored: dict[tuple[str, str, str, int], tuple[int, str]] = {}
        for part in chunks(ticket_ids):
            found = conn.execute(
                select(
                    InstanceRow.ticket_id, InstanceRow.kind, InstanceRow.metric,
                    InstanceRow.cycle, InstanceRow.pk, InstanceRow.digest,
                ).where(one_of(conn, InstanceRow.ticket_id, part))
            )  # fmt: skip
            stored.update({(t, k, m, c): (pk, d) for t, k, m, c, pk, d in found})
        fresh: list[dict[str, Any]] = []
        stale: list[int] = []
        for row in rows:
            old = stored.pop((row["ticket_id"], row["kind"], row["metric"], row["cycle"]), None)
            if old is not None and old[1] == row["digest"]:
                continue
            if old is not None:
                stale.append(old[0])  # changed: replaced by the fresh row
            fresh.append(row)
        stale.extend(pk for pk, _ in stored.values())  # instances that no longer exist
        for pks in chunks(stale):
            conn.execute(delete(InstanceRow).where(one_of(conn, InstanceRow.pk, pks)))
        copy_rows(conn, INSTANCES, fresh)
        return len(fresh)

    def patch(
        self, rows: Sequence[dict[str, Any]], gone: Sequence[tuple[str, str, str, int]]
    ) -> int:
        """Write ``rows`` in place of the rows of the same ``(ticket_id, kind, metric,
        cycle)``, and delete the ``gone`` keys: for a projection that knows which of a
        ticket's stored rows changed, so it touches only those (no read of the rest).
        Returns how many rows were written."""
        keys = [(r["ticket_id"], r["kind"], r["metric"], r["cycle"]) for r in rows]
        for key in [*keys, *gone]:
            ticket_id, kind, metric, cycle = key
            self._conn.execute(
                delete(InstanceRow).where(
                    InstanceRow.ticket_id == ticket_id,
                    InstanceRow.kind == kind,
                    InstanceRow.metric == metric,
                    InstanceRow.cycle == cycle,
                )
            )
        copy_rows(self._conn, INSTANCES, rows)
        return len(rows)

    def replay_json(self, ticket_id: str) -> list[dict[str, Any]]:
        """The replay JSON of the ticket's stored instances, sorted ``kind, metric,
        cycle`` in plain string order, as the replay sorts (a collation may differ)."""
        return self.replay_json_many([ticket_id]).get(ticket_id, [])

    def replay_json_many(self, ticket_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """:meth:`replay_json` of several tickets, one statement per chunk (tickets
        without instances left out)."""
        found: dict[str, list[Any]] = {}
        for part in chunks(sorted(set(ticket_ids))):
            rows = self._conn.execute(
                select(InstanceRow.ticket_id, InstanceRow.kind, InstanceRow.metric,
                       InstanceRow.cycle, InstanceRow.json)
                .where(one_of(self._conn, InstanceRow.ticket_id, part))
            )  # fmt: skip
            for row in rows:
                found.setdefault(row.ticket_id, []).append(row)
        return {
            ticket: [r.json for r in sorted(rows, key=lambda r: (r.kind, r.metric, r.cycle))]
            for ticket, rows in found.items()
        }

    def overdue_before(self, instant: datetime) -> list[tuple[str, datetime, str | None]]:
        """Open clocks overdue since before ``instant``: (ticket, overdue since, the
        assignee copied on the row), by ticket then since."""
        i = InstanceRow
        since = func.coalesce(i.overdue_from, i.breached_at)
        query = (
            select(i.ticket_id, since, i.assignee)
            .where(
                i.open.is_(True),
                or_(
                    and_(i.state == "running", i.overdue_from < instant),
                    and_(i.state == "breached", i.breached_at < instant),
                ),
            )
            .order_by(i.ticket_id, since)
        )
        return [(t, s if s.tzinfo else s.replace(tzinfo=UTC), a)
                for t, s, a in self._conn.execute(query)]  # fmt: skip

    def count(self) -> int:
        return int(self._conn.execute(select(func.count()).select_from(InstanceRow)).scalar_one())
