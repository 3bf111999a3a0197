"""Report dimensions at the judgement instant (``instances.dim_*``): the ticket's
group, assignee, customer, plan, priority, channel and type as they were when the
instance was judged (reports.md), so a ticket reassigned later still counts for the
agent who answered it. Rows written before this revision get the ticket's fields as
the projection last copied them (channel and type unknown) until they are projected
again (``slaclock rebuild`` does all of them).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = {
    "dim_group": 200, "dim_assignee": 200, "dim_customer": 200, "dim_plan": 200,
    "dim_priority": 32, "dim_channel": 64, "dim_type": 64,
}  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("instances") as batch:
        for name, size in _COLUMNS.items():
            batch.add_column(sa.Column(name, sa.String(size), nullable=True))
    op.create_index(op.f("ix_instances_due_at"), "instances", ["due_at"], unique=False)
    op.create_index(op.f("ix_instances_started_at"), "instances", ["started_at"], unique=False)
    op.execute(
        "UPDATE instances SET dim_group = group_id, dim_assignee = assignee, "
        "dim_customer = customer_id, dim_plan = customer_plan, dim_priority = priority"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_instances_started_at"), table_name="instances")
    op.drop_index(op.f("ix_instances_due_at"), table_name="instances")
    with op.batch_alter_table("instances") as batch:
        for name in _COLUMNS:
            batch.drop_column(name)
