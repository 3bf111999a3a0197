"""Notifications: the schedule of pending entries, fire records and the outbox.

``scheduled_notifications`` (never used) gives way to three tables: ``schedule`` (one
row per reminder or escalation still to fire, re-planned with the projection),
``fires`` (one per entry that fired, unique per instance and entry: at most once) and
``deliveries`` (one message to one recipient, with its stable id and retry state).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import slaclock.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_WHEN = slaclock.store.types.UTCDateTime(timezone=True)
_INSTANCE_ENTRY = ["ticket_id", "kind", "metric", "cycle", "entry"]


def _pk() -> sa.Column[int]:
    return sa.Column(
        "pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True,
        nullable=False,
    )  # fmt: skip


def _instance_entry() -> list[sa.Column[object]]:
    return [
        sa.Column("ticket_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("metric", sa.String(length=200), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("entry", sa.String(length=32), nullable=False),
        sa.Column("policy", sa.String(length=200), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.drop_index(
        op.f("ix_scheduled_notifications_ticket_id"), table_name="scheduled_notifications"
    )
    op.drop_index(
        op.f("ix_scheduled_notifications_fired_at_fire_at"), table_name="scheduled_notifications"
    )
    op.drop_table("scheduled_notifications")
    op.create_table(
        "schedule",
        _pk(),
        *_instance_entry(),
        sa.Column("fire_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_schedule")),
        sa.UniqueConstraint(
            *_INSTANCE_ENTRY, name=op.f("uq_schedule_ticket_id_kind_metric_cycle_entry")
        ),
    )
    op.create_index(op.f("ix_schedule_fire_at"), "schedule", ["fire_at"], unique=False)
    op.create_table(
        "fires",
        _pk(),
        *_instance_entry(),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("fire_at", _WHEN, nullable=False),
        sa.Column("fired_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_fires")),
        sa.UniqueConstraint(
            *_INSTANCE_ENTRY, name=op.f("uq_fires_ticket_id_kind_metric_cycle_entry")
        ),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("fire_pk", sa.BigInteger(), nullable=False),
        sa.Column("ticket_id", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=300), nullable=False),
        sa.Column("address", sa.String(length=2000), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _WHEN, nullable=False),
        sa.Column("lease_until", _WHEN, nullable=True),
        sa.Column("last_error", sa.String(length=2000), nullable=True),
        sa.Column(
            "body",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("sent_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
    )
    op.create_index(
        op.f("ix_deliveries_state_next_attempt_at"), "deliveries", ["state", "next_attempt_at"]
    )
    op.create_index(op.f("ix_deliveries_ticket_id"), "deliveries", ["ticket_id"])


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_table("fires")
    op.drop_table("schedule")
    op.create_table(
        "scheduled_notifications",
        _pk(),
        sa.Column("ticket_id", sa.String(length=200), nullable=False),
        sa.Column("instance_key", sa.String(length=500), nullable=False),
        sa.Column("entry", sa.String(length=64), nullable=False),
        sa.Column("fire_at", _WHEN, nullable=False),
        sa.Column("fired_at", _WHEN, nullable=True),
        sa.Column("dedupe_key", sa.String(length=600), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_scheduled_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_scheduled_notifications_dedupe_key")),
    )
