"""The outbox: one row per message of a fire to one recipient (notifications.md,
"Deliveries" and "Retries and dead letters").

Rows are written in the transaction that records the fire, so a fire and its
messages exist together or not at all. Sending happens outside any transaction: a
worker *claims* a row by giving it a lease, sends, then records the outcome. A crash
in between leaves the lease to run out, and the row is sent again under the same id;
that is the only way a message is sent twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    func,
    or_,
    select,
    tuple_,
    update,
)

from slaclock.store.bulk import bulk_insert
from slaclock.store.models import DeliveryRow, FireRow
from slaclock.store.sql import chunks, one_of

DELIVERIES: Table = DeliveryRow.__table__  # type: ignore[assignment]
STATES = ("pending", "sent", "dead")
#: What an operator filters by: the states, and two kinds of pending delivery — held
#: for the reader's quiet hours (not tried yet), and failed at least once (a retry is
#: due at ``next_attempt_at``).
STATUSES = ("pending", "held", "failed", "sent", "dead")


def delivery_status(delivery: Delivery) -> str:
    """The delivery's :data:`STATUSES` entry (the narrowest that fits)."""
    if delivery.state == "pending" and delivery.last_error is not None:
        return "failed"
    if delivery.state == "pending" and delivery.held_until is not None and not delivery.attempts:
        return "held"
    return delivery.state


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str
    fire_pk: int
    ticket_id: str
    channel: str
    recipient: str
    address: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    body: Mapping[str, Any]
    created_at: datetime
    sent_at: datetime | None
    held_until: datetime | None = None  # quiet hours: held for a person until then


_COLUMNS = (
    DeliveryRow.id, DeliveryRow.fire_pk, DeliveryRow.ticket_id, DeliveryRow.channel,
    DeliveryRow.recipient, DeliveryRow.address, DeliveryRow.state, DeliveryRow.attempts,
    DeliveryRow.next_attempt_at, DeliveryRow.last_error, DeliveryRow.body,
    DeliveryRow.created_at, DeliveryRow.sent_at, DeliveryRow.held_until,
)  # fmt: skip


