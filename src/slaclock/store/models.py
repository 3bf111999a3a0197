"""The tables, as SQLAlchemy 2 typed declarative models.

``events`` is the append-only log and the only source of truth; ``tickets`` and
``instances`` are a projection of it that :mod:`slaclock.service.projection` can
rebuild at any time. ``instances`` copies a few ticket fields (group, assignee,
customer, plan, priority, subject) so the queue is one indexed scan with no join;
the projection rewrites a ticket's instances whenever the ticket changes, so the
copies never drift. Migrations in ``migrations/`` must match these models exactly
(``tests/store/test_migrations.py`` diffs them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from slaclock.store.types import BigIntPK, JsonDoc, UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class EventRow(Base):
    """One ticket event as received; ``seq`` is arrival order, the replay tie-break."""

    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(200), unique=True)
    ticket_id: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    type: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Who sent it: the id of the API token (``tok_...``); null for events stored
    #: before sources were recorded, and for imports without a token.
    source: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (Index(None, "ticket_id", "at", "seq"),)


class TicketRow(Base):
    """A ticket's current fields, as of its last projection.

    A row exists as soon as any event for the ticket arrives (``created`` false until
    ``ticket.created`` does): it is also the row that serialises projections of the
    ticket (``SELECT ... FOR UPDATE``).
    """

    __tablename__ = "tickets"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    created: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str | None] = mapped_column(String(32))
    priority: Mapped[str | None] = mapped_column(String(32))
    group_id: Mapped[str | None] = mapped_column(String(200))
    assignee: Mapped[str | None] = mapped_column(String(200))
    customer_id: Mapped[str | None] = mapped_column(String(200))
    customer_plan: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(Text)
    customer_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_change_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    projected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fields: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)

    __table_args__ = (
        Index(None, "next_change_at"),
        Index(None, "status"),
    )


class InstanceRow(Base):
    """One SLA/OLA clock of a ticket, as of the ticket's last projection.

    ``open`` is true while the clock has not stopped (running, paused, or running
    past its target). ``sort_key`` orders the queue by time left without knowing "now":
    the epoch seconds of ``due_at``, or for a paused clock (no ``due_at``)
    ``PAUSED_SORT_BASE`` plus its remaining seconds, so paused clocks come last.
    ``digest`` fingerprints the row's values, so re-projection rewrites only the
    rows that changed.
    """

    __tablename__ = "instances"

    pk: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("tickets.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(8))
    metric: Mapped[str] = mapped_column(String(200))
    cycle: Mapped[int] = mapped_column(Integer)
    policy: Mapped[str] = mapped_column(String(200))
    policy_version: Mapped[int] = mapped_column(Integer)
    calendar: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16))
    open: Mapped[bool] = mapped_column(Boolean)
    breached: Mapped[bool] = mapped_column(Boolean)
    goal_breached: Mapped[bool | None] = mapped_column(Boolean)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    goal_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: A running clock's breach instant: the first open instant at or after ``due_at``
    #: (its calendar may be closed right after ``due_at``). Past it, the clock reads as
    #: breached without a re-projection. Null for any other clock.
    overdue_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    target_seconds: Mapped[float | None] = mapped_column(Float)
    goal_seconds: Mapped[float | None] = mapped_column(Float)
    elapsed_seconds: Mapped[float] = mapped_column(Float)
    paused_seconds: Mapped[float] = mapped_column(Float)
    remaining_seconds: Mapped[float | None] = mapped_column(Float)
    sort_key: Mapped[int] = mapped_column(BigInteger)
    group_id: Mapped[str | None] = mapped_column(String(200))
    assignee: Mapped[str | None] = mapped_column(String(200))
    customer_id: Mapped[str | None] = mapped_column(String(200))
    customer_plan: Mapped[str | None] = mapped_column(String(200))
    priority: Mapped[str | None] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(Text)
    customer_name: Mapped[str | None] = mapped_column(String(200))
    #: The ticket's fields as they were at the instance's judgement instant (stopped_at,
    #: or due_at for a clock past its target; now for one not judged yet): what
    #: reports group by (service/judged_fields.py). The columns above are the fields
    #: now, for the queue.
    dim_group: Mapped[str | None] = mapped_column(String(200))
    dim_assignee: Mapped[str | None] = mapped_column(String(200))
    dim_customer: Mapped[str | None] = mapped_column(String(200))
    dim_plan: Mapped[str | None] = mapped_column(String(200))
    dim_priority: Mapped[str | None] = mapped_column(String(32))
    dim_channel: Mapped[str | None] = mapped_column(String(64))
    dim_type: Mapped[str | None] = mapped_column(String(64))
    json: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    digest: Mapped[str] = mapped_column(String(16))

    __table_args__ = (
        UniqueConstraint("ticket_id", "kind", "metric", "cycle"),
        Index(None, "open", "sort_key", "pk"),
        Index(None, "group_id", "open", "sort_key", "pk"),
        Index(None, "assignee", "open", "sort_key", "pk"),
        Index(None, "stopped_at"),
        # Reports: clocks judged at due_at, and open clocks started in a range.
        Index(None, "due_at"),
        Index(None, "started_at"),
        # Covers the summary's scan of open clocks (no visit to the wide rows).
        Index(
            "ix_instances_summary",
            *("open", "group_id", "state", "due_at", "breached_at", "overdue_from"),
        ),
    )


#: Paused clocks have no due_at; their sort key starts past any plausible epoch second.
PAUSED_SORT_BASE = 10**12


class ConfigVersionRow(Base):
    """One accepted configuration text; ``policy_versions`` maps ids to their version."""

    __tablename__ = "config_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    diff: Mapped[str] = mapped_column(Text)
    policy_versions: Mapped[dict[str, Any]] = mapped_column(JsonDoc)


class SnapshotRow(Base):
    """A report as it was produced, kept for disputes: the request (report, text
    parameters with ``as_of`` fixed, format), the configuration version in force, and
    the bytes with their SHA-256, downloaded again byte for byte."""

    __tablename__ = "report_snapshots"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    report: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    format: Mapped[str] = mapped_column(String(8))
    media_type: Mapped[str] = mapped_column(String(100))
    config_version: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime())
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class TokenRow(Base):
    """An API token; only the SHA-256 of its secret is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class _InstanceEntry:
    """Which entry of which instance: the key of a planned entry and of a fire."""

    ticket_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))
    metric: Mapped[str] = mapped_column(String(200))
    cycle: Mapped[int] = mapped_column(Integer)
    entry: Mapped[str] = mapped_column(String(32))  # "reminders[0]", "escalations[1]"
    policy: Mapped[str] = mapped_column(String(200))
    policy_version: Mapped[int] = mapped_column(Integer)


