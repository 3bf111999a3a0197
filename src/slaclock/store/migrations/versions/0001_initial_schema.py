"""Initial schema: event log, projection (tickets, instances), config, tokens, schedule.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 19:52:22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import slaclock.store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", slaclock.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", slaclock.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", slaclock.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_api_tokens_secret_sha256")),
    )
    op.create_table(
        "config_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("created_at", slaclock.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.Column(
            "policy_versions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_config_versions")),
    )
    op.create_table(
        "events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("ticket_id", sa.String(length=200), nullable=False),
        sa.Column("at", slaclock.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column(
            "body",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("received_at", slaclock.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_events")),
        sa.UniqueConstraint("id", name=op.f("uq_events_id")),
    )
    op.create_index(
        op.f("ix_events_ticket_id_at_seq"), "events", ["ticket_id", "at", "seq"], unique=False
    )
    op.create_table(
        "scheduled_notifications",
        sa.Column(
            "pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("ticket_id", sa.String(length=200), nullable=False),
        sa.Column("instance_key", sa.String(length=500), nullable=False),
        sa.Column("entry", sa.String(length=64), nullable=False),
        sa.Column("fire_at", slaclock.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("fired_at", slaclock.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dedupe_key", sa.String(length=600), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_scheduled_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_scheduled_notifications_dedupe_key")),
    )
    op.create_index(
        op.f("ix_scheduled_notifications_fired_at_fire_at"),
        "scheduled_notifications",
        ["fired_at", "fire_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_scheduled_notifications_ticket_id"),
        "scheduled_notifications",
        ["ticket_id"],
        unique=False,
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("created", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("priority", sa.String(length=32), nullable=True),
        sa.Column("group_id", sa.String(length=200), nullable=True),
        sa.Column("assignee", sa.String(length=200), nullable=True),
        sa.Column("customer_id", sa.String(length=200), nullable=True),
        sa.Column("customer_plan", sa.String(length=200), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("created_at", slaclock.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_change_at", slaclock.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("projected_at", slaclock.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
    )
    op.create_index(op.f("ix_tickets_next_change_at"), "tickets", ["next_change_at"], unique=False)
    op.create_index(op.f("ix_tickets_status"), "tickets", ["status"], unique=False)
    op.create_table(
        "instances",
        sa.Column(
            "pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("ticket_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("metric", sa.String(length=200), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("policy", sa.String(length=200), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("calendar", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("goal_breached", sa.Boolean(), nullable=True),
        sa.Column("started_at", slaclock.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_at", slaclock.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("goal_due_at", slaclock.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", slaclock.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("breached_at", slaclock.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("target_seconds", sa.Float(), nullable=True),
        sa.Column("goal_seconds", sa.Float(), nullable=True),
        sa.Column("elapsed_seconds", sa.Float(), nullable=False),
        sa.Column("paused_seconds", sa.Float(), nullable=False),
        sa.Column("remaining_seconds", sa.Float(), nullable=True),
        sa.Column("sort_key", sa.BigInteger(), nullable=False),
        sa.Column("group_id", sa.String(length=200), nullable=True),
        sa.Column("assignee", sa.String(length=200), nullable=True),
        sa.Column("customer_id", sa.String(length=200), nullable=True),
        sa.Column("customer_plan", sa.String(length=200), nullable=True),
        sa.Column("priority", sa.String(length=32), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column(
            "json",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("digest", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_instances_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_instances")),
        sa.UniqueConstraint(
            "ticket_id",
            "kind",
            "metric",
            "cycle",
            name=op.f("uq_instances_ticket_id_kind_metric_cycle"),
        ),
    )
    op.create_index(
        op.f("ix_instances_assignee_open_sort_key_pk"),
        "instances",
        ["assignee", "open", "sort_key", "pk"],
        unique=False,
    )
    op.create_index(
        op.f("ix_instances_group_id_open_sort_key_pk"),
        "instances",
        ["group_id", "open", "sort_key", "pk"],
        unique=False,
    )
    op.create_index(
        op.f("ix_instances_open_sort_key_pk"), "instances", ["open", "sort_key", "pk"], unique=False
    )
    op.create_index(op.f("ix_instances_stopped_at"), "instances", ["stopped_at"], unique=False)
    op.create_index(
        op.f("ix_instances_open_group_id_state_due_at_breached_at"),
        "instances",
        ["open", "group_id", "state", "due_at", "breached_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_instances_open_group_id_state_due_at_breached_at"), table_name="instances"
    )
    op.drop_index(op.f("ix_instances_stopped_at"), table_name="instances")
    op.drop_index(op.f("ix_instances_open_sort_key_pk"), table_name="instances")
    op.drop_index(op.f("ix_instances_group_id_open_sort_key_pk"), table_name="instances")
    op.drop_index(op.f("ix_instances_assignee_open_sort_key_pk"), table_name="instances")
    op.drop_table("instances")
    op.drop_index(op.f("ix_tickets_status"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_next_change_at"), table_name="tickets")
    op.drop_table("tickets")
    op.drop_index(
        op.f("ix_scheduled_notifications_ticket_id"), table_name="scheduled_notifications"
    )
    op.drop_index(
        op.f("ix_scheduled_notifications_fired_at_fire_at"), table_name="scheduled_notifications"
    )
    op.drop_table("scheduled_notifications")
    op.drop_index(op.f("ix_events_ticket_id_at_seq"), table_name="events")
    op.drop_table("events")
    op.drop_table("config_versions")
    op.drop_table("api_tokens")