class Outbox:
    """Deliveries, inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, deliveries: Sequence[Delivery]) -> None:
        rows = [
            {"id": d.id, "fire_pk": d.fire_pk, "ticket_id": d.ticket_id, "channel": d.channel,
             "recipient": d.recipient, "address": d.address, "state": d.state,
             "attempts": d.attempts, "next_attempt_at": d.next_attempt_at, "lease_until": None,
             "last_error": d.last_error, "body": dict(d.body), "created_at": d.created_at,
             "sent_at": d.sent_at, "held_until": d.held_until}
            for d in deliveries
        ]  # fmt: skip
        bulk_insert(self._conn, DELIVERIES, rows, conflict=("id", None))

    def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Delivery]:
        """Up to ``limit`` pending deliveries due at ``now`` whose lease (if any) ran
        out, leased to this worker until ``lease_until`` and counted as an attempt."""
        query = (
            select(*_COLUMNS)
            .where(
                DeliveryRow.state == "pending",
                DeliveryRow.next_attempt_at <= now,
                or_(DeliveryRow.lease_until.is_(None), DeliveryRow.lease_until <= now),
            )
            .order_by(DeliveryRow.next_attempt_at, DeliveryRow.id)
            .limit(limit)
        )
        return self._lease(query, lease_until)

    def claim_held(self, held: Delivery, now: datetime, lease_until: datetime) -> list[Delivery]:
        """The other held deliveries to ``held``'s reader due at ``now`` and not leased,
        leased like :meth:`claim`: they go out with it, as one digest."""
        query = select(*_COLUMNS).where(
            DeliveryRow.state == "pending",
            DeliveryRow.held_until.is_not(None),
            DeliveryRow.next_attempt_at <= now,
            or_(DeliveryRow.lease_until.is_(None), DeliveryRow.lease_until <= now),
            DeliveryRow.channel == held.channel,
            DeliveryRow.recipient == held.recipient,
            DeliveryRow.address == held.address,
            DeliveryRow.id != held.id,
        )
        return self._lease(query.order_by(DeliveryRow.next_attempt_at, DeliveryRow.id), lease_until)

    def _lease(self, query: Select[Any], lease_until: datetime) -> list[Delivery]:
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        found = [Delivery(*row) for row in self._conn.execute(query)]
        for part in chunks([d.id for d in found]):
            self._conn.execute(
                update(DeliveryRow)
                .where(one_of(self._conn, DeliveryRow.id, part))
                .values(lease_until=lease_until, attempts=DeliveryRow.attempts + 1)
            )
        return found

    def sent(self, delivery_id: str, at: datetime) -> None:
        self.sent_many([delivery_id], at)

    def sent_many(self, delivery_ids: Sequence[str], at: datetime) -> None:
        """Mark these deliveries sent at ``at``: one statement per chunk."""
        for part in chunks(delivery_ids):
            self._conn.execute(
                update(DeliveryRow)
                .where(one_of(self._conn, DeliveryRow.id, part))
                .values(state="sent", sent_at=at, lease_until=None, last_error=None)
            )

    def retry_later(self, delivery_id: str, at: datetime, error: str) -> None:
        self._set(delivery_id, next_attempt_at=at, lease_until=None, last_error=error[:2000])

    def dead(self, delivery_id: str, error: str) -> None:
        self._set(delivery_id, state="dead", lease_until=None, last_error=error[:2000])

    def revive(self, delivery_id: str, now: datetime) -> bool:
        """Send a dead delivery again (by hand): pending, due now, attempts from zero.
        False when there is no such dead delivery."""
        result = self._conn.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id, DeliveryRow.state == "dead")
            .values(state="pending", next_attempt_at=now, attempts=0, lease_until=None)
        )
        return bool(result.rowcount)

    def _set(self, delivery_id: str, **values: Any) -> None:
        self._conn.execute(
            update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(**values)
        )

    def get(self, delivery_id: str) -> Delivery | None:
        row = self._conn.execute(select(*_COLUMNS).where(DeliveryRow.id == delivery_id)).first()
        return None if row is None else Delivery(*row)

    def listing(
        self, state: str | None = None, ticket_id: str | None = None, limit: int = 100
    ) -> list[Delivery]:
        query = select(*_COLUMNS).order_by(DeliveryRow.created_at, DeliveryRow.id).limit(limit)
        if state is not None:
            query = query.where(DeliveryRow.state == state)
        if ticket_id is not None:
            query = query.where(DeliveryRow.ticket_id == ticket_id)
        return [Delivery(*row) for row in self._conn.execute(query)]

    def page(
        self, filters: DeliveryFilters, after: tuple[datetime, str] | None, limit: int
    ) -> tuple[list[FiredDelivery], bool]:
        """A filtered keyset page of deliveries with their fires (:func:`delivery_page`)."""
        return delivery_page(self._conn, filters, after, limit)

    def next_attempt_at(self) -> datetime | None:
        """When the soonest pending delivery may be tried (its lease, if later)."""
        due = func.coalesce(DeliveryRow.lease_until, DeliveryRow.next_attempt_at)
        later_of = func.max if self._conn.dialect.name == "sqlite" else func.greatest
        soonest = func.min(later_of(DeliveryRow.next_attempt_at, due))
        query = select(soonest).where(DeliveryRow.state == "pending")
        found: datetime | None = self._conn.execute(query).scalar_one()
        return found

    def counts(self) -> dict[str, int]:
        rows = self._conn.execute(
            select(DeliveryRow.state, func.count()).group_by(DeliveryRow.state)
        )
        return {state: int(n) for state, n in rows}


@dataclass(frozen=True, slots=True)
class DeliveryFilters:
    """What a page of deliveries is narrowed to (None: any)."""

    ticket: str | None = None
    recipient: str | None = None
    type: str | None = None  # the fire's: sla.reminder | sla.breached | sla.escalation
    state: str | None = None  # one of STATUSES
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class FiredDelivery:
    """A delivery with the fire it is a message of."""

    delivery: Delivery
    type: str
    kind: str
    metric: str
    cycle: int
    entry: str
    fire_at: datetime


def _status_is(status: str) -> ColumnElement[bool]:
    """The SQL of :func:`delivery_status` equal to ``status``; ``pending`` is every
    pending delivery, held and failed ones included."""
    pending = DeliveryRow.state == "pending"
    if status == "failed":
        return and_(pending, DeliveryRow.last_error.is_not(None))
    if status == "held":
        return and_(
            pending,
            DeliveryRow.last_error.is_(None),
            DeliveryRow.held_until.is_not(None),
            DeliveryRow.attempts == 0,
        )
    return DeliveryRow.state == status


def delivery_page(
    conn: Connection,
    filters: DeliveryFilters,
    after: tuple[datetime, str] | None,
    limit: int,
) -> tuple[list[FiredDelivery], bool]:
    """At most ``limit`` deliveries with their fires, in ``(created_at, id)`` order after
    the key ``after``; and whether more follow."""
    conds = [
        column == value
        for column, value in (
            (DeliveryRow.ticket_id, filters.ticket),
            (DeliveryRow.recipient, filters.recipient),
            (FireRow.type, filters.type),
            (DeliveryRow.channel, filters.channel),
        )
        if value is not None
    ]
    if filters.state is not None:
        conds.append(_status_is(filters.state))
    if after is not None:
        conds.append(tuple_(DeliveryRow.created_at, DeliveryRow.id) > tuple_(*after))
    query = (
        select(*_COLUMNS, FireRow.type, FireRow.kind, FireRow.metric, FireRow.cycle,
               FireRow.entry, FireRow.fire_at)
        .join(FireRow, FireRow.pk == DeliveryRow.fire_pk)
        .where(*conds)
        .order_by(DeliveryRow.created_at, DeliveryRow.id)
        .limit(limit + 1)
    )  # fmt: skip
    found = conn.execute(query).all()
    width = len(_COLUMNS)
    rows = [FiredDelivery(Delivery(*row[:width]), *row[width:]) for row in found[:limit]]
    return rows, len(found) > limit