class ScheduleRow(_InstanceEntry, Base):
    """A reminder or escalation still to fire: one per (instance, entry), re-planned
    with the instance's projection. Firing deletes it and writes a :class:`FireRow`."""

    __tablename__ = "schedule"

    pk: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    fire_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("ticket_id", "kind", "metric", "cycle", "entry"),
        Index(None, "fire_at"),
    )


class FireRow(_InstanceEntry, Base):
    """A reminder or escalation that fired: at most one per (instance, entry), ever."""

    __tablename__ = "fires"

    pk: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(32))  # sla.reminder|sla.breached|sla.escalation
    fire_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("ticket_id", "kind", "metric", "cycle", "entry"),)


class DeliveryRow(Base):
    """One message of a fire to one recipient over one channel (the outbox).

    ``id`` is stable across retries (``X-Slaclock-Delivery``). A worker claims a row by
    setting ``lease_until``; a crash between sending and recording leaves the lease to
    run out, and the row is sent again under the same id (at least once).
    """

    __tablename__ = "deliveries"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    fire_pk: Mapped[int] = mapped_column(BigInteger)
    ticket_id: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))  # webhook | email | slack
    recipient: Mapped[str] = mapped_column(String(300))  # "webhook:ops", "person:anna"
    address: Mapped[str] = mapped_column(String(2000))  # a URL or an email address
    state: Mapped[str] = mapped_column(String(16))  # pending | sent | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    body: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # quiet hours: held for a person until their calendar opens (= the first
    # next_attempt_at); held deliveries due together go out as one digest
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        Index(None, "state", "next_attempt_at"),
        Index(None, "ticket_id"),
    )
