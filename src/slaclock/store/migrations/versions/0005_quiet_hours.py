"""Quiet hours (``deliveries.held_until``): a message to a person outside the open
hours of their calendar waits until it opens; the deliveries held for one person that
fall due together go out as one digest. Null: never held (every row before this one).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import slaclock.store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(
            sa.Column("held_until", slaclock.store.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("held_until")
