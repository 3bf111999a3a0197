"""A running clock's breach instant (``instances.overdue_from``).

A breach is elapsed open time beyond the target (policies.md), so a clock whose target
ran out at closing time is not overdue until its calendar opens again. The queue and
summary compare ``now`` with this column instead of ``due_at``. Existing running rows
get their ``due_at`` (exact whenever the calendar was open right after it);
``slaclock rebuild`` recomputes every row.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import slaclock.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_OLD_INDEX = "ix_instances_open_group_id_state_due_at_breached_at"
_NEW_INDEX = "ix_instances_summary"
_OLD_COLUMNS = ["open", "group_id", "state", "due_at", "breached_at"]


def upgrade() -> None:
    with op.batch_alter_table("instances") as batch:
        when = slaclock.store.types.UTCDateTime(timezone=True)
        batch.add_column(sa.Column("overdue_from", when, nullable=True))
    op.execute("UPDATE instances SET overdue_from = due_at WHERE state = 'running'")
    op.drop_index(_OLD_INDEX, table_name="instances")
    op.create_index(_NEW_INDEX, "instances", [*_OLD_COLUMNS, "overdue_from"], unique=False)


def downgrade() -> None:
    op.drop_index(_NEW_INDEX, table_name="instances")
    op.create_index(_OLD_INDEX, "instances", _OLD_COLUMNS, unique=False)
    with op.batch_alter_table("instances") as batch:
        batch.drop_column("overdue_from")
