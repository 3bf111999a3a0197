"""Who sent each event (``events.source``: the API token's id).

An SLA record is evidence: the ticket's timeline shows, for every event, which token
sent it. Events stored before this revision have none (null).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("source", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("source")
